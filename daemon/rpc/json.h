// RapidJSON types used across the daemon, and small writing helpers.
// Thread contract: type aliases and stateless functions; thread-safe.
#ifndef GOXEL_RPC_JSON_H_
#define GOXEL_RPC_JSON_H_

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <string>
#include <string_view>

#include "base/status.h"

namespace goxel::rpc {

using JsonValue = rapidjson::Value;
using JsonDocument = rapidjson::Document;
using JsonAllocator = rapidjson::Document::AllocatorType;
using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// Parse flags for requests: strict JSON (no comments, trailing commas, NaN),
// UTF-8 validated.
inline constexpr unsigned kStrictParseFlags =
    rapidjson::kParseValidateEncodingFlag;

// A JSON string value copied into `alloc`.
inline JsonValue MakeString(std::string_view s, JsonAllocator& alloc) {
  return JsonValue(s.data(), static_cast<rapidjson::SizeType>(s.size()), alloc);
}

// RapidJSON's Writer, except that NaN and infinities, which JSON cannot
// spell, are written as null (the Writer would stop there and leave a
// truncated text). Compact output; every control character escaped (the
// build leaves RAPIDJSON_SSE42 undefined: its SIMD scan leaves 0x1A-0x1F
// raw).
class JsonTextWriter : public rapidjson::Writer<rapidjson::StringBuffer> {
 public:
  using Writer::Writer;
  bool Double(double d) {
    return std::isfinite(d) ? Writer::Double(d) : Writer::Null();
  }
};

// Appends the compact JSON text of `v` to `out` (JsonTextWriter).
void AppendJson(const JsonValue& v, rapidjson::StringBuffer* out);
// Appends `s` as a JSON string.
void AppendJsonString(std::string_view s, rapidjson::StringBuffer* out);

// Compact JSON text of `v` (AppendJson).
std::string ToJsonText(const JsonValue& v);

// The start of ToJsonText(v): at least its first `max` + 1 bytes when it is
// longer, all of it otherwise. Walks `v` with an explicit stack, so a value
// nested a million deep only costs heap (Accept would recurse that deep).
std::string JsonPreview(const JsonValue& v, size_t max);

// A short description of a value's type for error messages: "a string",
// "an integer", "null", "an object", …
const char* JsonTypeName(const JsonValue& v);

// Writes a Status's details as a JSON object value into `out`.
void DetailsToJson(const Status& status, JsonValue* out, JsonAllocator& alloc);

}  // namespace goxel::rpc

#endif  // GOXEL_RPC_JSON_H_
