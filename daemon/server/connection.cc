#include "server/connection.h"

#include <fcntl.h>
#include <sys/socket.h>

#include <cstdio>
#include <string>

#include "base/clock.h"

namespace goxel::server {

namespace {

// Texts larger than this are parsed by the worker, not the loop.
constexpr size_t kLoopParseLimit = 256 * 1024;
constexpr size_t kReadChunk = 64 * 1024;

struct WriteReq {
  uv_write_t req;
  std::string data;
  Connection* conn;
};

uint64_t NowMillis() { return MonotonicNanos() / 1000000; }

// The error entry of a framed text that is not a request.
Status FrameError(const rpc::Framer::Frame& f, std::string_view text,
                  const rpc::FramerLimits& limits) {
  switch (f.kind) {
    case rpc::Framer::Kind::kGarbage: {
      char hex[8];
      snprintf(hex, sizeof hex, "0x%02x", static_cast<unsigned char>(text[0]));
      return Status::ParseError(std::string("parse error: byte ") + hex +
                                " cannot start a JSON-RPC request (expected "
                                "'{' or '['); skipping to the next newline")
          .With("byte", std::string(hex))
          .With("reason", std::string("garbage between requests"));
    }
    case rpc::Framer::Kind::kInvalid: {
      const int64_t offset = static_cast<int64_t>(text.size()) - 1;
      return Status::ParseError(std::string("parse error: ") + f.reason +
                                " at byte " + std::to_string(offset) +
                                "; skipping to the next newline")
          .With("offset", offset)
          .With("reason", std::string(f.reason));
    }
    case rpc::Framer::Kind::kTooDeep:
      return Status::InvalidRequest("request nested deeper than " +
                                    std::to_string(limits.max_depth) +
                                    " levels; skipping to the next newline")
          .With("max_depth", static_cast<int64_t>(limits.max_depth))
          .With("offset", static_cast<int64_t>(text.size()) - 1);
    default:  // kTooLarge
      return Status::InvalidRequest("request larger than the limit of " +
                                    std::to_string(limits.max_text_bytes) +
                                    " bytes; closing the connection")
          .With("limit_bytes", static_cast<int64_t>(limits.max_text_bytes));
  }
}

}  // namespace

Status ReserveOnly(size_t max_connections) {
  return Status::ServerError(
             "server busy: all " + std::to_string(max_connections) +
             " connections are in use; this reserve connection serves "
             "control methods only (health, status, ping)")
      .With("max_connections", static_cast<int64_t>(max_connections))
      .With("reason", std::string("connection_reserve"));
}

Connection::Connection(const ConnectionEnv& env, uint64_t id)
    : env_(env), id_(id), framer_(env.options->framer) {
  caller_.connection_id = id;
  last_active_ms_ = NowMillis();
}

bool Connection::Accept(uv_loop_t* loop, uv_stream_t* listener) {
  uv_pipe_init(loop, &handle_, 0);
  handle_.data = this;
  if (uv_accept(listener, reinterpret_cast<uv_stream_t*>(&handle_)) != 0) {
    closing_ = true;
    uv_close(reinterpret_cast<uv_handle_t*>(&handle_),
             [](uv_handle_t* h) { delete static_cast<Connection*>(h->data); });
    return false;
  }
  uv_os_fd_t fd;
  if (uv_fileno(reinterpret_cast<uv_handle_t*>(&handle_), &fd) == 0) {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
      caller_.peer_pid = cred.pid;
      caller_.peer_uid = cred.uid;
      caller_.peer_gid = cred.gid;
    }
  }
  return true;
}

void Connection::Refuse(const Status& why) {
  rpc::AppendErrorReply(why, &out_);
  eof_ = true;
  close_after_flush_ = true;
  Flush();
  AfterOutput();
}

