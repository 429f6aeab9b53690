#include "client/params.h"

#include <rapidjson/error/en.h>

#include "client/exit_codes.h"

namespace goxel::client {
namespace {

using rpc::JsonAllocator;
using rpc::JsonDocument;
using rpc::JsonValue;

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Sets `key` in `obj` to `value` (moved), replacing an existing member.
void SetMember(JsonValue* obj, std::string_view key, JsonValue& value,
               JsonAllocator& alloc) {
  auto it =
      obj->FindMember(JsonValue(rapidjson::StringRef(key.data(), key.size())));
  if (it != obj->MemberEnd()) {
    it->value = value;
    return;
  }
  obj->AddMember(rpc::MakeString(key, alloc), value, alloc);
}

Status AddOne(const std::string& word, JsonValue* obj, JsonAllocator& alloc) {
  size_t eq = word.find('=');
  if (eq == std::string::npos || eq == 0 || (eq == 1 && word[0] == ':')) {
    return Fail(kExitUsage,
                "'" + word +
                    "' is not a param: write key=value (or key:=json), or "
                    "give all params as one JSON object or array");
  }
  bool force_json = word[eq - 1] == ':';
  std::string key = word.substr(0, force_json ? eq - 1 : eq);
  std::string_view text = std::string_view(word).substr(eq + 1);
  JsonDocument parsed;
  JsonValue value;
  if (ParseJsonValue(text, &parsed)) {
    value.CopyFrom(parsed, alloc);
  } else if (force_json) {
    return Fail(kExitUsage, "param '" + key + "': '" + std::string(text) +
                                "' is not valid JSON (key:=VALUE needs "
                                "JSON; use key=VALUE for a string)");
  } else {
    value = rpc::MakeString(text, alloc);
  }
  SetMember(obj, key, value, alloc);
  return Status::Ok();
}

}  // namespace

bool ParseJsonValue(std::string_view text, JsonDocument* doc) {
  doc->Parse<rpc::kStrictParseFlags>(text.data(), text.size());
  return !doc->HasParseError();
}

Status AddKeyValues(const std::vector<std::string>& words, JsonValue* obj,
                    JsonAllocator& alloc) {
  for (const auto& w : words) GOXEL_RETURN_IF_ERROR(AddOne(w, obj, alloc));
  return Status::Ok();
}

Status BuildParams(const std::vector<std::string>& words, JsonDocument* doc) {
  doc->SetNull();
  if (words.empty()) return Status::Ok();
  if (words.size() == 1 && !words[0].empty() &&
      (words[0][0] == '{' || words[0][0] == '[')) {
    JsonDocument parsed;
    parsed.Parse<rpc::kStrictParseFlags>(words[0].data(), words[0].size());
    if (parsed.HasParseError()) {
      return Fail(
          kExitUsage,
          "params are not valid JSON: " +
              std::string(rapidjson::GetParseError_En(parsed.GetParseError())) +
              " at offset " + std::to_string(parsed.GetErrorOffset()));
    }
    doc->CopyFrom(parsed, doc->GetAllocator());
    return Status::Ok();
  }
  doc->SetObject();
  return AddKeyValues(words, doc, doc->GetAllocator());
}

std::vector<std::string> SplitShorthand(std::string_view line) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && IsBlank(line[i])) ++i;
    if (i >= line.size()) break;
    if (!words.empty() && (line[i] == '{' || line[i] == '[')) {
      size_t end = line.size();
      while (end > i && IsBlank(line[end - 1])) --end;
      words.emplace_back(line.substr(i, end - i));
      break;
    }
    size_t start = i;
    while (i < line.size() && !IsBlank(line[i])) ++i;
    words.emplace_back(line.substr(start, i - start));
  }
  return words;
}

std::string RequestText(std::string_view method, const JsonValue& params,
                        int64_t id) {
  JsonDocument req(rapidjson::kObjectType);
  auto& a = req.GetAllocator();
  req.AddMember("jsonrpc", "2.0", a);
  req.AddMember("method", rpc::MakeString(method, a), a);
  if (!params.IsNull()) {
    JsonValue copy;
    copy.CopyFrom(params, a);
    req.AddMember("params", copy, a);
  }
  req.AddMember("id", JsonValue(id), a);
  return rpc::ToJsonText(req);
}

}  // namespace goxel::client
