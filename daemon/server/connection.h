// Connection: one accepted client (server-internal).
//
// Owns the read buffer and framer, the FIFO of texts waiting to run
// (`backlog_`), its pool job (JobData, one in flight at most) and the
// ordered output. Replies are appended to `out_` in request order (answered
// on the loop, or swapped in from the finished job by FinishJob) and
// written by Flush (uv_try_write, then uv_write); the one exception, a
// worker's direct reply of a lone job, is described in job_data.h.
//
// Invariants:
// - At most one job in flight (`inflight_`); while it is, nothing of the
//   backlog runs, so a connection's requests take effect in order.
// - While a streamed reply is being sent (`stream_`) nothing of the backlog
//   starts; its parts are made on the loop (bounded work each) only while
//   the unsent bytes are under rpc::kStreamChunkBytes, and always go out
//   through uv_write so that each part waits for a loop iteration.
// - Nothing starts while the unsent replies pass max_pending_reply_bytes;
//   reading pauses there and resumes once they halve.
// - Freed only in its handle's close callback, after ConnectionEvents::
//   Closing removed it from the server's map.
//
// Thread contract: loop thread only. The job is shared with a worker only
// through the hand-off described in job_data.h.
#ifndef GOXEL_SERVER_CONNECTION_H_
#define GOXEL_SERVER_CONNECTION_H_

#include <uv.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "rpc/framer.h"
#include "server/byte_buffer.h"
#include "server/job_data.h"
#include "server/options.h"

namespace goxel::server {

class Connection;

// What a connection reports to its server.
class ConnectionEvents {
 public:
  // Pump found a text that must run on a worker: submit the job in the
  // check phase (Connection::TakeJob).
  virtual void JobReady(Connection* conn) = 0;
  // Close began: forget the connection (it is freed when its handle
  // closes).
  virtual void Closing(Connection* conn) = 0;
  // The connection's handle closed and the connection was freed.
  virtual void Freed() = 0;

 protected:
  ~ConnectionEvents() = default;
};

// What the server passes to each connection; all outlive it. `options` is
// the server's live copy (UpdateLimits changes it).
struct ConnectionEnv {
  const ServerOptions* options;
  const rpc::MethodTable* table;
  const ServerHooks* hooks;
  ServerStats* stats;
  JobSink* sink;
  ConnectionEvents* events;
};

// The error of a non-control request on a reserve connection.
Status ReserveOnly(size_t max_connections);

class Connection {
 public:
  Connection(const ConnectionEnv& env, uint64_t id);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Accepts the pending client of `listener`; false (the connection is then
  // freed by its close callback) when that failed.
  bool Accept(uv_loop_t* loop, uv_stream_t* listener);
  // Past max_connections: control methods only.
  void SetReserve() { reserve_ = true; }
  // Answers `why` and closes once it is written.
  void Refuse(const Status& why);
  void StartReading();

  // The job of the texts at the front of the backlog, for the pool; sets
  // its `self` and `state`. Called once per JobReady. `alone`: it will be
  // the pool's only work (a direct reply may be allowed, job_data.h).
  JobData* TakeJob(uint64_t now_nanos, bool alone);
  // The job ended (its completion was drained): its replies join the
  // output, texts it did not run go back in front, and the next ones run.
  void FinishJob();
  // The pool refused the job: answer its texts with `why`.
  void RefuseJob(const Status& why);

  // Why the tick should close this connection; nullptr to keep it.
  // `stalled` is set when it is closed for not reading its replies. Settles
  // a job the worker answered directly, so idleness counts from its reply.
  const char* Expired(uint64_t now_ms, bool* stalled);
  // Shutdown began: read nothing more; what was received still runs.
  void BeginDrain();
  // Shutdown: drop what has not started, flush, then close.
  void CloseAfterFlush();
  void Close();

  uint64_t id() const { return id_; }
  const rpc::CallerInfo& caller() const { return caller_; }
  bool Idle() const { return backlog_.empty() && !inflight_ && !stream_; }
  // Requests received and not yet answered (a reply still streaming is
  // answered: shutdown's drain does not wait for its reader).
  bool Unanswered() const { return !backlog_.empty() || inflight_; }
  size_t PendingReplyBytes() const { return out_.size() + writing_bytes_; }

 private:
  void StopReading();
  // With a job in flight: finishes it if its worker answered directly
  // (kDone); otherwise, when `need_end`, asks the worker to post its
  // completion. After this, inflight_ is false or the job's end will reach
  // FinishJob whenever `need_end` was set.
  void SettleJob(bool need_end);
  void HandleInput();
  void Pump();
  void Flush();
  // Appends parts of the streamed reply while the unsent bytes are under
  // rpc::kStreamChunkBytes (bounded work: rpc/result_stream.h).
  void FeedStream();
  void AfterOutput();  // back-pressure, resume, close when done

  static void OnAlloc(uv_handle_t* h, size_t suggested, uv_buf_t* buf);
  static void OnRead(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf);
  static void OnWrite(uv_write_t* req, int status);
  static void OnClose(uv_handle_t* h);

  const ConnectionEnv env_;
  const uint64_t id_;
  uv_pipe_t handle_;
  rpc::CallerInfo caller_;

  ByteBuffer in_;
  rpc::Framer framer_;
  std::deque<PendingText> backlog_;
  bool inflight_ = false;         // a job is queued or running
  std::shared_ptr<JobData> job_;  // created with the first pooled text
  // The rest of a streamed reply being sent (taken from the job): nothing
  // later starts until it is done; dropped on close.
  std::unique_ptr<rpc::ReplyStream> stream_;

  std::string out_;           // replies not yet handed to libuv
  size_t writing_bytes_ = 0;  // bytes in the active uv_write
  bool write_active_ = false;

  bool reading_ = false;
  bool draining_ = false;          // shutdown: never read again
  bool reserve_ = false;           // control methods only
  uint64_t last_active_ms_ = 0;    // last bytes read or written
  uint64_t partial_since_ms_ = 0;  // an incomplete text started (0: none)
  bool paused_ = false;            // reading stopped by back-pressure
  uint64_t paused_since_ms_ = 0;
  bool eof_ = false;  // the peer finished sending
  bool close_after_flush_ = false;
  bool closing_ = false;
};

}  // namespace goxel::server

#endif  // GOXEL_SERVER_CONNECTION_H_
