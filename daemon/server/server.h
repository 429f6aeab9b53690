// Server: the libuv loop, the Unix-socket acceptor, connections, and the
// path of a request from bytes to a worker and back.
//
// Data flow (loop thread unless said otherwise): accept → read into the
// connection's buffer → Framer cuts JSON texts → rpc::ParseRequestText →
// the connection's FIFO of parsed texts → Pump: texts that are only control
// methods run right here when nothing of that connection is in flight;
// otherwise a run of consecutive texts becomes one pool job (one in flight
// per connection, so requests of a connection take effect in order while
// connections run in parallel) → jobs made during one loop iteration are
// handed to the pool together in the check phase → a worker runs them and
// posts the replies to the completion queue with one uv_async_send →
// the loop matches them to their connection by id (replies of a connection
// that has gone are dropped) → ordered write, uv_try_write first.
//
// Limits: max connections (the one over gets one error and is closed), the
// framer's size and depth limits (oversize closes the connection), a bound
// on unsent replies (reading pauses; a client that stays there is dropped).
//
// Shutdown (SIGTERM, SIGINT, RequestShutdown): stop accepting and reading,
// let queued and running jobs finish (bounded by shutdown_timeout_ms),
// flush replies, close connections, stop the pool, remove the socket file,
// close the loop.
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
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/mutex.h"
#include "base/status.h"
#include "pool/thread_pool.h"
#include "rpc/envelope.h"
#include "rpc/framer.h"
#include "rpc/method_table.h"

namespace goxel::server {

struct ServerOptions {
  std::string socket_path = "/tmp/goxel-daemon.sock";
  int listen_fd = -1;  // >= 0: an inherited listening socket
  unsigned socket_mode = 0660;
  int socket_gid = -1;  // >= 0: chown the socket to this group
  int backlog = 128;
  size_t max_connections = 256;
  rpc::FramerLimits framer;  // request size and nesting limits
  size_t max_pending_reply_bytes = 64u << 20;
  int64_t write_stall_timeout_ms = 30000;
  int64_t shutdown_timeout_ms = 10000;
  size_t max_texts_per_job = 256;
  size_t max_parsed_backlog = 1024;  // parsed texts per connection
  int64_t retry_after_ms = 50;       // suggested in "server busy" errors
  int64_t tick_interval_ms = 1000;   // on_tick period
  // A connection with nothing in flight, nothing unsent and no bytes for
  // this long is closed (server.idle_timeout_seconds; 0: never).
  int64_t idle_timeout_ms = 300000;
  // A request whose first bytes came this long ago and is still not
  // complete closes its connection (server.request_timeout_seconds; 0:
  // never): half-sent requests cannot hold connections.
  int64_t request_timeout_ms = 30000;
  // Connections accepted past max_connections, for control methods only
  // (health, status, ping): a supervisor always gets in.
  size_t reserve_connections = 4;
};

enum class LogLevel { kDebug, kInfo, kWarning, kError };

struct ServerHooks {
  // Structured log line (component "server").
  std::function<void(LogLevel, std::string_view message,
                     const std::vector<DetailField>& fields)>
      log;
  // Admission of a new peer (allowed uids/gids); an error is sent and the
  // connection closed.
  std::function<Status(const rpc::CallerInfo& peer)> admit_peer;
  // Per-connection admission of each request text (rate limiting): given
  // the connection id and the number of requests in the text; an error
  // answers every request of the text, the connection stays open.
  std::function<Status(uint64_t connection_id, size_t requests)> admit_text;
  std::function<void(uint64_t connection_id)> on_disconnect;
  // Per-request admission and observation, on whichever thread runs it.
  rpc::ExecuteHooks execute;
  std::function<void()> on_stopping;       // shutdown began
  std::function<void()> on_reload;         // SIGHUP
  std::function<void()> on_status_signal;  // SIGUSR1
  std::function<void()> on_tick;           // every tick_interval_ms
};

// Live figures; atomics, readable from any thread.
struct ServerStats {
  std::atomic<uint64_t> connections_open{0};
  std::atomic<uint64_t> connections_accepted{0};
  std::atomic<uint64_t> connections_rejected{0};
  std::atomic<uint64_t> texts_received{0};
  std::atomic<uint64_t> requests_served{0};
  std::atomic<uint64_t> bytes_in{0};
  std::atomic<uint64_t> bytes_out{0};
  std::atomic<uint64_t> loop_iterations{0};
  // Jobs whose replies a worker wrote to the socket itself (JobState).
  std::atomic<uint64_t> replies_direct{0};
};

struct Connection;
struct JobData;

class Server {
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
  friend struct Connection;
  friend struct JobData;
  // Loop-thread internals (server.cc, connection.cc).
  static void OnConnection(uv_stream_t* listener, int status);
  static void OnAsync(uv_async_t* handle);
  static void OnCheck(uv_check_t* handle);
  static void OnSignal(uv_signal_t* handle, int signum);
  static void OnTick(uv_timer_t* handle);
  static void OnShutdownTimer(uv_timer_t* handle);
  static void OnFlushTimer(uv_timer_t* handle);

  Status BindSocket();
  void Accept();
  void RejectConnection(uv_pipe_t* client, const Status& why);
  void DrainCompletions();
  void SubmitPendingJobs();
  void QueueJob(Connection* conn);
  void BeginShutdown();
  void MaybeFinishShutdown(bool deadline_passed);
  void CloseEverything();
  void Log(LogLevel level, std::string_view message,
           std::vector<DetailField> fields = {});

  // Called by workers (and by a pool shutdown's drops) when `job` is
  // answered; takes its `self` reference. Wakes the loop, or defers that
  // while the pool has more queued work.
  void PostCompletion(JobData* job);
  // Answers every request of `parsed` with `why` (their own envelope error
  // first) and observes each one as run requests are (metrics, logs).
  // Any thread.
  void Reject(const rpc::ParsedText& parsed, const Status& why,
              const rpc::CallerInfo& caller, std::string* out);
  // The pool's batch hook: wakes the loop for deferred replies when the
  // queue is empty or they have waited long enough. Any thread.
  void FlushDeferredReplies(bool queue_empty);

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
  uv_timer_t flush_timer_;  // drains deferred replies while jobs run
  static constexpr uint64_t kFlushTimerMs = 1;
  uv_signal_t signals_[5];
  bool listening_ = false;
  bool loop_closed_ = false;
  bool bound_path_ = false;  // we created the socket file

  uint64_t next_connection_id_ = 1;
  std::unordered_map<uint64_t, Connection*> connections_;
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
