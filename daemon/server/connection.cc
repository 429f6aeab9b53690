#include "server/connection.h"

#include <sys/socket.h>

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

}  // namespace

Status ReserveOnly(const Server& srv) {
  const size_t max = srv.options().max_connections;
  return Status::ServerError(
             "server busy: all " + std::to_string(max) +
             " connections are in use; this reserve connection serves "
             "control methods only (health, status, ping)")
      .With("max_connections", static_cast<int64_t>(max))
      .With("reason", std::string("connection_reserve"));
}

void Connection::StartReading() {
  if (reading || closing || eof) return;
  if (uv_read_start(reinterpret_cast<uv_stream_t*>(&handle), OnAlloc, OnRead) ==
      0) {
    reading = true;
    paused = false;
  }
}

void Connection::StopReading() {
  if (!reading) return;
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&handle));
  reading = false;
}

void Connection::OnAlloc(uv_handle_t* h, size_t, uv_buf_t* buf) {
  auto* conn = static_cast<Connection*>(h->data);
  buf->base = conn->in.Reserve(kReadChunk);
  buf->len = kReadChunk;
}

void Connection::OnRead(uv_stream_t* s, ssize_t nread, const uv_buf_t*) {
  auto* conn = static_cast<Connection*>(s->data);
  if (nread > 0) {
    conn->last_active_ms = NowMillis();
    conn->in.Commit(static_cast<size_t>(nread));
    conn->server->stats_.bytes_in.fetch_add(static_cast<uint64_t>(nread),
                                            std::memory_order_relaxed);
    conn->HandleInput();
    conn->Pump();
    return;
  }
  if (nread == 0) return;  // EAGAIN
  // EOF or error: stop reading, answer what was received, then close.
  conn->StopReading();
  conn->eof = true;
  if (nread != UV_EOF) {
    conn->server->Log(
        LogLevel::kDebug, "connection read error",
        {{"connection", static_cast<int64_t>(conn->id)},
         {"error", std::string(uv_strerror(static_cast<int>(nread)))}});
    conn->Close();
    return;
  }
  conn->Pump();
}

void Connection::HandleInput() {
  Server& srv = *server;
  for (;;) {
    rpc::Framer::Frame f = framer.Next(in.view());
    if (f.kind == rpc::Framer::Kind::kNeedMore) break;
    PendingText item;
    std::string_view text = in.view().substr(f.begin, f.end - f.begin);
    switch (f.kind) {
      case rpc::Framer::Kind::kText:
        srv.stats_.texts_received.fetch_add(1, std::memory_order_relaxed);
        if (text.size() > kLoopParseLimit && reserve) {
          item.parsed = rpc::NewParsedText();
          item.parsed->text_error = ReserveOnly(srv);
        } else if (text.size() > kLoopParseLimit) {
          item.raw.assign(text);
        } else {
          item.parsed = rpc::ParseRequestText(text, *srv.table_);
          if (reserve && !item.parsed->AllControl()) {
            item.rejected = ReserveOnly(srv);
          } else if (srv.hooks_.admit_text) {
            item.rejected =
                srv.hooks_.admit_text(id, item.parsed->RequestCount());
          }
        }
        break;
      case rpc::Framer::Kind::kGarbage: {
        item.parsed = rpc::NewParsedText();
        unsigned char byte = static_cast<unsigned char>(text[0]);
        char hex[8];
        snprintf(hex, sizeof hex, "0x%02x", byte);
        item.parsed->text_error =
            Status::ParseError(std::string("parse error: byte ") + hex +
                               " cannot start a JSON-RPC request (expected "
                               "'{' or '['); skipping to the next newline")
                .With("byte", std::string(hex))
                .With("reason", std::string("garbage between requests"));
        break;
      }
      case rpc::Framer::Kind::kInvalid: {
        item.parsed = rpc::NewParsedText();
        const int64_t offset = static_cast<int64_t>(text.size()) - 1;
        item.parsed->text_error =
            Status::ParseError(std::string("parse error: ") + f.reason +
                               " at byte " + std::to_string(offset) +
                               "; skipping to the next newline")
                .With("offset", offset)
                .With("reason", std::string(f.reason));
        break;
      }
      case rpc::Framer::Kind::kTooDeep:
        item.parsed = rpc::NewParsedText();
        item.parsed->text_error =
            Status::InvalidRequest("request nested deeper than " +
                                   std::to_string(framer.limits().max_depth) +
                                   " levels; skipping to the next newline")
                .With("max_depth",
                      static_cast<int64_t>(framer.limits().max_depth))
                .With("offset", static_cast<int64_t>(text.size()) - 1);
        break;
      case rpc::Framer::Kind::kTooLarge:
        item.parsed = rpc::NewParsedText();
        item.parsed->text_error =
            Status::InvalidRequest(
                "request larger than the limit of " +
                std::to_string(framer.limits().max_text_bytes) +
                " bytes; closing the connection")
                .With("limit_bytes",
                      static_cast<int64_t>(framer.limits().max_text_bytes));
        item.close_after = true;
        break;
      case rpc::Framer::Kind::kNeedMore:
        break;
    }
    bool stop = item.close_after;
    backlog.push_back(std::move(item));
    if (stop) {
      StopReading();
      eof = true;  // read nothing more from this peer
      framer.Rebase(0);
      in.Consume(in.size());
      in.ShrinkIfIdle(0);
      return;
    }
  }
  size_t consumed = framer.Consumed();
  in.Consume(consumed);
  framer.Rebase(consumed);
  if (in.size() == 0) {
    partial_since_ms = 0;
  } else if (partial_since_ms == 0 || consumed > 0) {
    partial_since_ms = NowMillis();  // a new incomplete text
  }
  in.ShrinkIfIdle(kKeptBufferBytes);
  if (backlog.size() >= srv.options_.max_parsed_backlog && reading) {
    StopReading();
    paused = true;
    paused_since_ms = NowMillis();
  }
}

