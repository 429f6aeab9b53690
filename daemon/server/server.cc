#include "server/server.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "base/clock.h"

namespace goxel::server {

namespace {

std::string ErrnoText(int err) { return std::string(strerror(err)); }

// Is a daemon answering at `path`? (connect succeeds)
bool SocketIsLive(const std::string& path, int* err) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *err = errno;
    return false;
  }
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int rc = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  *err = rc == 0 ? 0 : errno;
  close(fd);
  return rc == 0;
}

}  // namespace

Server::Server(ServerOptions options, const rpc::MethodTable* table,
               pool::ThreadPool* pool, ServerHooks hooks)
    : options_(std::move(options)),
      table_(table),
      pool_(pool),
      hooks_(std::move(hooks)) {
  uv_loop_init(&loop_);
  loop_.data = this;
}

Server::~Server() {
  if (phase_ != Phase::kClosed) {
    // Run() never completed: close what is open so the loop can close.
    uv_walk(
        &loop_,
        [](uv_handle_t* h, void*) {
          if (!uv_is_closing(h)) uv_close(h, nullptr);
        },
        nullptr);
    uv_run(&loop_, UV_RUN_DEFAULT);
  }
  if (!loop_closed_) uv_loop_close(&loop_);
}

void Server::Log(ops::LogLevel level, std::string_view message,
                 std::vector<DetailField> fields) {
  if (hooks_.log) hooks_.log(level, message, fields);
}

Status Server::BindSocket() {
  const std::string& path = options_.socket_path;
  if (path.empty() || path.size() >= sizeof(sockaddr_un{}.sun_path)) {
    return Status::InvalidParams(
               "socket path is empty or longer than " +
               std::to_string(sizeof(sockaddr_un{}.sun_path) - 1) + " bytes")
        .With("socket", path);
  }
  struct stat st;
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return Status::ServerError(path +
                                 " exists and is not a socket; refusing to "
                                 "remove it (move it away or choose another "
                                 "--socket)")
          .With("socket", path);
    }
    int err = 0;
    if (SocketIsLive(path, &err)) {
      return Status::ServerError("another daemon is already serving " + path +
                                 " (stop it first, or choose another --socket)")
          .With("socket", path);
    }
    if (err != ECONNREFUSED && err != ENOENT) {
      return Status::ServerError("cannot probe existing socket " + path + ": " +
                                 ErrnoText(err))
          .With("socket", path);
    }
    if (unlink(path.c_str()) != 0 && errno != ENOENT) {
      return Status::ServerError("cannot remove stale socket " + path + ": " +
                                 ErrnoText(errno))
          .With("socket", path);
    }
    Log(ops::LogLevel::kInfo, "replaced stale socket", {{"socket", path}});
  }
  mode_t old_mask = umask(~options_.socket_mode & 0777);
  int rc = uv_pipe_bind(&listener_, path.c_str());
  umask(old_mask);
  if (rc != 0) {
    return Status::ServerError("cannot bind " + path + ": " + uv_strerror(rc))
        .With("socket", path);
  }
  bound_path_ = true;
  if (chmod(path.c_str(), options_.socket_mode) != 0) {
    return Status::ServerError("cannot chmod " + path + ": " + ErrnoText(errno))
        .With("socket", path);
  }
  if (options_.socket_gid >= 0 &&
      chown(path.c_str(), static_cast<uid_t>(-1),
            static_cast<gid_t>(options_.socket_gid)) != 0) {
    return Status::ServerError("cannot give " + path + " to group " +
                               std::to_string(options_.socket_gid) + ": " +
                               ErrnoText(errno))
        .With("socket", path);
  }
  return Status::Ok();
}

