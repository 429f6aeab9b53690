// Connection: one accepted client (server-internal).
//
// Owns the read buffer and framer, the FIFO of texts waiting to run, and the
// ordered output. At most one pool job per connection is in flight; replies
// are appended in request order. Freed in its handle's close callback.
//
// Thread contract: loop thread only.
#ifndef GOXEL_SERVER_CONNECTION_H_
#define GOXEL_SERVER_CONNECTION_H_

#include <uv.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "rpc/envelope.h"
#include "rpc/framer.h"
#include "server/byte_buffer.h"
#include "server/server.h"

namespace goxel::server {

// A framed text waiting to run: parsed on the loop, or (large texts) kept
// raw and parsed by the worker so the loop stays responsive.
struct PendingText {
  rpc::ParsedTextPtr parsed;
  std::string raw;
  Status rejected;           // answered with this error instead of running
  bool close_after = false;  // close the connection once answered

  // The parsed text, parsing `raw` (taking its storage) the first time.
  rpc::ParsedText& Parse(const rpc::MethodTable& table) {
    if (!parsed) parsed = rpc::ParseOwnedRequestText(std::move(raw), table);
    return *parsed;
  }
};

// An output buffer grown past this is freed once empty, not kept for reuse.
inline constexpr size_t kKeptBufferBytes = 1u << 20;

// How a job in flight ends (JobData::state).
//
// A worker may write a job's replies to the socket itself and finish it
// without waking the loop: the loop wrote nothing to the connection since
// the job was submitted (nothing was pending), and it will not while the job
// is in flight, so the replies keep their order. The loop finds such a job
// finished (kDone) the next time the connection needs it: new input, end of
// input, close, shutdown. When the loop needs the job's end to be reported
// (kNeedLoop), the worker posts a completion as for any other job.
enum class JobState : uint8_t {
  kIdle,      // no job in flight
  kRunning,   // queued or running; the worker may answer directly
  kNeedLoop,  // queued or running; the worker posts a completion
  kDone,      // the worker answered directly; the loop has not seen it
};

// The pool job of one connection. A connection has at most one job in
// flight, so it keeps one JobData for its whole life and reuses it (texts,
// replies buffer): a pooled request costs no allocation here. Workers touch
// only this, never the Connection. While the job is queued or running,
// `self` keeps it alive past its connection's close; the loop drops that
// reference when it takes the completion (posted, or found kDone).
struct JobData {
  JobData() = default;
  JobData(const JobData&) = delete;
  JobData& operator=(const JobData&) = delete;
  ~JobData();

  Server* server = nullptr;
  uint64_t connection_id = 0;
  rpc::CallerInfo caller;
  std::vector<PendingText> texts;
  // Texts not run because `out` passed `reply_cap` (max_pending_reply_mb):
  // the loop puts them back at the front of the backlog, to run once the
  // client has read its replies. Such a job always posts its completion.
  std::vector<PendingText> unrun;
  size_t reply_cap = SIZE_MAX;
  std::string out;  // the replies; swapped into the connection's output
  size_t requests = 0;
  uint64_t created_nanos = 0;
  // Set by the loop when the connection closes: nobody will read the rest.
  std::atomic<bool> cancelled{false};
  std::shared_ptr<JobData> self;
  // The connection's socket, duplicated so that a worker writing to it can
  // never hit a descriptor number the loop closed and reused; -1 when the
  // dup failed (then every job posts its completion).
  int fd = -1;
  std::atomic<JobState> state{JobState::kIdle};

  void Run();  // on a worker
  // On a worker, after Run's texts: writes `out` to the socket when the
  // state allows it. True when the job is finished (kDone) and nothing may
  // touch it any more; false when the completion must be posted.
  bool AnswerDirectly();
  void Drop();  // on the thread shutting the pool down
  // Every request of every text only reads (kReadOnly): such a job may
  // overtake edits when the pool's priority queue is on.
  bool ReadOnly() const;
  // Answers every text with `why` instead of running it.
  void Reject(const Status& why, std::string* to);
};

// The error of a non-control request on a reserve connection.
Status ReserveOnly(const Server& server);

struct Connection {
  Connection(Server* server, uint64_t id, const rpc::FramerLimits& limits)
      : server(server), id(id), framer(limits) {}

  Server* server;
  uint64_t id;
  uv_pipe_t handle;
  rpc::CallerInfo caller;

  ByteBuffer in;
  rpc::Framer framer;
  std::deque<PendingText> backlog;
  bool inflight = false;  // a job is queued or running for this connection
  std::shared_ptr<JobData> job;  // created with the first pooled text

  std::string out;           // replies not yet handed to libuv
  size_t writing_bytes = 0;  // bytes in the active uv_write
  bool write_active = false;

  bool reading = false;
  bool reserve = false;           // past max_connections: control methods only
  uint64_t last_active_ms = 0;    // last bytes read or written
  uint64_t partial_since_ms = 0;  // an incomplete text started (0: none)
  bool paused = false;            // reading stopped by back-pressure
  uint64_t paused_since_ms = 0;
  bool eof = false;  // the peer finished sending
  bool close_after_flush = false;
  bool closing = false;

  void StartReading();
  void StopReading();
  void HandleInput();
  void Pump();
  // With a job in flight: finishes it if a worker answered directly
  // (kDone); otherwise, when `need_end`, asks the worker to post its
  // completion. After this, inflight is false or the job's end will reach
  // DrainCompletions whenever `need_end` was set.
  void SettleJob(bool need_end);
  void Flush();
  void Close();
  void AfterOutput();  // back-pressure, resume, close when done
  size_t PendingReplyBytes() const { return out.size() + writing_bytes; }
  bool Idle() const { return backlog.empty() && !inflight; }

  static void OnAlloc(uv_handle_t* h, size_t suggested, uv_buf_t* buf);
  static void OnRead(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf);
  static void OnWrite(uv_write_t* req, int status);
  static void OnClose(uv_handle_t* h);
};

}  // namespace goxel::server

#endif  // GOXEL_SERVER_CONNECTION_H_
