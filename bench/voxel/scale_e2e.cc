// goxel-scale-bench: the issue 16 figures through a running daemon, as
// ratios to yardsticks taken in the same run. Prints one JSON line:
//   add_voxel_p50_empty_ms, add_voxel_p50_large_ms, add_voxel_ratio
//     (add_voxel on a project of N scattered blocks ÷ on an empty one),
//   ping_p50_ms, ping_p99_ms (ping on a second connection while add_voxel
//     streams on the large project, then holding 2N blocks), batch_ms (one
//     add_voxel_batch of the N scattered voxels), memory_bytes_per_voxel
//     (get_project_info's memory_bytes / N), rss_bytes_per_voxel (daemon RSS
//     growth over a second batch of N isolated voxels / N, with --pid),
//     info_blocks and info_p50_ms (get_project_info after growing the
//     project to --info-blocks blocks; 0 to skip).
//
//   goxel-scale-bench -s SOCKET [-n 100000] [-c 500] [--pid PID]
//                     [--info-blocks 750000]
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

class Conn {
 public:
  bool Open(const std::string& path) {
    fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (fd_ < 0 || path.size() >= sizeof addr.sun_path) return false;
    memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    return connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~Conn() {
    if (fd_ >= 0) close(fd_);
  }
  // Sends one request and returns its reply line ("" on failure).
  std::string Call(const std::string& method, const std::string& params) {
    const std::string req = R"({"jsonrpc":"2.0","id":)" +
                            std::to_string(++id_) + R"(,"method":")" + method +
                            R"(","params":)" + params + "}\n";
    for (size_t off = 0; off < req.size();) {
      ssize_t n = write(fd_, req.data() + off, req.size() - off);
      if (n <= 0) return "";
      off += size_t(n);
    }
    for (;;) {
      size_t nl = buf_.find('\n');
      if (nl != std::string::npos) {
        std::string line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        return line;
      }
      char tmp[65536];
      ssize_t n = read(fd_, tmp, sizeof tmp);
      if (n <= 0) return "";
      buf_.append(tmp, size_t(n));
    }
  }

 private:
  int fd_ = -1;
  int id_ = 0;
  std::string buf_;
};

bool IsResult(const std::string& reply) {
  return reply.find("\"result\"") != std::string::npos;
}

// The integer after "key": in a reply (-1 when absent).
int64_t IntField(const std::string& reply, const std::string& key) {
  const size_t at = reply.find("\"" + key + "\":");
  if (at == std::string::npos) return -1;
  return std::atoll(reply.c_str() + at + key.size() + 3);
}

std::string Scattered(int64_t first, int64_t n) {
  std::string s = R"({"color":[200,100,50,255],"voxels":[)";
  for (int64_t i = first; i < first + n; ++i) {
    if (i > first) s += ',';
    s += '[' + std::to_string((i % 1000) * 16) + ',' +
         std::to_string(((i / 1000) % 1000) * 16) + ',' +
         std::to_string((i / 1000000) * 16 + 32) + ']';
  }
  return s + "]}";
}

// The string after "key":" in a reply ("" when absent).
std::string StringField(const std::string& reply, const std::string& key) {
  const std::string open = "\"" + key + "\":\"";
  const size_t at = reply.find(open);
  if (at == std::string::npos) return "";
  const size_t from = at + open.size();
  return reply.substr(from, reply.find('"', from) - from);
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, size_t(double(v.size()) * p))];
}

