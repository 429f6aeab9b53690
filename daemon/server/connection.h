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
  std::unique_ptr<rpc::ParsedText> parsed;
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

// The pool job of one connection. A connection has at most one job in
// flight, so it keeps one JobData for its whole life and reuses it (texts,
// replies buffer): a pooled request costs no allocation here. Workers touch
// only this, never the Connection. While the job is queued or running,
// `self` keeps it alive past its connection's close; the loop drops that
// reference when it takes the completion.
struct JobData {
  Server* server = nullptr;
  uint64_t connection_id = 0;
  rpc::CallerInfo caller;
  std::vector<PendingText> texts;
  std::string out;  // the replies; swapped into the connection's output
  size_t requests = 0;
  uint64_t created_nanos = 0;
  // Set by the loop when the connection closes: nobody will read the rest.
  std::atomic<bool> cancelled{false};
  std::shared_ptr<JobData> self;

  void Run();   // on a worker
  void Drop();  // on the thread shutting the pool down
  // Every request of every text only reads (kReadOnly): such a job may
  // overtake edits when the pool's priority queue is on.
  bool ReadOnly() const;
  // Answers every text with `why` instead of running it.
  void Reject(const Status& why, std::string* to);
};

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
  bool paused = false;  // reading stopped by back-pressure
  uint64_t paused_since_ms = 0;
  bool eof = false;  // the peer finished sending
  bool close_after_flush = false;
  bool closing = false;

  void StartReading();
  void StopReading();
  void HandleInput();
  void Pump();
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