Status Server::Start() {
  uv_pipe_init(&loop_, &listener_, 0);
  listener_.data = this;
  Status s;
  if (options_.listen_fd >= 0) {
    int rc = uv_pipe_open(&listener_, options_.listen_fd);
    if (rc != 0) {
      s = Status::ServerError(std::string("cannot use the inherited socket: ") +
                              uv_strerror(rc))
              .With("fd", static_cast<int64_t>(options_.listen_fd));
    }
  } else {
    s = BindSocket();
  }
  if (s.ok()) {
    int rc = uv_listen(reinterpret_cast<uv_stream_t*>(&listener_),
                       options_.backlog, OnConnection);
    if (rc != 0) {
      s = Status::ServerError(std::string("cannot listen: ") + uv_strerror(rc))
              .With("socket", options_.socket_path);
    }
  }
  if (!s.ok()) {
    uv_close(reinterpret_cast<uv_handle_t*>(&listener_), nullptr);
    if (bound_path_) unlink(options_.socket_path.c_str());
    bound_path_ = false;
    uv_run(&loop_, UV_RUN_NOWAIT);
    phase_ = Phase::kClosed;
    return s;
  }
  listening_ = true;

  pool_->SetBatchHook(
      [this](bool queue_empty) { FlushDeferredReplies(queue_empty); });
  uv_async_init(&loop_, &async_, OnAsync);
  async_.data = this;
  uv_check_init(&loop_, &check_);
  check_.data = this;
  uv_check_start(&check_, OnCheck);
  uv_timer_init(&loop_, &tick_);
  tick_.data = this;
  uv_timer_start(&tick_, OnTick, options_.tick_interval_ms,
                 options_.tick_interval_ms);
  uv_timer_init(&loop_, &shutdown_timer_);
  shutdown_timer_.data = this;
  uv_timer_init(&loop_, &flush_timer_);
  flush_timer_.data = this;
  const int kSignals[] = {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2};
  for (int i = 0; i < 5; ++i) {
    uv_signal_init(&loop_, &signals_[i]);
    signals_[i].data = this;
    uv_signal_start(&signals_[i], OnSignal, kSignals[i]);
  }
  return Status::Ok();
}

Status Server::Run() {
  uv_run(&loop_, UV_RUN_DEFAULT);
  if (bound_path_) {
    unlink(options_.socket_path.c_str());
    bound_path_ = false;
  }
  phase_ = Phase::kClosed;
  int rc = uv_loop_close(&loop_);
  loop_closed_ = rc == 0;
  if (rc != 0) {
    return Status::Internal(std::string("event loop did not close: ") +
                            uv_strerror(rc));
  }
  return Status::Ok();
}

void Server::UpdateLimits(size_t max_text_bytes, size_t max_pending_reply_bytes,
                          int64_t write_stall_timeout_ms,
                          int64_t shutdown_timeout_ms) {
  options_.framer.max_text_bytes = max_text_bytes;
  options_.max_pending_reply_bytes = max_pending_reply_bytes;
  options_.write_stall_timeout_ms = write_stall_timeout_ms;
  options_.shutdown_timeout_ms = shutdown_timeout_ms;
}

void Server::OnConnection(uv_stream_t* listener, int status) {
  auto* self = static_cast<Server*>(listener->data);
  if (status < 0) {
    self->Log(ops::LogLevel::kWarning, "accept failed",
              {{"error", std::string(uv_strerror(status))}});
    return;
  }
  self->Accept();
}

ConnectionEnv Server::ConnEnv() {
  return ConnectionEnv{&options_, table_, &hooks_, &stats_, this, this};
}

void Server::Accept() {
  uint64_t id = next_connection_id_++;
  auto* conn = new Connection(ConnEnv(), id);
  if (!conn->Accept(&loop_, reinterpret_cast<uv_stream_t*>(&listener_))) {
    return;  // freed by its close callback
  }
  connections_[id] = conn;
  stats_.connections_open.fetch_add(1, std::memory_order_relaxed);
  // Slots are counted by kind, not by the map's size (which holds reserve
  // and refused connections too): a regular slot freed is a regular slot
  // again, whatever the reserve holds.
  Status refusal;
  Connection::Slot slot = Connection::Slot::kRegular;
  if (regular_open_ >= options_.max_connections) {
    slot = Connection::Slot::kReserve;
    if (reserve_open_ >= options_.reserve_connections) {
      refusal = Status::ServerError("too many connections: the limit is " +
                                    std::to_string(options_.max_connections))
                    .With("max_connections",
                          static_cast<int64_t>(options_.max_connections))
                    .With("reason", std::string("too_many_connections"));
    }
  }
  if (refusal.ok() && hooks_.admit_peer) {
    refusal = hooks_.admit_peer(conn->caller());
  }
  const rpc::CallerInfo& peer = conn->caller();
  if (!refusal.ok()) {
    stats_.connections_rejected.fetch_add(1, std::memory_order_relaxed);
    Log(ops::LogLevel::kWarning, "connection refused",
        {{"connection", static_cast<int64_t>(id)},
         {"peer_uid", peer.peer_uid},
         {"reason", refusal.message()}});
    conn->Refuse(refusal);
    return;
  }
  stats_.connections_accepted.fetch_add(1, std::memory_order_relaxed);
  conn->SetSlot(slot);
  ++(slot == Connection::Slot::kRegular ? regular_open_ : reserve_open_);
  Log(ops::LogLevel::kDebug, "connection accepted",
      {{"connection", static_cast<int64_t>(id)},
       {"peer_pid", peer.peer_pid},
       {"peer_uid", peer.peer_uid},
       {"peer_gid", peer.peer_gid}});
  conn->StartReading();
}

