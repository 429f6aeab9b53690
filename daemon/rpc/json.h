// RapidJSON types used across the daemon, and small writing helpers.
// Thread contract: type aliases and stateless functions; thread-safe.
#ifndef GOXEL_RPC_JSON_H_
#define GOXEL_RPC_JSON_H_

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

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

// Appends the compact JSON text of `v` to `out`: the bytes RapidJSON's
// Writer (default flags) writes, which the tests check, at a fraction of
// its cost (no per-value bookkeeping). One difference: NaN and infinities,
// which JSON cannot spell, are written as null (the Writer stops there and
// leaves broken JSON). Recursive: `v` nests as deep as the texts the
// framer lets in (128), or as a handler builds it.
void AppendJson(const JsonValue& v, rapidjson::StringBuffer* out);
// Appends `s` as a JSON string, escaped as the Writer escapes it.
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
