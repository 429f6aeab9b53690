// JSON-RPC 2.0 envelopes: one JSON text in, replies out.
//
// ParseRequestText() parses one framed text with RapidJSON's Reader, in
// situ, strictly (RFC 8259, UTF-8 validated, lone surrogate escapes and
// numbers out of double range refused, nesting up to kMaxDepth) into the
// ParsedText's Document, then checks each request's envelope in that
// Document: a single request or a batch, ids (numbers, strings, null; echoed
// as sent), "jsonrpc":"2.0", a string method found in the MethodTable,
// params absent, an object or an array. Problems become per-request errors,
// never a dropped request.
//
// ExecuteText() runs the requests of a parsed text in order and appends the
// replies: one compact JSON text plus "\n" for a single request, one array
// for a batch, nothing for notifications (never answered, even on error)
// or for a batch of notifications only.
//
// Thread contract: a ParsedText is owned by one thread at a time; it may be
// parsed on the loop thread and executed on a worker. Stateless functions.
#ifndef GOXEL_RPC_ENVELOPE_H_
#define GOXEL_RPC_ENVELOPE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "rpc/json.h"
#include "rpc/method_table.h"
#include "rpc/result_stream.h"

namespace goxel::rpc {

// Nesting the parser accepts, as the framer (FramerLimits::max_depth).
inline constexpr int kMaxDepth = 128;

struct RequestItem {
  const MethodSpec* method = nullptr;  // null when the envelope is invalid
  const JsonValue* id = nullptr;       // null when absent or unreadable
  const JsonValue* params = nullptr;   // null when absent
  std::string raw_id;  // the id's text as sent (numbers, strings), or empty
  bool notification = false;
  Status error;  // envelope error: invalid request, method not found
};

struct ParsedText {
  ParsedText();
  // `doc` points at `allocator`, which points at `arena`: not movable.
  ParsedText(const ParsedText&) = delete;
  ParsedText& operator=(const ParsedText&) = delete;

  std::string
      buffer;  // the text (NUL-padded), parsed in situ: strings live here
  // The DOM of small requests lives in the arena inside this object, so
  // parsing them allocates no DOM; larger ones add chunks.
  static constexpr size_t kArenaBytes = 1024;
  alignas(8) char arena[kArenaBytes];
  JsonAllocator allocator;
  JsonDocument doc;  // the parsed text; uses `allocator`
  bool batch = false;
  Status text_error;  // parse error or empty batch: one reply, id null
  std::vector<RequestItem> items;

  // True when every request can run on the loop thread (control methods
  // and envelope errors only).
  bool AllControl() const;
  // AllControl(), or a single (non-batch) kInline request: worth trying on
  // the loop thread with an on_loop caller.
  bool RunsOnLoop() const;
  // Number of requests (1 for a text error).
  size_t RequestCount() const { return items.empty() ? 1 : items.size(); }
};

using ParsedTextPtr = std::unique_ptr<ParsedText>;

// A new, empty ParsedText.
ParsedTextPtr NewParsedText();

// True when `text` is small (a few kB): cheap to destroy on any thread,
// best on the one that allocated it.
bool ReusableParsedText(const ParsedText& text);

// Bytes the parser appends to a text it parses in place (NUL padding).
inline constexpr size_t kParsePadding = 3;

ParsedTextPtr ParseRequestText(std::string_view text, const MethodTable& table);
// The same, taking over the text's storage instead of copying it (for
// large texts the server already holds in their own string). Reserve
// kParsePadding bytes past the text, or the padding copies it.
ParsedTextPtr ParseOwnedRequestText(std::string text, const MethodTable& table);

// Per-request hooks for the server: admission (rate and memory limits) and
// observation (metrics, logs). Both optional.
struct ExecuteHooks {
  // Called before a method runs; a non-OK status is returned instead.
  std::function<Status(const MethodSpec& method)> admit;
  // Called before a kAdmin method runs, with who calls it.
  std::function<Status(const MethodSpec& method, const CallerInfo& caller)>
      admit_admin;
  // Called after each request (notifications too) with its outcome; the
  // caller carries the connection, the peer and the queue wait.
  std::function<void(const RequestItem& item, const Status& status,
                     uint64_t run_nanos, const CallerInfo& caller)>
      observe;
};

// The rest of a streamed reply (ExecuteText): the result's parts, then
// `,"id":...}` and "\n". Holds the method's ResultStream (and so its read
// budget reservation) until it is complete or dropped.
class ReplyStream {
 public:
  ReplyStream(std::unique_ptr<ResultStream> result, std::string tail);
  ~ReplyStream();
  ReplyStream(const ReplyStream&) = delete;
  ReplyStream& operator=(const ReplyStream&) = delete;
  // Appends about max_bytes more of the reply to `out`: bounded work (see
  // result_stream.h), so the loop thread may call it. True once the reply
  // is complete, newline included.
  bool Next(std::string* out, size_t max_bytes);

 private:
  std::unique_ptr<ResultStream> result_;
  std::string tail_;
};

// Runs the requests of `text` in order; appends their replies to `out`.
// Returns false, having written and observed nothing, only when
// caller.on_loop is set and a single kInline request found its lock taken
// (kWouldBlock): the caller then runs the text on a worker.
//
// Streamed results (Call::SetStream): when `stream` is given and `text` is
// a single request whose method answered with a stream, only the reply's
// head (`{"jsonrpc":"2.0","result":`) is appended to `out` and the rest is
// returned in *stream, for the caller to send before anything later on the
// connection. Otherwise (a batch, or no `stream`) the result is drained
// whole into `out`: a batch's reply is one JSON array, still bounded by the
// methods' page caps. Either way the bytes are those of the DOM result.
bool ExecuteText(ParsedText& text, const CallerInfo& caller,
                 const ExecuteHooks& hooks, std::string* out,
                 std::unique_ptr<ReplyStream>* stream = nullptr);

// Appends the replies `text` would get if every request failed with
// `status` (a full queue, shutting down): notifications stay unanswered.
void AppendRejection(const ParsedText& text, const Status& status,
                     std::string* out);

// Appends one error reply with id null ("\n"-terminated).
void AppendErrorReply(const Status& status, std::string* out);

}  // namespace goxel::rpc

#endif  // GOXEL_RPC_ENVELOPE_H_
