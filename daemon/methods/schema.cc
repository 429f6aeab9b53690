#include "methods/schema.h"

#include <cctype>
#include <string>
#include <vector>

namespace goxel::methods {

using rpc::JsonAllocator;
using rpc::JsonDocument;
using rpc::JsonValue;
using rpc::MakeString;
using rpc::MethodSpec;
using rpc::ParamSpec;

namespace {

constexpr const char* kPositionSchema =
    R"({"type":"array","items":{"type":"number"},"minItems":3,"maxItems":3})";
constexpr const char* kColorSchema =
    R"({"oneOf":[{"type":"array","items":{"type":"integer","minimum":0,)"
    R"("maximum":255},"minItems":3,"maxItems":4},{"type":"string",)"
    R"("pattern":"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{8})$"}]})";
constexpr const char* kRegionSchema =
    R"({"oneOf":[{"type":"object","properties":{"min":{"type":"array",)"
    R"("items":{"type":"number"},"minItems":3,"maxItems":3},"max":{"type":)"
    R"("array","items":{"type":"number"},"minItems":3,"maxItems":3}},)"
    R"("required":["min","max"],"additionalProperties":false},)"
    R"({"const":"selection"}]})";

struct TypeRow {
  const char* type;
  const char* schema;
};
constexpr TypeRow kTypes[] = {
    {"integer", R"({"type":"integer"})"},
    {"number", R"({"type":"number"})"},
    {"string", R"({"type":"string"})"},
    {"boolean", R"({"type":"boolean"})"},
    {"array", R"({"type":"array"})"},
    {"object", R"({"type":"object"})"},
    {"position", kPositionSchema},
    {"vec3", kPositionSchema},
    {"color", kColorSchema},
    {"layer", R"({"type":["integer","string"]})"},
    {"region", kRegionSchema},
    {"string|object", R"({"type":["string","object"]})"},
};

// Parses `text` (a JSON object written in this program) into a value
// owned by `a`; {} if it does not parse (a test checks every schema).
JsonValue ParseInto(const char* text, JsonAllocator& a) {
  JsonDocument doc;
  doc.Parse(text);
  JsonValue out;
  if (doc.HasParseError() || !doc.IsObject()) {
    out.SetObject();
  } else {
    out.CopyFrom(doc, a);
  }
  return out;
}

// Copies the members of `extra` into `obj` (replacing same-named ones).
void Merge(JsonValue& obj, const char* extra, JsonAllocator& a) {
  JsonValue more = ParseInto(extra, a);
  const auto members = more.MemberBegin();  // by index: see ops_methods.cc
  for (rapidjson::SizeType i = 0; i < more.MemberCount(); ++i) {
    JsonValue* old =
        obj.HasMember(members[i].name) ? &obj[members[i].name] : nullptr;
    if (old != nullptr) {
      *old = members[i].value;
    } else {
      obj.AddMember(members[i].name, members[i].value, a);
    }
  }
}

// The schema of one ParamSpec type name ({} for "any" and unknown names).
JsonValue TypeSchema(std::string_view type, JsonAllocator& a) {
  for (const TypeRow& row : kTypes) {
    if (type == row.type) return ParseInto(row.schema, a);
  }
  return JsonValue(rapidjson::kObjectType);
}

// One canonical param's: its type's, its description, spec.schema's keywords.
JsonValue ParamSchema(const ParamSpec& spec, JsonAllocator& a) {
  JsonValue s = TypeSchema(spec.type, a);
  if (!spec.description.empty()) {
    s.AddMember("description", MakeString(spec.description, a), a);
  }
  if (!spec.schema.empty()) Merge(s, spec.schema.c_str(), a);
  return s;
}

// One top-level key of a result description.
struct ResultKey {
  std::string name;
  bool optional = false;
};

// The keys of "{a, b?, c: {…}, d | e, …}" ("…": more keys may come; free
// text: none).
std::vector<ResultKey> ResultKeys(std::string_view text) {
  std::vector<ResultKey> keys;
  if (text.find('{') != 0) return keys;  // "the params" and other free text
  int depth = 0;
  std::string item;
  auto flush = [&]() {
    size_t i = 0;
    while (i < item.size() && isspace(static_cast<unsigned char>(item[i]))) ++i;
    bool alternative = item.find('|', i) != std::string::npos &&
                       item.find(':', i) == std::string::npos;
    std::string name;
    bool optional = false;
    for (size_t j = i; j <= item.size(); ++j) {
      char c = j < item.size() ? item[j] : '\0';
      if (isalnum(static_cast<unsigned char>(c)) || c == '_') {
        name += c;
        continue;
      }
      if (c == '?') optional = true;
      if (!name.empty()) {
        keys.push_back({name, optional || alternative});
        name.clear();
        optional = false;
      }
      if (!alternative || c == '\0') break;
      if (c != '|' && c != ' ' && c != '?') break;
    }
    item.clear();
  };
  for (size_t i = 1; i < text.size(); ++i) {
    char c = text[i];
    if (depth == 0 && (c == ',' || c == '}')) {
      flush();
      if (c == '}') break;
      continue;
    }
    if (c == '{' || c == '[' || c == '(') ++depth;
    if (c == '}' || c == ']' || c == ')') --depth;
    item += c;
  }
  return keys;
}

}  // namespace