void Connection::SettleJob(bool need_end) {
  if (!inflight || !job) return;
  JobState s = job->state.load(std::memory_order_acquire);
  for (;;) {
    if (s == JobState::kDone) {  // the worker has let go of the job
      job->texts.clear();        // the small ones the worker handed back
      job->state.store(JobState::kIdle, std::memory_order_relaxed);
      job->self.reset();
      inflight = false;
      return;
    }
    if (!need_end || s != JobState::kRunning) return;
    if (job->state.compare_exchange_weak(s, JobState::kNeedLoop,
                                         std::memory_order_acq_rel,
                                         std::memory_order_acquire)) {
      return;
    }
  }
}

void Connection::Pump() {
  Server& srv = *server;
  SettleJob(!backlog.empty() || eof || close_after_flush || closing);
  rpc::CallerInfo loop_caller = caller;
  loop_caller.on_loop = true;
  for (;;) {
    // Nothing new starts while the client's unsent replies pass the cap
    // (OnWrite pumps again once they drain); a client that stays over it is
    // disconnected by the tick after server.timeout_seconds.
    while (!inflight && !closing && !backlog.empty() &&
           PendingReplyBytes() <= srv.options_.max_pending_reply_bytes) {
      PendingText& front = backlog.front();
      bool on_loop = front.parsed != nullptr &&
                     (!front.rejected.ok() || front.parsed->RunsOnLoop());
      bool done = false;
      if (!front.rejected.ok()) {
        srv.Reject(*front.parsed, front.rejected, caller, &out);
        done = true;
      } else if (on_loop) {
        // Control methods, or an inline method whose locks were free; false
        // when it would have had to wait: then it goes to the pool.
        done = rpc::ExecuteText(*front.parsed, loop_caller, srv.hooks_.execute,
                                &out);
      }
      if (!done) {
        inflight = true;
        srv.job_ready_.push_back(id);
        break;
      }
      srv.stats_.requests_served.fetch_add(front.parsed->RequestCount(),
                                           std::memory_order_relaxed);
      if (front.close_after) close_after_flush = true;
      backlog.pop_front();
    }
    Flush();
    // A flush that wrote everything at once made room without an OnWrite
    // to pump again: go on here.
    if (inflight || closing || backlog.empty() ||
        PendingReplyBytes() > srv.options_.max_pending_reply_bytes) {
      break;
    }
  }
  AfterOutput();
}

