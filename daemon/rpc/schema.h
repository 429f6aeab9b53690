// JSON Schema (2020-12) of a method's params and result, generated from its
// MethodSpec: the table that dispatches is the one source of list_methods'
// schemas, the client's help and docs/API.md.
//
// params: {"type":"object","properties":{canonical names},"required":[...],
// "additionalProperties":false}. Alias rows (v14 names) are not properties;
// AliasesJson maps each to its canonical name. Each ParamSpec type names a
// schema (TypeSchema); ParamSpec::schema adds keywords (ranges, enums,
// defaults).
//
// result: the top-level keys named in MethodSpec::result ("{a, b?, c: …}";
// "?" marks an optional key, "a | b" two optional alternatives, "…" more
// keys), each with the schema `vocabulary` gives for that key name, so one
// key means one fact with one type across all methods.
//
// Thread contract: stateless functions; thread-safe.
#ifndef GOXEL_RPC_SCHEMA_H_
#define GOXEL_RPC_SCHEMA_H_

#include <functional>
#include <string_view>

#include "rpc/json.h"
#include "rpc/method_table.h"

namespace goxel::rpc {

inline constexpr const char* kJsonSchemaDialect =
    "https://json-schema.org/draft/2020-12/schema";

// The params object's schema.
JsonValue ParamsSchema(const MethodSpec& m, JsonAllocator& a);
// {alias: canonical} for every alias row.
JsonValue AliasesJson(const MethodSpec& m, JsonAllocator& a);

// The schema text (a JSON object) for a result key, or nullptr if unknown.
using ResultVocabulary = std::function<const char*(std::string_view key)>;
JsonValue ResultSchema(const MethodSpec& m, const ResultVocabulary& vocabulary,
                       JsonAllocator& a);

}  // namespace goxel::rpc

#endif  // GOXEL_RPC_SCHEMA_H_