void Server::JobReady(Connection* conn) { job_ready_.push_back(conn->id()); }

bool Server::PromoteReserve(Connection* conn) {
  if (regular_open_ >= options_.max_connections) return false;
  --reserve_open_;
  ++regular_open_;
  conn->SetSlot(Connection::Slot::kRegular);
  return true;
}

void Server::Closing(Connection* conn) {
  if (conn->slot() == Connection::Slot::kRegular) --regular_open_;
  if (conn->slot() == Connection::Slot::kReserve) --reserve_open_;
  conn->SetSlot(Connection::Slot::kNone);
  connections_.erase(conn->id());
  stats_.connections_open.fetch_sub(1, std::memory_order_relaxed);
  if (hooks_.on_disconnect) hooks_.on_disconnect(conn->id());
}

void Server::Freed() {
  if (phase_ == Phase::kClosing) MaybeFinishShutdown(false);
}

void Server::JobDone(JobData* job) {
  {
    // The last touch of `job` on the worker: the loop may reuse it at once.
    MutexLock lock(&completions_mu_);
    completions_.push_back(std::move(job->self));
  }
  // While the pool has more queued work, the loop is not woken for each
  // reply: the replies go out together when the queue empties, after
  // kMaxDeferredReplies, or when they have waited kMaxDeferNanos (checked
  // before each job, see FlushDeferredReplies). Fewer wake-ups of the loop,
  // and replies written in bursts. A job that runs long cannot hold them:
  // while jobs are in flight the loop also drains on its flush timer.
  if (pool_->depth() == 0) {
    deferred_replies_.store(0, std::memory_order_relaxed);
    uv_async_send(&async_);  // coalesced by libuv
    return;
  }
  uint32_t n = deferred_replies_.fetch_add(1, std::memory_order_acq_rel);
  if (n == 0) {
    deferred_since_.store(MonotonicNanos(), std::memory_order_relaxed);
  } else if (n + 1 >= kMaxDeferredReplies) {
    deferred_replies_.store(0, std::memory_order_relaxed);
    uv_async_send(&async_);
  }
}

void Server::FlushDeferredReplies(bool queue_empty) {
  if (deferred_replies_.load(std::memory_order_relaxed) == 0) return;
  if (!queue_empty &&
      MonotonicNanos() - deferred_since_.load(std::memory_order_relaxed) <
          kMaxDeferNanos) {
    return;
  }
  if (deferred_replies_.exchange(0, std::memory_order_acq_rel) != 0)
    uv_async_send(&async_);
}

void Server::RequestShutdown() {
  shutdown_requested_.store(true, std::memory_order_release);
  uv_async_send(&async_);
}

void Server::OnAsync(uv_async_t* handle) {
  auto* self = static_cast<Server*>(handle->data);
  self->DrainCompletions();
  if (self->shutdown_requested_.exchange(false) &&
      self->phase_ == Phase::kRunning) {
    self->BeginShutdown();
  }
}

void Server::DrainCompletions() {
  {
    MutexLock lock(&completions_mu_);
    completed_.swap(completions_);  // both keep their capacity
  }
  for (const std::shared_ptr<JobData>& job : completed_) {
    stats_.requests_served.fetch_add(job->requests, std::memory_order_relaxed);
    auto it = connections_.find(job->connection_id);
    if (it != connections_.end()) it->second->FinishJob();
    job->Reset();
  }
  completed_.clear();  // frees the jobs of connections that have gone
  if (phase_ == Phase::kDraining) MaybeFinishShutdown(false);
}

