// JsonScan: a fast strict JSON validator, and helpers that walk text it
// accepted without re-checking it.
//
// ValidateJson() checks that a text is exactly one JSON value (RFC 8259,
// strictly: no comments, trailing commas, NaN or leading zeros; control
// characters in strings refused; UTF-8 validated, lone surrogate escapes
// refused), with optional whitespace around it. It builds nothing, recurses
// nowhere and runs several times faster than RapidJSON's reader, which is
// why envelope parsing validates first and builds DOM values only for what
// a request needs, when it needs it (BuildInSitu).
//
// The walking helpers (SkipJsonWs, SkipJsonValue, ReadJsonStringInSitu,
// JsonNumberValue, BuildInSitu) have a precondition: their input lies in a
// text ValidateJson() accepted. They do not check syntax again.
//
// Thread contract: stateless functions; thread-safe on distinct buffers.
#ifndef GOXEL_RPC_JSON_SCAN_H_
#define GOXEL_RPC_JSON_SCAN_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "rpc/json.h"

namespace goxel::rpc {

struct JsonSyntaxError {
  size_t offset = 0;  // byte offset of the problem in the text
  rapidjson::ParseErrorCode code = rapidjson::kParseErrorNone;
};

// Where the containers of a validated text end, recorded by ValidateJson so
// that the walks after it (envelope, raw params) jump over a value instead of
// scanning it again. Containers shorter than kMinBytes are left out (cheap
// to scan, and a text of "[],[],..." would otherwise need a table several
// times its size), and recording stops at a cap; a walker that finds no
// entry scans, so the index only ever saves work, never changes a result.
struct JsonIndex {
  static constexpr size_t kMinBytes = 16;
  static constexpr size_t kMinTextBytes = 512;  // smaller texts: no index
  struct Entry {
    uint32_t open;   // offset of the '{' or '['
    uint32_t close;  // offset of the matching '}' or ']'
    uint32_t next;   // index of the first entry after this container
  };
  std::vector<Entry> entries;  // in text order of `open`
  size_t root_items = 0;       // elements of a top-level array, else 0
};

// SkipJsonValue that jumps over the containers `index` knows. O(1) a
// lookup while lookups go forward through the text; correct in any order.
class JsonSkipper {
 public:
  // `index` (may be null) describes the text that starts at `base`.
  JsonSkipper(const JsonIndex* index, const char* base)
      : index_(index), base_(base) {}
  // p at the first byte of a valid value: returns the byte after it.
  const char* Skip(const char* p, const char* end);

 private:
  const JsonIndex::Entry* Find(size_t offset);

  const JsonIndex* index_;
  const char* base_;
  size_t cursor_ = 0;
};

// True when `text` is one valid JSON value; otherwise false and *error says
// what and where (RapidJSON's error codes, so GetParseError_En applies).
// `index` (optional) receives the container index of a valid text.
bool ValidateJson(std::string_view text, JsonSyntaxError* error,
                  JsonIndex* index = nullptr);

// The straightforward validator ValidateJson falls back to for the error of
// an invalid text: the reference the tests compare ValidateJson with.
bool ValidateJsonReference(std::string_view text, JsonSyntaxError* error);

// Past the whitespace at p (never beyond end). Inline: the walks call it
// between every two tokens.
inline const char* SkipJsonWs(const char* p, const char* end) {
  while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) ++p;
  return p;
}
// p at the first byte of a valid value: returns the byte after it.
const char* SkipJsonValue(const char* p, const char* end);

// p at the opening quote of a valid string: unescapes it in place, writes a
// NUL after its last byte (RapidJSON in-situ style), sets *out to the
// unescaped characters and returns the byte after the closing quote.
char* ReadJsonStringInSitu(char* p, const char* end, std::string_view* out);

// p at the opening quote of a valid string: when the string holds no
// escape, sets *out to its characters and returns the byte after its closing
// quote, writing nothing; otherwise returns null (ReadJsonStringInSitu).
const char* JsonPlainString(const char* p, const char* end,
                            std::string_view* out);

// The value of the valid number [p, q): an integer of the smallest
// RapidJSON kind that holds it (Int, Uint, Int64, Uint64), else a double.
JsonValue JsonNumberValue(const char* p, const char* q);

// Decides, for each member (or element) of the value BuildInSitu builds,
// whether to leave it out of the DOM and keep its text instead.
class RawMemberFilter {
 public:
  virtual ~RawMemberFilter() = default;
  // `member`: true for an object member named `key` (which may be empty),
  // false for the array element at `index` (`key` empty).
  // Returns true to keep [value, value + size) as text: the member is left
  // out of an object; an array gets null in its place.
  virtual bool KeepRaw(bool member, std::string_view key, size_t index,
                       char* value, size_t size) = 0;
};

// Builds the DOM of the valid value at p into *out; strings stay in the
// buffer (unescaped in place, NUL-terminated), containers go to `alloc`.
// `filter` (optional) sees the top-level members or elements; `skipper`
// (optional) finds where each ends. Returns the byte after the value. The
// text is modified: build each value once.
char* BuildInSitu(char* p, char* end, JsonAllocator& alloc, JsonValue* out,
                  RawMemberFilter* filter = nullptr,
                  JsonSkipper* skipper = nullptr);

// The integer spelled by the valid number [p, q) when it is a plain
// integer (no fraction or exponent) within [lo, hi]; false otherwise.
// Inline: add_voxel_batch calls it for every coordinate and channel.
inline bool JsonSmallInt(const char* p, const char* q, int64_t lo, int64_t hi,
                         int64_t* out) {
  bool negative = p < q && *p == '-';
  const char* d = p + (negative ? 1 : 0);
  if (d >= q || q - d > 18) return false;
  int64_t v = 0;
  for (; d < q; ++d) {
    if (*d < '0' || *d > '9') return false;
    v = v * 10 + (*d - '0');
  }
  if (negative) v = -v;
  if (v < lo || v > hi) return false;
  *out = v;
  return true;
}

}  // namespace goxel::rpc

#endif  // GOXEL_RPC_JSON_SCAN_H_
