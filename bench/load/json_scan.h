// A small strict JSON validator for the load generator: it checks that a
// text is exactly one JSON value and, for an object, lists its top-level
// members as raw text spans. Nothing is decoded or allocated per value, so
// checking a reply costs about as much as reading it once.
#ifndef GOXEL_BENCH_LOAD_JSON_SCAN_H_
#define GOXEL_BENCH_LOAD_JSON_SCAN_H_

#include <string_view>
#include <vector>

namespace goxel::bench {

// One top-level member of an object. `key` is the raw key text between the
// quotes (escapes are not decoded); `value` is the raw JSON text of the value.
struct JsonMember {
  std::string_view key;
  std::string_view value;
};

// Returns true when `text` is exactly one valid JSON value (RFC 8259: no
// trailing commas, no comments, no NaN; control characters in strings and
// invalid UTF-8 are rejected), optionally surrounded by whitespace.
// Nesting deeper than 256 levels is rejected.
bool IsValidJson(std::string_view text);

// Like IsValidJson, but `text` must hold an object; its top-level members are
// appended to `members` (cleared first) in the order they appear.
bool ScanJsonObject(std::string_view text, std::vector<JsonMember>* members);

// Returns the member named `key` (compared with the raw key text), or nullptr.
const JsonMember* FindMember(const std::vector<JsonMember>& members,
                             std::string_view key);

}  // namespace goxel::bench

#endif  // GOXEL_BENCH_LOAD_JSON_SCAN_H_
