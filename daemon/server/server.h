// Server: the libuv loop, the Unix-socket acceptor, the connection map, the
// pool hand-off and the completion queue.
//
// One request: Connection reads, frames and parses it on the loop and runs
// it there when it is a control method (or a kInline method whose lock is
// free); otherwise the connection reports JobReady and, in the check phase
// after the iteration's reads, SubmitPendingJobs hands every ready job to
// the pool in one batch. A worker runs the job and JobDone queues it;
// DrainCompletions (woken by uv_async_send, deferred while the pool has more
// queued work, and a 1 ms flush timer while jobs run) gives each job back to
// its connection, which writes the replies. See server/README.md.
//
// Limits: max connections (+ a reserve for control methods), the framer's
// size and depth limits, a bound on unsent replies, idle, partial-request
// and write-stall timeouts.
//
// Shutdown (SIGTERM, SIGINT, RequestShutdown): stop accepting and reading,
// let queued and running jobs finish, flush replies (a client that does not
// read its last replies is waited for at most 2 s), close connections, stop
// the pool, remove the socket file, close the loop. The whole shutdown ends
// within shutdown_timeout_ms (at least the drain's; the flush takes at most
// half of what is left of it).
//
// Thread contract: construct, Start and Run on one thread (the loop
// thread). RequestShutdown and stats() are thread-safe. Start installs the
// pool's batch hook, which points here: shut the pool down (Run does) before
// destroying the Server. The process must ignore SIGPIPE (main.cc does):
// libuv writes to sockets with write(2), and a peer that has gone would
// otherwise kill the process.
#ifndef GOXEL_SERVER_SERVER_H_
#define GOXEL_SERVER_SERVER_H_

#include <uv.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/mutex.h"
#include "base/status.h"
#include "pool/thread_pool.h"
#include "rpc/method_table.h"
#include "server/connection.h"
#include "server/options.h"

namespace goxel::server {

class Server final : private JobSink, private ConnectionEvents {
 public:
  Server(ServerOptions options, const rpc::MethodTable* table,
         pool::ThreadPool* pool, ServerHooks hooks);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds (or adopts options.listen_fd), starts listening, installs signal
  // handlers. Refuses a path where a live daemon answers, replaces a stale
  // socket, never removes a path that is not a socket.
  Status Start();
  // Runs the loop until shutdown has completed and the loop is closed.
  Status Run();
  // Begins the graceful shutdown. Thread-safe.
  void RequestShutdown();

  // Changes the limits that may change while running (goxel.set_config,
  // SIGHUP reload): the request size limit (for connections accepted from
  // now on), the bound on unsent replies, the write-stall and shutdown
  // timeouts. Loop thread only.
  void UpdateLimits(size_t max_text_bytes, size_t max_pending_reply_bytes,
                    int64_t write_stall_timeout_ms,
                    int64_t shutdown_timeout_ms);

  // Changes the idle and partial-request timeouts (live keys).
  void UpdateTimeouts(int64_t idle_timeout_ms, int64_t request_timeout_ms) {
    options_.idle_timeout_ms = idle_timeout_ms;
    options_.request_timeout_ms = request_timeout_ms;
  }

  const ServerStats& stats() const { return stats_; }
  const ServerOptions& options() const { return options_; }
  uv_loop_t* loop() { return &loop_; }

 private:
  // Loop-thread internals.
  static void OnConnection(uv_stream_t* listener, int status);
  static void OnAsync(uv_async_t* handle);
  static void OnCheck(uv_check_t* handle);
  static void OnSignal(uv_signal_t* handle, int signum);
  static void OnTick(uv_timer_t* handle);
  static void OnShutdownTimer(uv_timer_t* handle);
  static void OnFlushTimer(uv_timer_t* handle);

  Status BindSocket();
  void Accept();
  void DrainCompletions();
  void SubmitPendingJobs();
  void BeginShutdown();
  void MaybeFinishShutdown(bool deadline_passed);
  void CloseEverything();
  void Log(ops::LogLevel level, std::string_view message,
           std::vector<DetailField> fields = {});

  // ConnectionEvents (loop thread).
  void JobReady(Connection* conn) override;
  void Closing(Connection* conn) override;
  bool PromoteReserve(Connection* conn) override;
  void Freed() override;

  // JobSink: called by workers (and by a pool shutdown's drops) when a job
  // is answered; takes its `self` reference into `completions_`. Wakes the
  // loop, or defers that while the pool has more queued work.
  void JobDone(JobData* job) override;
  // The pool's batch hook: wakes the loop for deferred replies when the
  // queue is empty or they have waited long enough. Any thread.
  void FlushDeferredReplies(bool queue_empty);

  ConnectionEnv ConnEnv();

  ServerOptions options_;
  const rpc::MethodTable* table_;
  pool::ThreadPool* pool_;
  ServerHooks hooks_;
  ServerStats stats_;

  uv_loop_t loop_;
  uv_pipe_t listener_;
  uv_async_t async_;
  uv_check_t check_;
  uv_timer_t tick_;
  uv_timer_t shutdown_timer_;
  uint64_t shutdown_deadline_ns_ = 0;  // BeginShutdown + shutdown_timeout_ms
  static constexpr int64_t kCloseWaitMs = 2000;
  uv_timer_t flush_timer_;  // drains deferred replies while jobs run
  static constexpr uint64_t kFlushTimerMs = 1;
  uv_signal_t signals_[5];
  bool listening_ = false;
  bool loop_closed_ = false;
  bool bound_path_ = false;  // we created the socket file

  uint64_t next_connection_id_ = 1;
  std::unordered_map<uint64_t, Connection*> connections_;
  // Accepted connections by the slot they hold (Connection::Slot).
  size_t regular_open_ = 0;
  size_t reserve_open_ = 0;
  std::vector<uint64_t> job_ready_;  // connections with a job to submit
  // Reused by SubmitPendingJobs and DrainCompletions (no allocation per
  // loop iteration).
  std::vector<uint64_t> ready_scratch_;
  std::vector<pool::Job> jobs_scratch_;
  std::vector<JobData*> datas_scratch_;
  std::vector<std::shared_ptr<JobData>> completed_;

  enum class Phase { kRunning, kDraining, kClosing, kClosed };
  Phase phase_ = Phase::kRunning;
  std::atomic<bool> shutdown_requested_{false};

  // Replies posted without waking the loop, and since when.
  static constexpr uint32_t kMaxDeferredReplies = 32;
  static constexpr uint64_t kMaxDeferNanos = 50000;
  std::atomic<uint32_t> deferred_replies_{0};
  std::atomic<uint64_t> deferred_since_{0};
  Mutex completions_mu_;
  std::vector<std::shared_ptr<JobData>> completions_
      GUARDED_BY(completions_mu_);
};

}  // namespace goxel::server

#endif  // GOXEL_SERVER_SERVER_H_