int64_t RssBytes(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/statm");
  int64_t size = 0, resident = 0;
  in >> size >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

// add_voxel p50 over `calls` calls on the active project, near the origin.
std::vector<double> AddVoxels(Conn& c, int calls, bool* ok) {
  std::vector<double> ms;
  for (int i = 0; i < calls; ++i) {
    const auto t0 = Clock::now();
    const std::string r =
        c.Call("goxel.add_voxel",
               R"({"x":)" + std::to_string(1 + i % 15) + R"(,"y":1,"z":)" +
                   std::to_string(i / 15) + R"(,"color":[1,2,3,255]})");
    ms.push_back(Ms(Clock::now() - t0));
    *ok = *ok && IsResult(r);
  }
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  std::string sock;
  int64_t n = 100000, info_blocks = 0;
  int calls = 500;
  long pid = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "-s")
      sock = v;
    else if (a == "-n")
      n = std::atoll(v.c_str());
    else if (a == "-c")
      calls = std::atoi(v.c_str());
    else if (a == "--pid")
      pid = std::atol(v.c_str());
    else if (a == "--info-blocks")
      info_blocks = std::atoll(v.c_str());
  }
  Conn c, pinger;
  if (sock.empty() || !c.Open(sock) || !pinger.Open(sock)) {
    fprintf(stderr,
            "usage: goxel-scale-bench -s SOCKET [-n N] [-c CALLS] "
            "[--pid PID] [--info-blocks B]\n");
    return 2;
  }
  bool ok = IsResult(c.Call("goxel.create_project", R"({"name":"empty"})"));
  const double empty_p50 = Percentile(AddVoxels(c, calls, &ok), 0.5);
  ok = ok && IsResult(c.Call("goxel.create_project", R"({"name":"large"})"));
  auto t0 = Clock::now();
  ok = ok && IsResult(c.Call("goxel.add_voxel_batch", Scattered(0, n)));
  const double batch_ms = Ms(Clock::now() - t0);
  const int64_t mem =
      IntField(c.Call("goxel.get_project_info", "{}"), "memory_bytes");
  const double large_p50 = Percentile(AddVoxels(c, calls, &ok), 0.5);
  // RSS growth of a second batch of n isolated voxels (the first paid for
  // the request buffers): what each voxel really costs.
  // In a project of its own, so no undo snapshot shares (and copies) its
  // nodes.
  const std::string rss_project = StringField(
      c.Call("goxel.create_project", R"({"name":"rss","activate":false})"),
      "project_id");
  ok = ok && !rss_project.empty();
  const int64_t rss0 = pid ? RssBytes(pid) : 0;
  const std::string in_rss =
      "{\"project_id\":\"" + rss_project + "\"," + Scattered(n, n).substr(1);
  ok = ok && IsResult(c.Call("goxel.add_voxel_batch", in_rss));
  const int64_t rss1 = pid ? RssBytes(pid) : 0;
  // add_voxel on the large project while a second connection pings.
  std::atomic<bool> done{false};
  std::thread editor([&] {
    AddVoxels(c, calls, &ok);
    done = true;
  });
  std::vector<double> pings;
  while (!done) {
    const auto p0 = Clock::now();
    ok = ok && IsResult(pinger.Call("ping", "{}"));
    pings.push_back(Ms(Clock::now() - p0));
  }
  editor.join();
  double info_p50 = 0;
  if (info_blocks > 2 * n) {
    for (int64_t at = 2 * n; at < info_blocks; at += 100000)
      ok = ok && IsResult(c.Call("goxel.add_voxel_batch",
                                 Scattered(at, std::min<int64_t>(
                                                   100000, info_blocks - at))));
    std::vector<double> info;
    for (int i = 0; i < 50; ++i) {
      const auto i0 = Clock::now();
      ok = ok && IsResult(c.Call("goxel.get_project_info", "{}"));
      info.push_back(Ms(Clock::now() - i0));
    }
    info_p50 = Percentile(info, 0.5);
  }
  printf(
      "{\"voxels\":%lld,\"add_voxel_p50_empty_ms\":%.4f,"
      "\"add_voxel_p50_large_ms\":%.4f,\"add_voxel_ratio\":%.2f,"
      "\"ping_p50_ms\":%.4f,\"ping_p99_ms\":%.4f,\"pings\":%zu,"
      "\"batch_ms\":%.1f,\"memory_bytes_per_voxel\":%.1f,"
      "\"rss_bytes_per_voxel\":%.1f,\"info_blocks\":%lld,"
      "\"info_p50_ms\":%.4f,\"ok\":%s}\n",
      (long long)n, empty_p50, large_p50, large_p50 / empty_p50,
      Percentile(pings, 0.5), Percentile(pings, 0.99), pings.size(), batch_ms,
      double(mem) / double(n), pid ? double(rss1 - rss0) / double(n) : 0.0,
      (long long)(info_blocks > 2 * n ? info_blocks : 0), info_p50,
      ok ? "true" : "false");
  return ok ? 0 : 1;
}