void Connection::Flush() {
  if (write_active || out.empty() || closing) return;
  auto* stream = reinterpret_cast<uv_stream_t*>(&handle);
  uv_buf_t buf = uv_buf_init(out.data(), static_cast<unsigned>(out.size()));
  int n = uv_try_write(stream, &buf, 1);
  if (n > 0) {
    server->stats_.bytes_out.fetch_add(static_cast<uint64_t>(n),
                                       std::memory_order_relaxed);
    if (static_cast<size_t>(n) == out.size()) {
      out.clear();
      if (out.capacity() > kKeptBufferBytes) std::string().swap(out);
      return;
    }
    out.erase(0, static_cast<size_t>(n));
  } else if (n != UV_EAGAIN) {
    Close();
    return;
  }
  auto* req = new WriteReq;
  req->data.swap(out);
  req->conn = this;
  req->req.data = req;
  writing_bytes = req->data.size();
  write_active = true;
  uv_buf_t wbuf =
      uv_buf_init(req->data.data(), static_cast<unsigned>(req->data.size()));
  int rc = uv_write(&req->req, stream, &wbuf, 1, OnWrite);
  if (rc != 0) {
    write_active = false;
    writing_bytes = 0;
    delete req;
    Close();
  }
}

void Connection::OnWrite(uv_write_t* r, int status) {
  auto* req = static_cast<WriteReq*>(r->data);
  Connection* conn = req->conn;
  size_t bytes = req->data.size();
  delete req;
  conn->write_active = false;
  conn->writing_bytes = 0;
  if (status < 0) {
    conn->Close();
    return;
  }
  conn->server->stats_.bytes_out.fetch_add(bytes, std::memory_order_relaxed);
  conn->last_active_ms = NowMillis();
  conn->Flush();
  conn->AfterOutput();
  if (!conn->closing && !conn->inflight && !conn->backlog.empty() &&
      conn->PendingReplyBytes() <=
          conn->server->options_.max_pending_reply_bytes) {
    conn->Pump();  // texts held back by the reply cap
  }
}

void Connection::AfterOutput() {
  if (closing) return;
  const ServerOptions& opt = server->options_;
  size_t pending = PendingReplyBytes();
  if (pending > opt.max_pending_reply_bytes) {
    // Paused even when not reading any more (a half-closed client), so the
    // tick's stall check drops a client that never reads its replies.
    if (!paused) {
      StopReading();
      paused = true;
      paused_since_ms = NowMillis();
    }
  } else if (paused && pending <= opt.max_pending_reply_bytes / 2 &&
             backlog.size() < opt.max_parsed_backlog / 2) {
    if (server->phase_ == Server::Phase::kRunning) StartReading();
    paused = false;
  }
  bool drained = !write_active && out.empty() && Idle();
  if (drained && (eof || close_after_flush)) Close();
}

void Connection::Close() {
  if (closing) return;
  SettleJob(true);  // a job still in flight holds `self` until it ends
  closing = true;
  if (job) {
    job->cancelled.store(true, std::memory_order_relaxed);
    // The job's duplicate keeps the socket open past uv_close: shut it
    // down now, so the peer sees the close at once and a worker's late
    // send fails (EPIPE) instead of reaching a client we dropped.
    if (job->fd >= 0) shutdown(job->fd, SHUT_RDWR);
  }
  StopReading();
  server->connections_.erase(id);
  server->stats_.connections_open.fetch_sub(1, std::memory_order_relaxed);
  if (server->hooks_.on_disconnect) server->hooks_.on_disconnect(id);
  uv_close(reinterpret_cast<uv_handle_t*>(&handle), OnClose);
}

void Connection::OnClose(uv_handle_t* h) {
  auto* conn = static_cast<Connection*>(h->data);
  Server* srv = conn->server;
  delete conn;
  if (srv->phase_ == Server::Phase::kClosing) srv->MaybeFinishShutdown(false);
}

}  // namespace goxel::server
