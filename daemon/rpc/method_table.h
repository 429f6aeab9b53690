// MethodTable: the one registry of JSON-RPC methods.
//
// Each row names a method, documents its params and result (read by
// list_methods and the client's help), says where it runs (kControl: on the
// loop thread; kPooled: on a worker) and whether it edits state, and holds
// the handler. Dispatch, list_methods and the docs all read this table.
//
// Thread contract: built single-threaded at start-up (Add, AddAlias); after
// that only const methods are called, from any thread.
#ifndef GOXEL_RPC_METHOD_TABLE_H_
#define GOXEL_RPC_METHOD_TABLE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "rpc/params.h"
#include "rpc/result_stream.h"

namespace goxel::rpc {

enum MethodFlags : uint32_t {
  kControl = 1u << 0,    // cheap; runs on the loop thread
  kPooled = 1u << 1,     // runs on a worker thread
  kReadOnly = 1u << 2,   // never changes state
  kMutating = 1u << 3,   // edits state (memory limits apply)
  kAllocates = 1u << 4,  // may allocate much (edits, imports): memory limit
  // A pooled method cheap enough to run on the loop thread when the
  // connection has nothing in flight and its locks are free: the handler
  // only try-locks there (CallerInfo::on_loop) and returns kWouldBlock
  // instead of waiting, and the request then goes to the pool. Saves the
  // two thread wake-ups of a pool round trip on point edits and queries.
  // The rule: a method is kInline only if its cost on the loop is bounded
  // by a constant independent of the model's size (voxels, blocks, undo
  // history): a point read or write (one trie path, one block), never a
  // scan, a batch or a file. Work that would grow with the model (freeing
  // retired history) is left to a worker or answered with kWouldBlock.
  // methods/README.md lists the kInline methods; a test keeps that list.
  kInline = 1u << 5,
  // A control method that touches loop-owned state (the live config): it
  // runs only on the loop thread. Inside a batch that goes to a worker it
  // is answered with an error instead of racing the loop.
  kLoopOnly = 1u << 6,
  // An admin method (config changes, shutdown, debug): only the daemon's
  // own uid, root and security.admin_group may call it
  // (ExecuteHooks::admit_admin).
  kAdmin = 1u << 7,
};

// Who is calling: filled by the server for each request.
struct CallerInfo {
  uint64_t connection_id = 0;
  int64_t peer_pid = -1;
  int64_t peer_uid = -1;
  int64_t peer_gid = -1;
  // Time the request waited in the pool's queue (0 on the loop thread).
  uint64_t queue_wait_nanos = 0;
  // Running on the loop thread: kInline handlers must not wait for locks.
  bool on_loop = false;
};

// One call in progress: the params, where to put the result, and the
// allocator the result's JSON values must use.
class Call {
 public:
  Call(const Params& params, JsonAllocator& alloc, const CallerInfo& caller)
      : params_(params), alloc_(alloc), caller_(caller) {}
  const Params& params() const { return params_; }
  JsonAllocator& alloc() { return alloc_; }
  const CallerInfo& caller() const { return caller_; }
  // The result value; starts as null. Handlers set it (usually an object).
  JsonValue& result() { return result_; }
  // Or: the result as a stream of JSON text (rpc/result_stream.h), for
  // large results. The envelope streams it to a single request's client,
  // or drains it whole into a batch's reply. result() is then ignored.
  void SetStream(std::unique_ptr<ResultStream> stream) {
    stream_ = std::move(stream);
  }
  std::unique_ptr<ResultStream>& stream() { return stream_; }

 private:
  const Params& params_;
  JsonAllocator& alloc_;
  const CallerInfo& caller_;
  JsonValue result_;
  std::unique_ptr<ResultStream> stream_;
};

using Handler = std::function<Status(Call& call)>;

struct MethodSpec {
  std::string name;
  std::string description;
  std::vector<ParamSpec> params;  // positional order
  std::string result;             // what the result holds
  uint32_t flags = kPooled;
  Handler handler;
  // When true, a positional array is passed through as is (echo); otherwise
  // an array longer than `params` is an error, and so is a named param
  // that no row names (Params::CheckNames).
  bool accepts_any_params = false;
  // Keys v14's own clients send that this method accepts and ignores
  // (docs/API.md lists them); any other unknown name is an error.
  std::vector<std::string> ignored = {};
  // Example params (JSON texts), shown in docs/API.md; a test checks that
  // each validates against the params schema and runs.
  std::vector<std::string> examples = {};
};

class MethodTable {
 public:
  // Adds a method. Fails if the name is taken or the spec is incomplete.
  Status Add(MethodSpec spec);
  // Makes `alias` call `target` (which must exist); list_methods shows it.
  Status AddAlias(std::string alias, std::string_view target);
  // Removes a method if present (for optional features turned off).
  void Remove(std::string_view name);

  // nullptr when unknown.
  const MethodSpec* Find(std::string_view name) const;
  // Every method in registration order.
  std::vector<const MethodSpec*> All() const;
  size_t size() const { return specs_.size(); }

 private:
  // Open addressing over a power-of-two array, rebuilt by Add and Remove
  // (set-up only): a lookup is one FNV-1a pass over the name, a mask and
  // usually one compare, where std::unordered_map hashed with murmur, took
  // a modulo and walked a bucket list (about 200 instructions a request).
  static uint64_t HashName(std::string_view name);
  void Rebuild();
  std::vector<std::unique_ptr<MethodSpec>> specs_;
  std::vector<const MethodSpec*> slots_;  // null: empty
};

}  // namespace goxel::rpc

#endif  // GOXEL_RPC_METHOD_TABLE_H_