JsonValue ParamsSchema(const MethodSpec& m, JsonAllocator& a) {
  JsonValue s(rapidjson::kObjectType);
  s.AddMember("$schema", JsonValue(rapidjson::StringRef(kJsonSchemaDialect)),
              a);
  s.AddMember("type", "object", a);
  if (!m.description.empty()) {
    s.AddMember("description", MakeString(m.description, a), a);
  }
  JsonValue props(rapidjson::kObjectType), required(rapidjson::kArrayType);
  for (const ParamSpec& p : m.params) {
    if (!p.alias_of.empty()) continue;
    props.AddMember(MakeString(p.name, a), ParamSchema(p, a), a);
    if (p.required) required.PushBack(MakeString(p.name, a), a);
  }
  s.AddMember("properties", props, a);
  s.AddMember("required", required, a);
  // echo takes anything; every other method refuses unknown names.
  s.AddMember("additionalProperties", m.accepts_any_params, a);
  return s;
}

JsonValue AliasesJson(const MethodSpec& m, JsonAllocator& a) {
  JsonValue out(rapidjson::kObjectType);
  for (const ParamSpec& p : m.params) {
    if (p.alias_of.empty()) continue;
    out.AddMember(MakeString(p.name, a), MakeString(p.alias_of, a), a);
  }
  return out;
}

JsonValue ResultSchema(const MethodSpec& m, const ResultVocabulary& vocabulary,
                       JsonAllocator& a) {
  JsonValue s(rapidjson::kObjectType);
  s.AddMember("$schema", JsonValue(rapidjson::StringRef(kJsonSchemaDialect)),
              a);
  if (!m.result.empty()) {
    s.AddMember("description", MakeString(m.result, a), a);
  }
  std::vector<ResultKey> keys = ResultKeys(m.result);
  if (keys.empty()) return s;  // free text: any value
  s.AddMember("type", "object", a);
  JsonValue props(rapidjson::kObjectType), required(rapidjson::kArrayType);
  for (const ResultKey& k : keys) {
    if (props.HasMember(k.name.c_str())) continue;
    const char* text = vocabulary ? vocabulary(k.name) : nullptr;
    props.AddMember(
        MakeString(k.name, a),
        text ? ParseInto(text, a) : JsonValue(rapidjson::kObjectType), a);
    if (!k.optional) required.PushBack(MakeString(k.name, a), a);
  }
  s.AddMember("properties", props, a);
  s.AddMember("required", required, a);
  return s;
}

}  // namespace goxel::methods