void Connection::StartReading() {
  if (reading_ || closing_ || eof_ || draining_) return;
  if (uv_read_start(reinterpret_cast<uv_stream_t*>(&handle_), OnAlloc,
                    OnRead) == 0) {
    reading_ = true;
    paused_ = false;
  }
}

void Connection::StopReading() {
  if (!reading_) return;
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&handle_));
  reading_ = false;
}

void Connection::OnAlloc(uv_handle_t* h, size_t, uv_buf_t* buf) {
  auto* conn = static_cast<Connection*>(h->data);
  buf->base = conn->in_.Reserve(kReadChunk);
  buf->len = kReadChunk;
}

void Connection::OnRead(uv_stream_t* s, ssize_t nread, const uv_buf_t*) {
  auto* conn = static_cast<Connection*>(s->data);
  if (nread > 0) {
    conn->last_active_ms_ = NowMillis();
    conn->in_.Commit(static_cast<size_t>(nread));
    conn->env_.stats->bytes_in.fetch_add(static_cast<uint64_t>(nread),
                                         std::memory_order_relaxed);
    conn->HandleInput();
    conn->Pump();
    return;
  }
  if (nread == 0) return;  // EAGAIN
  // EOF or error: stop reading, answer what was received, then close.
  conn->StopReading();
  conn->eof_ = true;
  if (nread != UV_EOF) {
    if (conn->env_.hooks->log) {
      conn->env_.hooks->log(
          ops::LogLevel::kDebug, "connection read error",
          {{"connection", static_cast<int64_t>(conn->id_)},
           {"error", std::string(uv_strerror(static_cast<int>(nread)))}});
    }
    conn->Close();
    return;
  }
  conn->Pump();
}

void Connection::HandleInput() {
  const ServerOptions& opt = *env_.options;
  for (;;) {
    rpc::Framer::Frame f = framer_.Next(in_.view());
    if (f.kind == rpc::Framer::Kind::kNeedMore) break;
    PendingText item;
    std::string_view text = in_.view().substr(f.begin, f.end - f.begin);
    if (f.kind != rpc::Framer::Kind::kText) {
      item.parsed = rpc::NewParsedText();
      item.parsed->text_error = FrameError(f, text, framer_.limits());
      item.close_after = f.kind == rpc::Framer::Kind::kTooLarge;
    } else {
      env_.stats->texts_received.fetch_add(1, std::memory_order_relaxed);
      if (text.size() > kLoopParseLimit && reserve_) {
        item.parsed = rpc::NewParsedText();
        item.parsed->text_error = ReserveOnly(opt.max_connections);
      } else if (text.size() > kLoopParseLimit) {
        // Room for the parser's NUL padding, so the worker parses this
        // copy in place instead of copying it again (rpc/envelope.cc).
        item.raw.reserve(text.size() + rpc::kParsePadding);
        item.raw.assign(text);
      } else {
        item.parsed = rpc::ParseRequestText(text, *env_.table);
        if (reserve_ && !item.parsed->AllControl()) {
          item.rejected = ReserveOnly(opt.max_connections);
        } else if (env_.hooks->admit_text) {
          item.rejected =
              env_.hooks->admit_text(id_, item.parsed->RequestCount());
        }
      }
    }
    bool stop = item.close_after;
    backlog_.push_back(std::move(item));
    if (stop) {
      StopReading();
      eof_ = true;  // read nothing more from this peer
      framer_.Rebase(0);
      in_.Consume(in_.size());
      in_.ShrinkIfIdle(0);
      return;
    }
  }
  size_t consumed = framer_.Consumed();
  in_.Consume(consumed);
  framer_.Rebase(consumed);
  if (in_.size() == 0) {
    partial_since_ms_ = 0;
  } else if (partial_since_ms_ == 0 || consumed > 0) {
    partial_since_ms_ = NowMillis();  // a new incomplete text
  }
  in_.ShrinkIfIdle(kKeptBufferBytes);
  if (backlog_.size() >= opt.max_parsed_backlog && reading_) {
    StopReading();
    paused_ = true;
    paused_since_ms_ = NowMillis();
  }
}

