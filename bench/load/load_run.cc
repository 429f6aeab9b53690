#include "load_run.h"

#include <fcntl.h>
#include <rapidjson/document.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <ctime>
#include <memory>
#include <string_view>
#include <thread>
#include <vector>

namespace goxel::bench {
namespace {

constexpr size_t kReadChunk = 64 * 1024;
constexpr int kPollMs = 20;

uint64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u +
         static_cast<uint64_t>(ts.tv_nsec);
}

// State shared by all load threads. Thread-safe through atomics.
struct Shared {
  const Options* opt = nullptr;
  bool count_mode = true;
  uint64_t total = 0;  // warmup + requests in count mode.
  uint64_t duration_ns = 0;
  uint64_t cap_ns = 0;  // Absolute time of the hard cap.
  std::atomic<uint64_t> issued{0};
  std::atomic<uint64_t> completed{0};
  std::atomic<uint64_t> start_ns{0};  // End of warm-up; 0 until then.
  std::atomic<bool> stop{false};
  std::atomic<bool> deadline_reached{false};
  std::atomic<bool> cap_hit{false};
};

// One connection. Owned and touched by one load thread only.
struct Conn {
  int fd = -1;
  int index = 0;
  std::string out;
  size_t out_off = 0;
  std::vector<char> in;
  size_t in_len = 0;
  std::vector<uint64_t> sent_at;  // Ring of P send times.
  uint64_t sent = 0;
  uint64_t recvd = 0;
  bool polling_out = false;
  bool dead = false;
};

enum class Reply { kGood, kErrorReply, kBad };

// A Document for checking replies, reused: a reply's DOM lives in the fixed
// buffer, cleared before each parse. Not thread-safe: one per thread.
struct ReplyDoc {
  char buffer[8192];
  rapidjson::MemoryPoolAllocator<> alloc{buffer, sizeof buffer};
  rapidjson::Document doc{&alloc};
};

bool IsString(const rapidjson::Value& v, std::string_view s) {
  return v.IsString() &&
         std::string_view(v.GetString(), v.GetStringLength()) == s;
}

// Checks one JSON-RPC reply line (without its newline) for request `id`.
Reply CheckJsonReply(std::string_view line, uint64_t id, ReplyDoc* scratch) {
  rapidjson::Document& d = scratch->doc;
  d.SetNull();
  scratch->alloc.Clear();
  d.Parse<rapidjson::kParseValidateEncodingFlag>(line.data(), line.size());
  if (d.HasParseError() || !d.IsObject()) return Reply::kBad;
  const auto end = d.MemberEnd();
  const auto version = d.FindMember("jsonrpc");
  const auto got_id = d.FindMember("id");
  if (version == end || !IsString(version->value, "2.0") || got_id == end ||
      !got_id->value.IsUint64() || got_id->value.GetUint64() != id) {
    return Reply::kBad;
  }
  const auto result = d.FindMember("result");
  const auto error = d.FindMember("error");
  if (result != end && error == end) return Reply::kGood;
  if (result != end || error == end || !error->value.IsObject()) {
    return Reply::kBad;
  }
  const rapidjson::Value& e = error->value;
  const auto code = e.FindMember("code");
  const auto message = e.FindMember("message");
  bool ok = code != e.MemberEnd() && code->value.IsNumber() &&
            message != e.MemberEnd() && message->value.IsString();
  return ok ? Reply::kErrorReply : Reply::kBad;
}

// Drives a set of connections with one epoll loop (or blocking I/O for a
// single sequential connection). Not thread-safe: one thread each.
class LoadThread {
 public:
  LoadThread(Shared* shared, std::vector<Conn*> conns)
      : shared_(shared), opt_(*shared->opt), conns_(std::move(conns)) {}

  void Run();

  const Histogram& latency() const { return latency_; }
  uint64_t replies() const { return replies_; }
  uint64_t errors() const { return errors_; }
  uint64_t error_replies() const { return error_replies_; }
  uint64_t last_ns() const { return last_ns_; }

 private:
  bool Blocking() const {
    return conns_.size() == 1 && opt_.pipeline == 1 && opt_.threads == 1 &&
           opt_.connections == 1;
  }
  void RunEpoll();
  void RunBlocking();
  bool ShouldStop(uint64_t now);
  bool Done() const;
  void FillPipeline(Conn* c);
  bool MaySend();
  void Send(Conn* c);
  // Writes what it can; returns false when the socket would block.
  bool Flush(Conn* c);
  // One read(); returns false when the connection is gone.
  bool ReadOnce(Conn* c);
  void HandleLines(Conn* c, uint64_t now);
  void HandleReply(Conn* c, std::string_view line, uint64_t now);
  void Count(uint64_t sent_at, uint64_t now);
  void Kill(Conn* c, const char* why);
  void WatchOut(Conn* c, bool on);

