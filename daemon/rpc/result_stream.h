// ResultStream: a method's result produced as JSON text in parts instead of
// a JsonValue built whole (large pages of voxels).
//
// A handler that has its whole answer ready (the scan done, the page kept
// in a compact form) but whose JSON would be large hands the envelope a
// ResultStream (Call::SetStream) instead of setting Call::result(). Each
// Next() appends about `max_bytes` more of the result's compact JSON text;
// the concatenation of all parts is one JSON value, byte for byte what the
// DOM result would have written (same keys, same order).
//
// Contract for implementers:
// - Next() does work bounded by max_bytes (plus one item): the unbounded
//   part (scanning the model) is done before the stream is made, on the
//   worker that ran the handler. So Next() may run on the loop thread.
// - The stream owns everything it reads (no project lock, no reference to
//   the Workspace); it may outlive the request by a long time (a slow
//   reader) and is destroyed on whichever thread drops it.
// - Memory it holds is reserved in the read budget (methods/read_budget.h)
//   for its whole life, and released by its destructor.
//
// Thread contract: one thread at a time (handed off with the job).
#ifndef GOXEL_RPC_RESULT_STREAM_H_
#define GOXEL_RPC_RESULT_STREAM_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace goxel::rpc {

// The size of the parts the server asks for, and the most unsent reply
// bytes under which it asks for another: a streamed reply keeps at most
// about 2 * kStreamChunkBytes of text in memory at a time.
inline constexpr size_t kStreamChunkBytes = 64 * 1024;

class ResultStream {
 public:
  ResultStream();
  virtual ~ResultStream();
  ResultStream(const ResultStream&) = delete;
  ResultStream& operator=(const ResultStream&) = delete;

  // Appends the next part (about max_bytes, never empty before the end) of
  // the result's JSON text to `out`; true once the value is complete (the
  // stream is then not called again).
  virtual bool Next(std::string* out, size_t max_bytes) = 0;
};

// Result streams alive now (daemon-wide; debug.read_memory shows it).
uint64_t LiveResultStreams();

// An output stream for RapidJSON's Writer appending to a std::string that
// can be changed between writes, so that one Writer (and its nesting
// state) writes a value across many Next() calls.
class StringSink {
 public:
  using Ch = char;
  void Target(std::string* s) { s_ = s; }
  void Put(char c) { s_->push_back(c); }
  void Flush() {}

 private:
  std::string* s_ = nullptr;
};

}  // namespace goxel::rpc

#endif  // GOXEL_RPC_RESULT_STREAM_H_