void Server::OnCheck(uv_check_t* handle) {
  auto* self = static_cast<Server*>(handle->data);
  self->stats_.loop_iterations.fetch_add(1, std::memory_order_relaxed);
  if (!self->job_ready_.empty()) self->SubmitPendingJobs();
  // The flush timer runs while the pool has work, so deferred replies wait
  // at most kFlushTimerMs even behind a long job.
  const bool pool_busy = self->pool_->busy() > 0 || self->pool_->depth() > 0;
  const bool timer_on =
      uv_is_active(reinterpret_cast<uv_handle_t*>(&self->flush_timer_));
  if (pool_busy && !timer_on && self->phase_ != Phase::kClosing) {
    uv_timer_start(&self->flush_timer_, OnFlushTimer, kFlushTimerMs,
                   kFlushTimerMs);
  } else if (!pool_busy && timer_on) {
    uv_timer_stop(&self->flush_timer_);
  }
}

void Server::OnFlushTimer(uv_timer_t* handle) {
  static_cast<Server*>(handle->data)->DrainCompletions();
}

void Server::SubmitPendingJobs() {
  while (!job_ready_.empty()) {
    ready_scratch_.swap(job_ready_);
    std::vector<pool::Job>& jobs = jobs_scratch_;
    std::vector<JobData*>& datas = datas_scratch_;
    const uint64_t now = MonotonicNanos();
    // A direct reply only for a job that runs alone (job_data.h).
    const bool alone =
        ready_scratch_.size() == 1 && pool_->depth() == 0 && pool_->busy() == 0;
    for (uint64_t id : ready_scratch_) {
      auto it = connections_.find(id);
      if (it == connections_.end()) continue;
      JobData* data = it->second->TakeJob(now, alone);
      pool::Job job;
      job.urgent = data->ReadOnly();
      job.run = [data] { data->Run(); };  // a pointer: no allocation
      job.drop = [data] { data->Drop(); };
      jobs.push_back(std::move(job));
      datas.push_back(data);
    }
    ready_scratch_.clear();
    size_t taken = pool_->SubmitBatch(&jobs);
    for (size_t i = taken; i < datas.size(); ++i) {
      std::shared_ptr<JobData> keep = std::move(datas[i]->self);
      auto it = connections_.find(datas[i]->connection_id);
      if (it == connections_.end()) continue;
      it->second->RefuseJob(
          phase_ == Phase::kRunning
              ? Status::ServerError("server busy: the request queue is full; "
                                    "retry later")
                    .With("queue_size", static_cast<int64_t>(pool_->capacity()))
                    .With("retry_after_ms", options_.retry_after_ms)
              : Status::ServerError("server is shutting down"));
    }
    jobs.clear();
    datas.clear();
  }
  if (phase_ == Phase::kDraining) MaybeFinishShutdown(false);
}

void Server::OnSignal(uv_signal_t* handle, int signum) {
  auto* self = static_cast<Server*>(handle->data);
  switch (signum) {
    case SIGTERM:
    case SIGINT:
      self->Log(
          ops::LogLevel::kInfo, "shutdown requested by signal",
          {{"signal", std::string(signum == SIGTERM ? "SIGTERM" : "SIGINT")}});
      if (self->phase_ == Phase::kRunning) self->BeginShutdown();
      break;
    case SIGHUP:
      if (self->hooks_.on_reload) self->hooks_.on_reload();
      break;
    case SIGUSR1:
      if (self->hooks_.on_status_signal) self->hooks_.on_status_signal();
      break;
    default:
      break;
  }
}