void Connection::Pump() {
  const ServerOptions& opt = *env_.options;
  SettleJob(!backlog_.empty() || eof_ || close_after_flush_ || closing_);
  rpc::CallerInfo loop_caller = caller_;
  loop_caller.on_loop = true;
  for (;;) {
    // Nothing new starts while the client's unsent replies pass the cap
    // (OnWrite pumps again once they drain); a client that stays over it is
    // disconnected by the tick after server.timeout_seconds.
    FeedStream();
    while (!inflight_ && !stream_ && !closing_ && !backlog_.empty() &&
           PendingReplyBytes() <= opt.max_pending_reply_bytes) {
      PendingText& front = backlog_.front();
      bool done = false;
      if (!front.rejected.ok()) {
        AnswerRejected(*front.parsed, front.rejected, caller_,
                       env_.hooks->execute, &out_);
        done = true;
      } else if (front.parsed != nullptr && front.parsed->RunsOnLoop()) {
        // Control methods, or an inline method whose locks were free; false
        // when it would have had to wait: then it goes to the pool.
        done = rpc::ExecuteText(*front.parsed, loop_caller, env_.hooks->execute,
                                &out_);
      }
      if (!done) {
        inflight_ = true;
        env_.events->JobReady(this);
        break;
      }
      env_.stats->requests_served.fetch_add(front.parsed->RequestCount(),
                                            std::memory_order_relaxed);
      if (front.close_after) close_after_flush_ = true;
      backlog_.pop_front();
    }
    Flush();
    // A flush that wrote everything at once made room without an OnWrite
    // to pump again: go on here.
    if (inflight_ || stream_ || closing_ || backlog_.empty() ||
        PendingReplyBytes() > opt.max_pending_reply_bytes) {
      break;
    }
  }
  AfterOutput();
}

void Connection::FeedStream() {
  while (stream_ && !closing_ && PendingReplyBytes() < rpc::kStreamChunkBytes) {
    if (stream_->Next(&out_, rpc::kStreamChunkBytes)) stream_.reset();
  }
}

JobData* Connection::TakeJob(uint64_t now_nanos, bool alone) {
  if (!job_) {
    job_ = std::make_shared<JobData>(env_.table, &env_.hooks->execute,
                                     env_.sink, env_.stats, id_);
  }
  JobData* data = job_.get();
  data->caller = caller_;
  data->created_nanos = now_nanos;
  data->requests = 0;
  data->reply_cap = env_.options->max_pending_reply_bytes;
  data->self = job_;
  // Texts of control methods only stay behind: Pump runs them on the loop
  // once this job is answered (control handlers may touch loop-owned
  // state), which keeps the connection's order.
  while (!backlog_.empty() &&
         data->texts.size() < env_.options->max_texts_per_job &&
         !backlog_.front().close_after &&
         !(data->texts.size() > 0 && backlog_.front().parsed &&
           backlog_.front().parsed->AllControl())) {
    data->texts.push_back(std::move(backlog_.front()));
    backlog_.pop_front();
  }
  // The direct reply (job_data.h): only when nothing else is due here.
  bool direct = alone && out_.empty() && !write_active_ && backlog_.empty() &&
                !eof_ && !paused_ && !close_after_flush_ && !draining_;
  if (direct && data->fd < 0) {
    // Duplicated the first time it is needed: connections that only ever
    // run under load keep one descriptor. On failure (EMFILE) the replies
    // go through the loop.
    uv_os_fd_t fd;
    if (uv_fileno(reinterpret_cast<uv_handle_t*>(&handle_), &fd) == 0)
      data->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    direct = data->fd >= 0;
  }
  data->state.store(direct ? JobState::kRunning : JobState::kNeedLoop,
                    std::memory_order_relaxed);
  return data;
}