  Shared* shared_;
  const Options& opt_;
  std::vector<Conn*> conns_;
  int epoll_fd_ = -1;
  Histogram latency_;
  uint64_t replies_ = 0, errors_ = 0, error_replies_ = 0, last_ns_ = 0;
  uint64_t in_flight_ = 0;
  size_t alive_ = 0;
  std::unique_ptr<ReplyDoc> reply_doc_ = std::make_unique<ReplyDoc>();
};

bool LoadThread::MaySend() {
  if (shared_->stop.load(std::memory_order_relaxed)) return false;
  if (!shared_->count_mode) return true;
  return shared_->issued.fetch_add(1, std::memory_order_relaxed) <
         shared_->total;
}

void LoadThread::Send(Conn* c) {
  const RequestTemplate& t =
      opt_.templates[(c->index + c->sent) % opt_.templates.size()];
  ++c->sent;
  ++in_flight_;
  c->out.append(t.prefix);
  if (opt_.raw_bytes == 0) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, c->sent);
    c->out.append(buf, end);
    c->out.append(t.suffix);
  }
  c->sent_at[(c->sent - 1) % c->sent_at.size()] = NowNs();
}

void LoadThread::FillPipeline(Conn* c) {
  while (!c->dead && c->sent - c->recvd < c->sent_at.size() && MaySend()) {
    Send(c);
  }
}

bool LoadThread::Flush(Conn* c) {
  while (c->out_off < c->out.size()) {
    ssize_t w =
        write(c->fd, c->out.data() + c->out_off, c->out.size() - c->out_off);
    if (w > 0) {
      c->out_off += static_cast<size_t>(w);
    } else if (w < 0 && errno == EINTR) {
      continue;
    } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return false;
    } else {
      Kill(c, "write failed");
      return true;
    }
  }
  c->out.clear();
  c->out_off = 0;
  return true;
}

void LoadThread::Kill(Conn* c, const char* why) {
  if (c->dead) return;
  c->dead = true;
  --alive_;
  uint64_t lost = c->sent - c->recvd;
  errors_ += lost;
  in_flight_ -= lost;
  fprintf(stderr, "goxel-bench: connection %d: %s (%s) after %llu replies\n",
          c->index, why, errno != 0 ? strerror(errno) : "closed by peer",
          static_cast<unsigned long long>(c->recvd));
  if (epoll_fd_ >= 0) epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c->fd, nullptr);
  close(c->fd);
  c->fd = -1;
}

bool LoadThread::ReadOnce(Conn* c) {
  if (c->in.size() - c->in_len < kReadChunk) {
    c->in.resize(c->in_len + kReadChunk);
  }
  ssize_t r = read(c->fd, c->in.data() + c->in_len, c->in.size() - c->in_len);
  if (r > 0) {
    c->in_len += static_cast<size_t>(r);
    HandleLines(c, NowNs());
    return true;
  }
  if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
    return true;
  }
  if (r == 0) errno = 0;
  Kill(c, r == 0 ? "server closed the connection" : "read failed");
  return false;
}

void LoadThread::HandleLines(Conn* c, uint64_t now) {
  char* start = c->in.data();
  char* end = start + c->in_len;
  while (char* nl = static_cast<char*>(
             memchr(start, '\n', static_cast<size_t>(end - start)))) {
    HandleReply(c, std::string_view(start, static_cast<size_t>(nl - start)),
                now);
    start = nl + 1;
    if (c->dead) return;
  }
  size_t rest = static_cast<size_t>(end - start);
  memmove(c->in.data(), start, rest);
  c->in_len = rest;
}

void LoadThread::HandleReply(Conn* c, std::string_view line, uint64_t now) {
  if (c->recvd == c->sent) {  // A reply nobody asked for.
    ++errors_;
    return;
  }
  ++c->recvd;
  --in_flight_;
  Reply kind;
  if (opt_.raw_bytes > 0) {
    std::string_view want(opt_.templates[0].prefix);
    want.remove_suffix(1);
    kind = line == want ? Reply::kGood : Reply::kBad;
  } else {
    kind = CheckJsonReply(line, c->recvd, reply_doc_.get());
  }
  if (kind == Reply::kBad) ++errors_;
  if (kind == Reply::kErrorReply) ++error_replies_;
  Count(c->sent_at[(c->recvd - 1) % c->sent_at.size()], now);
  FillPipeline(c);
}

void LoadThread::Count(uint64_t sent_at, uint64_t now) {
  uint64_t index = shared_->completed.fetch_add(1) + 1;
  uint64_t warmup = opt_.warmup;
  if (index == warmup) shared_->start_ns.store(now);
  if (index <= warmup) return;
  if (shared_->count_mode) {
    if (index > shared_->total) return;
    if (index == shared_->total) shared_->stop.store(true);
  } else {
    uint64_t start = shared_->start_ns.load();
    if (start == 0 || now > start + shared_->duration_ns) {
      if (start != 0) {
        shared_->deadline_reached.store(true);
        shared_->stop.store(true);
      }
      return;
    }
  }
  latency_.Record(now - sent_at);
  ++replies_;
  last_ns_ = std::max(last_ns_, now);
}

