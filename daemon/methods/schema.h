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
#ifndef GOXEL_METHODS_SCHEMA_H_
#define GOXEL_METHODS_SCHEMA_H_

#include <functional>
#include <string_view>

#include "rpc/json.h"
#include "rpc/method_table.h"

namespace goxel::methods {

inline constexpr const char* kJsonSchemaDialect =
    "https://json-schema.org/draft/2020-12/schema";

// The params object's schema.
rpc::JsonValue ParamsSchema(const rpc::MethodSpec& m, rpc::JsonAllocator& a);
// {alias: canonical} for every alias row.
rpc::JsonValue AliasesJson(const rpc::MethodSpec& m, rpc::JsonAllocator& a);

// The schema text (a JSON object) for a result key, or nullptr if unknown.
using ResultVocabulary = std::function<const char*(std::string_view key)>;
rpc::JsonValue ResultSchema(const rpc::MethodSpec& m,
                            const ResultVocabulary& vocabulary,
                            rpc::JsonAllocator& a);

}  // namespace goxel::methods

#endif  // GOXEL_METHODS_SCHEMA_H_