void Connection::SettleJob(bool need_end) {
  // Not yet taken (JobReady, before the check phase): nothing to settle.
  if (!inflight_ || !job_) return;
  JobState s = job_->state.load(std::memory_order_acquire);
  for (;;) {
    if (s == JobState::kDone) {  // the worker answered and let go
      job_->self.reset();
      job_->Reset();
      inflight_ = false;
      return;
    }
    if (!need_end || s != JobState::kRunning) return;
    if (job_->state.compare_exchange_weak(s, JobState::kNeedLoop,
                                          std::memory_order_acq_rel,
                                          std::memory_order_acquire)) {
      return;
    }
  }
}

void Connection::FinishJob() {
  for (auto u = job_->unrun.rbegin(); u != job_->unrun.rend(); ++u)
    backlog_.push_front(std::move(*u));
  job_->unrun.clear();
  if (out_.empty()) {
    out_.swap(job_->out);  // the job gets the old, empty buffer
  } else {
    out_.append(job_->out);
  }
  stream_ = std::move(job_->stream);
  inflight_ = false;
  Pump();
}

void Connection::RefuseJob(const Status& why) {
  job_->state.store(JobState::kIdle, std::memory_order_relaxed);
  job_->requests = 0;
  job_->Reject(why, &out_);
  env_.stats->requests_served.fetch_add(job_->requests,
                                        std::memory_order_relaxed);
  inflight_ = false;
  Pump();  // may queue the next run again
}

void Connection::Flush() {
  if (write_active_ || out_.empty() || closing_) return;
  auto* stream = reinterpret_cast<uv_stream_t*>(&handle_);
  uv_buf_t buf = uv_buf_init(out_.data(), static_cast<unsigned>(out_.size()));
  // While a reply streams, its parts go through uv_write only: OnWrite, on
  // a later loop iteration, asks for the next part, so one connection's
  // reply never keeps the loop to itself.
  int n = stream_ ? UV_EAGAIN : uv_try_write(stream, &buf, 1);
  if (n > 0) {
    env_.stats->bytes_out.fetch_add(static_cast<uint64_t>(n),
                                    std::memory_order_relaxed);
    if (static_cast<size_t>(n) == out_.size()) {
      out_.clear();
      if (out_.capacity() > kKeptBufferBytes) std::string().swap(out_);
      return;
    }
    out_.erase(0, static_cast<size_t>(n));
  } else if (n != UV_EAGAIN) {
    Close();
    return;
  }
  auto* req = new WriteReq;
  req->data.swap(out_);
  req->conn = this;
  req->req.data = req;
  writing_bytes_ = req->data.size();
  write_active_ = true;
  uv_buf_t wbuf =
      uv_buf_init(req->data.data(), static_cast<unsigned>(req->data.size()));
  int rc = uv_write(&req->req, stream, &wbuf, 1, OnWrite);
  if (rc != 0) {
    write_active_ = false;
    writing_bytes_ = 0;
    delete req;
    Close();
  }
}

void Connection::OnWrite(uv_write_t* r, int status) {
  auto* req = static_cast<WriteReq*>(r->data);
  Connection* conn = req->conn;
  size_t bytes = req->data.size();
  delete req;
  conn->write_active_ = false;
  conn->writing_bytes_ = 0;
  if (status < 0) {
    conn->Close();
    return;
  }
  conn->env_.stats->bytes_out.fetch_add(bytes, std::memory_order_relaxed);
  conn->last_active_ms_ = NowMillis();
  conn->Flush();
  conn->AfterOutput();
  if (!conn->closing_ && !conn->inflight_ &&
      (conn->stream_ || (!conn->backlog_.empty() &&
                         conn->PendingReplyBytes() <=
                             conn->env_.options->max_pending_reply_bytes))) {
    conn->Pump();  // the next part of a stream, or texts held back
  }
}

