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
  // Cancels the connection's job in flight when the connection closes.
  std::shared_ptr<std::atomic<bool>> job_cancelled;

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