bool LoadThread::ShouldStop(uint64_t now) {
  if (now >= shared_->cap_ns) {
    shared_->cap_hit.store(true);
    shared_->stop.store(true);
  }
  if (!shared_->count_mode) {
    uint64_t start = shared_->start_ns.load();
    if (start != 0 && now > start + shared_->duration_ns) {
      shared_->deadline_reached.store(true);
      shared_->stop.store(true);
    }
  }
  return shared_->stop.load() || Done();
}

bool LoadThread::Done() const {
  if (alive_ == 0) return true;
  return shared_->count_mode && in_flight_ == 0 &&
         shared_->issued.load() >= shared_->total;
}

void LoadThread::WatchOut(Conn* c, bool on) {
  if (c->dead || c->polling_out == on) return;
  c->polling_out = on;
  epoll_event ev{};
  ev.events = on ? (EPOLLIN | EPOLLOUT) : EPOLLIN;
  ev.data.ptr = c;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c->fd, &ev);
}

void LoadThread::RunEpoll() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  for (Conn* c : conns_) {
    fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = c;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, c->fd, &ev);
  }
  for (Conn* c : conns_) {
    FillPipeline(c);
    if (!Flush(c)) WatchOut(c, true);
  }
  std::vector<epoll_event> events(std::min<size_t>(conns_.size(), 1024));
  while (!ShouldStop(NowNs())) {
    int n = epoll_wait(epoll_fd_, events.data(),
                       static_cast<int>(events.size()), kPollMs);
    for (int i = 0; i < n; ++i) {
      auto* c = static_cast<Conn*>(events[i].data.ptr);
      if (c->dead) continue;
      if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        if (!ReadOnce(c)) continue;
      }
      WatchOut(c, !Flush(c));
    }
  }
  close(epoll_fd_);
  epoll_fd_ = -1;
}

void LoadThread::RunBlocking() {
  Conn* c = conns_[0];
  timeval tv{0, kPollMs * 1000};
  setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  FillPipeline(c);
  while (!ShouldStop(NowNs())) {
    if (!Flush(c) || c->dead) continue;
    ReadOnce(c);
  }
}

void LoadThread::Run() {
  alive_ = conns_.size();
  if (Blocking()) {
    RunBlocking();
  } else {
    RunEpoll();
  }
}

int ConnectUnix(const std::string& path, std::string* error) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error = std::string("socket: ") + strerror(errno);
    return -1;
  }
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) {
    *error = "cannot connect to " + path + ": " + strerror(errno);
    close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

RunResult RunLoad(const Options& options) {
  RunResult result;
  std::vector<std::unique_ptr<Conn>> conns;
  for (int i = 0; i < options.connections; ++i) {
    auto c = std::make_unique<Conn>();
    c->index = i;
    c->sent_at.resize(static_cast<size_t>(options.pipeline));
    c->fd = ConnectUnix(options.socket_path, &result.failure);
    if (c->fd < 0) break;
    conns.push_back(std::move(c));
  }
  if (!result.failure.empty()) {
    for (auto& c : conns) close(c->fd);
    return result;
  }

  Shared shared;
  shared.opt = &options;
  shared.count_mode = options.requests > 0;
  shared.total = options.warmup + options.requests;
  shared.duration_ns = static_cast<uint64_t>(options.duration_s * 1e9);
  uint64_t begin = NowNs();
  shared.cap_ns = begin + static_cast<uint64_t>(options.max_seconds * 1e9);
  if (options.warmup == 0) shared.start_ns.store(begin);

  std::vector<std::unique_ptr<LoadThread>> workers;
  for (int t = 0; t < options.threads; ++t) {
    std::vector<Conn*> mine;
    for (size_t i = t; i < conns.size(); i += options.threads) {
      mine.push_back(conns[i].get());
    }
    workers.push_back(std::make_unique<LoadThread>(&shared, std::move(mine)));
  }
  std::vector<std::thread> threads;
  for (size_t t = 1; t < workers.size(); ++t) {
    threads.emplace_back([w = workers[t].get()] { w->Run(); });
  }
  workers[0]->Run();
  for (std::thread& t : threads) t.join();
  for (auto& c : conns) {
    if (!c->dead) close(c->fd);
  }

  uint64_t last = 0;
  for (auto& w : workers) {
    result.latency.Merge(w->latency());
    result.replies += w->replies();
    result.errors += w->errors();
    result.error_replies += w->error_replies();
    last = std::max(last, w->last_ns());
  }
  uint64_t start = shared.start_ns.load();
  if (!shared.count_mode && shared.deadline_reached.load()) {
    result.seconds = options.duration_s;
  } else if (start != 0 && last > start) {
    result.seconds = static_cast<double>(last - start) / 1e9;
  }
  result.time_cap_hit = shared.cap_hit.load();
  return result;
}

}  // namespace goxel::bench