void Connection::AfterOutput() {
  if (closing_) return;
  const ServerOptions& opt = *env_.options;
  size_t pending = PendingReplyBytes();
  if (pending > opt.max_pending_reply_bytes) {
    // Paused even when not reading any more (a half-closed client), so the
    // tick's stall check drops a client that never reads its replies.
    if (!paused_) {
      StopReading();
      paused_ = true;
      paused_since_ms_ = NowMillis();
    }
  } else if (paused_ && pending <= opt.max_pending_reply_bytes / 2 &&
             backlog_.size() < opt.max_parsed_backlog / 2) {
    StartReading();  // not while draining
    paused_ = false;
  }
  bool drained = !write_active_ && out_.empty() && Idle();
  if (drained && (eof_ || close_after_flush_)) Close();
}

const char* Connection::Expired(uint64_t now_ms, bool* stalled) {
  const ServerOptions& o = *env_.options;
  *stalled = false;
  if (closing_) return nullptr;
  // A job the worker answered directly ends here if no read came since:
  // the connection is idle from the reply on.
  // (With texts waiting, a read came since and its Pump settled the job.)
  if (inflight_ && job_ && backlog_.empty() &&
      job_->state.load(std::memory_order_acquire) == JobState::kDone) {
    SettleJob(false);
    last_active_ms_ = now_ms;
  }
  if (stream_ && write_active_ &&
      now_ms - last_active_ms_ >
          static_cast<uint64_t>(o.write_stall_timeout_ms)) {
    *stalled = true;  // a streamed reply that is not being read
    return "a client that does not read its replies";
  }
  if (paused_) {
    if (PendingReplyBytes() > o.max_pending_reply_bytes / 2 &&
        now_ms - paused_since_ms_ >
            static_cast<uint64_t>(o.write_stall_timeout_ms)) {
      *stalled = true;
      return "a client that does not read its replies";
    }
    return nullptr;
  }
  if (o.request_timeout_ms > 0 && partial_since_ms_ != 0 &&
      now_ms - partial_since_ms_ >
          static_cast<uint64_t>(o.request_timeout_ms)) {
    return "a request stayed incomplete past server.request_timeout_seconds";
  }
  if (o.idle_timeout_ms > 0 && Idle() && out_.empty() && !write_active_ &&
      in_.size() == 0 &&
      now_ms - last_active_ms_ > static_cast<uint64_t>(o.idle_timeout_ms)) {
    return "idle past server.idle_timeout_seconds";
  }
  return nullptr;
}

void Connection::BeginDrain() {
  draining_ = true;
  StopReading();
  paused_ = false;
  SettleJob(true);  // a job in flight now reports its end
}

void Connection::CloseAfterFlush() {
  if (stream_) {
    // Its reply cannot be completed: flushing a part of it would only keep
    // shutdown waiting for a reader. Dropped, with the connection.
    Close();
    return;
  }
  close_after_flush_ = true;
  backlog_.clear();
  Flush();
  AfterOutput();
}

void Connection::Close() {
  if (closing_) return;
  SettleJob(true);  // a job still in flight holds `self` until it ends
  closing_ = true;
  stream_.reset();  // frees its result (and read budget) at once
  if (job_) {
    // It stops at its next text.
    job_->cancelled.store(true, std::memory_order_relaxed);
    // The job's dup keeps the socket open past uv_close: shut it down now,
    // so the peer sees the close at once and a late direct send fails.
    if (job_->fd >= 0) shutdown(job_->fd, SHUT_RDWR);
  }
  StopReading();
  env_.events->Closing(this);
  uv_close(reinterpret_cast<uv_handle_t*>(&handle_), OnClose);
}

void Connection::OnClose(uv_handle_t* h) {
  auto* conn = static_cast<Connection*>(h->data);
  ConnectionEvents* events = conn->env_.events;
  delete conn;
  events->Freed();
}

}  // namespace goxel::server