void Server::OnTick(uv_timer_t* handle) {
  auto* self = static_cast<Server*>(handle->data);
  uint64_t now_ms = MonotonicNanos() / 1000000;
  // Clients that do not read their replies, idle connections, and requests
  // left half-sent (slowloris). Collected first: Close edits the map.
  struct Expiry {
    Connection* conn;
    const char* why;
    bool stalled;
  };
  std::vector<Expiry> expired;
  for (auto& [id, conn] : self->connections_) {
    bool stalled = false;
    if (const char* why = conn->Expired(now_ms, &stalled))
      expired.push_back({conn, why, stalled});
  }
  for (const Expiry& e : expired) {
    if (e.stalled) {
      self->Log(ops::LogLevel::kWarning,
                "closing a connection that does not read its replies",
                {{"connection", static_cast<int64_t>(e.conn->id())},
                 {"pending_reply_bytes",
                  static_cast<int64_t>(e.conn->PendingReplyBytes())}});
    } else {
      self->Log(ops::LogLevel::kInfo,
                std::string("closing a connection: ") + e.why,
                {{"connection", static_cast<int64_t>(e.conn->id())}});
    }
    e.conn->Close();
  }
  if (self->hooks_.on_tick) self->hooks_.on_tick();
}

void Server::BeginShutdown() {
  phase_ = Phase::kDraining;
  if (hooks_.on_stopping) hooks_.on_stopping();
  if (listening_) {
    uv_close(reinterpret_cast<uv_handle_t*>(&listener_), nullptr);
    listening_ = false;
  }
  for (auto& [id, conn] : connections_) conn->BeginDrain();
  shutdown_deadline_ns_ =
      MonotonicNanos() +
      static_cast<uint64_t>(options_.shutdown_timeout_ms) * 1000000;
  uv_timer_start(&shutdown_timer_, OnShutdownTimer,
                 static_cast<uint64_t>(options_.shutdown_timeout_ms), 0);
  MaybeFinishShutdown(false);
}

void Server::OnShutdownTimer(uv_timer_t* handle) {
  auto* self = static_cast<Server*>(handle->data);
  if (self->phase_ == Phase::kDraining) {
    self->Log(ops::LogLevel::kWarning,
              "shutdown timeout: dropping requests still queued");
    self->MaybeFinishShutdown(true);
  } else if (self->phase_ == Phase::kClosing) {
    // Clients that do not read their last replies are not waited for.
    std::vector<Connection*> all;
    for (auto& [id, conn] : self->connections_) all.push_back(conn);
    for (Connection* conn : all) conn->Close();
  }
}

void Server::MaybeFinishShutdown(bool deadline_passed) {
  if (phase_ == Phase::kDraining) {
    if (!deadline_passed) {
      for (auto& [id, conn] : connections_) {
        if (conn->Unanswered()) return;
      }
    }
    phase_ = Phase::kClosing;
    // Nothing is queued unless the deadline passed; queued jobs are then
    // dropped (answered "shutting down") and running ones finish.
    // What is left of the shutdown bound (jobs of clients that have gone
    // may still be queued or running; they were cancelled when their
    // connection closed and end at their next text).
    int64_t left =
        deadline_passed
            ? 0
            : static_cast<int64_t>(uv_timer_get_due_in(&shutdown_timer_));
    pool_->Shutdown(left);
    DrainCompletions();
    if (!job_ready_.empty()) SubmitPendingJobs();  // answers "shutting down"
    std::vector<Connection*> all;
    for (auto& [id, conn] : connections_) all.push_back(conn);
    for (Connection* conn : all) conn->CloseAfterFlush();
    // Clients that do not read their last replies: waited for at most half
    // of what is left of the shutdown bound, which the daemon's stop guard
    // enforces, so the rest of the stop (final autosave) starts before it.
    const uint64_t now = MonotonicNanos();
    const int64_t left_ms =
        now < shutdown_deadline_ns_
            ? static_cast<int64_t>((shutdown_deadline_ns_ - now) / 1000000)
            : 0;
    uv_timer_start(&shutdown_timer_, OnShutdownTimer,
                   static_cast<uint64_t>(std::min(kCloseWaitMs, left_ms / 2)),
                   0);
  }
  if (phase_ == Phase::kClosing && connections_.empty()) CloseEverything();
}

void Server::CloseEverything() {
  auto close = [](auto* h) {
    auto* handle = reinterpret_cast<uv_handle_t*>(h);
    if (!uv_is_closing(handle)) uv_close(handle, nullptr);
  };
  DrainCompletions();
  close(&async_);
  close(&check_);
  close(&tick_);
  close(&shutdown_timer_);
  close(&flush_timer_);
  for (auto& s : signals_) close(&s);
}

}  // namespace goxel::server
