#include "client/commands.h"

#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <span>

#include "base/file_io.h"
#include "client/connection.h"
#include "client/exit_codes.h"
#include "client/params.h"

namespace goxel::client {
namespace {

using rpc::JsonDocument;
using rpc::JsonValue;

constexpr int64_t kRequestId = 1;

const JsonValue* Member(const JsonValue& v, const char* name) {
  if (!v.IsObject()) return nullptr;
  auto it = v.FindMember(name);
  return it == v.MemberEnd() ? nullptr : &it->value;
}

std::string StringOr(const JsonValue* v, const std::string& fallback) {
  return v && v->IsString() ? std::string(v->GetString(), v->GetStringLength())
                            : fallback;
}

// The result of a successful reply, or the exit code after reporting.
const JsonValue* ResultOf(const Session& s, const Result<JsonDocument>& reply,
                          int* exit_code) {
  if (!reply.ok()) {
    *exit_code = Report(reply.status());
    return nullptr;
  }
  const JsonValue* result = Member(*reply, "result");
  if (result == nullptr) {
    *exit_code = Finish(s, *reply);
    return nullptr;
  }
  return result;
}

void AppendMethodHelp(const JsonValue& m, std::string* out) {
  std::string name = StringOr(Member(m, "method"), "?");
  *out += name + "\n    " + StringOr(Member(m, "description"), "") + "\n";
  const JsonValue* params = Member(m, "params");
  if (params && params->IsArray()) {
    std::string aliases;
    for (const auto& p : params->GetArray()) {
      if (const JsonValue* of = Member(p, "alias_of")) {
        aliases += (aliases.empty() ? "" : ", ") +
                   StringOr(Member(p, "name"), "?") + "->" + StringOr(of, "?");
        continue;
      }
      const JsonValue* req = Member(p, "required");
      bool required = req && req->IsBool() && req->GetBool();
      *out += "      " + StringOr(Member(p, "name"), "?") + " (" +
              StringOr(Member(p, "type"), "any") +
              (required ? ", required" : "") + ")";
      std::string desc = StringOr(Member(p, "description"), "");
      if (!desc.empty()) *out += ": " + desc;
      *out += "\n";
    }
    if (!aliases.empty()) *out += "      v14 names: " + aliases + "\n";
  }
  std::string result = StringOr(Member(m, "result"), "");
  if (!result.empty()) *out += "      -> " + result + "\n";
}

int Base64Digit(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

}  // namespace

int Report(const Status& status) {
  PrintError(status.message());
  return ExitCodeOf(status);
}

Result<JsonDocument> CallMethod(const Session& s, const std::string& method,
                                const JsonValue& params) {
  Deadline deadline = DeadlineIn(s.timeout_seconds);
  Connection conn;
  GOXEL_RETURN_IF_ERROR(conn.Open(s.socket_path, deadline));
  GOXEL_RETURN_IF_ERROR(
      conn.SendAll(RequestText(method, params, kRequestId) + "\n", deadline));
  Result<std::string> text = conn.ReadText(deadline);
  if (!text.ok()) return text.status();
  JsonDocument reply;
  if (!ParseJsonValue(*text, &reply) || !reply.IsObject() ||
      (!reply.HasMember("result") && !reply.HasMember("error"))) {
    return Fail(kExitRpcError,
                "the daemon sent a reply that is not JSON-RPC: " +
                    text->substr(0, 200));
  }
  return reply;
}

int Finish(const Session& s, const JsonDocument& reply) {
  const JsonValue* error = Member(reply, "error");
  if (error) {
    PrintError(ErrorLine(*error));
    return kExitRpcError;
  }
  PrintReply(reply, s.out);
  return kExitOk;
}

int RunCall(const Session& s, const std::string& method,
            const std::vector<std::string>& words) {
  JsonDocument params;
  Status st = BuildParams(words, &params);
  if (!st.ok()) return Report(st);
  Result<JsonDocument> reply = CallMethod(s, method, params);
  if (!reply.ok()) return Report(reply.status());
  return Finish(s, *reply);
}

int RunHealth(const Session& s, bool latency) {
  auto start = Clock::now();
  Result<JsonDocument> reply = CallMethod(s, "health", JsonValue());
  double ms =
      std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  int code = kExitOk;
  const JsonValue* result = ResultOf(s, reply, &code);
  if (result == nullptr) return code;
  std::string status = StringOr(Member(*result, "status"), "");
  if (latency) {
    char line[128];
    snprintf(line, sizeof line, "status=%s latency_ms=%.3f\n",
             status.empty() ? "?" : status.c_str(), ms);
    PrintText(line, s.out);
  } else {
    PrintReply(*reply, s.out);
  }
  if (status != "ok") {
    PrintError("the daemon is not healthy: " + rpc::ToJsonText(*result));
    return kExitRpcError;
  }
  return kExitOk;
}

int RunMetrics(const Session& s, bool prometheus) {
  Result<JsonDocument> reply = CallMethod(s, "metrics", JsonValue());
  int code = kExitOk;
  const JsonValue* result = ResultOf(s, reply, &code);
  if (result == nullptr) return code;
  if (!prometheus) return Finish(s, *reply);
  const JsonValue* text = Member(*result, "text");
  if (text == nullptr || !text->IsString()) {
    PrintError("the metrics reply has no \"text\" member to print: " +
               rpc::ToJsonText(*result).substr(0, 200));
    return kExitRpcError;
  }
  PrintText(std::string(text->GetString(), text->GetStringLength()), s.out);
  return kExitOk;
}

int RunMethods(const Session& s, const std::optional<std::string>& name) {
  Result<JsonDocument> reply = CallMethod(s, "list_methods", JsonValue());
  int code = kExitOk;
  const JsonValue* result = ResultOf(s, reply, &code);
  if (result == nullptr) return code;
  const JsonValue* methods = Member(*result, "methods");
  if (methods == nullptr || !methods->IsArray()) {
    PrintError("list_methods returned no \"methods\" array");
    return kExitRpcError;
  }
  if (!name && s.json_requested) return Finish(s, *reply);
  std::string text;
  for (const auto& m : methods->GetArray()) {
    if (name && StringOr(Member(m, "method"), "") != *name) continue;
    if (name && s.json_requested) {
      PrintText(FormatJson(m, s.out.style, s.out.color), s.out);
      return kExitOk;
    }
    AppendMethodHelp(m, &text);
  }
  if (name && text.empty()) {
    PrintError("the daemon has no method '" + *name +
               "' (list them with `goxel-client methods`)");
    return kExitRpcError;
  }
  PrintText(text, s.out);
  return kExitOk;
}

int RunMethodNames(const Session& s) {
  Result<JsonDocument> reply = CallMethod(s, "list_methods", JsonValue());
  int code = kExitOk;
  const JsonValue* result = ResultOf(s, reply, &code);
  if (result == nullptr) return code;
  const JsonValue* methods = Member(*result, "methods");
  if (methods == nullptr || !methods->IsArray()) {
    PrintError("list_methods returned no \"methods\" array");
    return kExitRpcError;
  }
  std::string text;
  for (const auto& m : methods->GetArray()) {
    text += StringOr(Member(m, "method"), "") + "\n";
  }
  PrintText(text, s.out);
  return kExitOk;
}

Result<std::string> DecodeBase64(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=' || c == '\n' || c == '\r' || c == ' ') continue;
    int d = Base64Digit(c);
    if (d < 0) return Fail(kExitRpcError, "the image is not valid base64");
    acc = (acc << 6) | static_cast<uint32_t>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

int RunRender(const Session& s, const std::string& out,
              const std::vector<std::string>& words) {
  JsonDocument params(rapidjson::kObjectType);
  Status st = AddKeyValues(words, &params, params.GetAllocator());
  if (!st.ok()) return Report(st);
  if (params.HasMember("output_path") || params.HasMember("path")) {
    return Report(Fail(kExitUsage,
                       "render writes --out itself; drop path (use "
                       "`call goxel.render_scene path=...` to have "
                       "the daemon write the file)"));
  }
  Result<JsonDocument> reply = CallMethod(s, "goxel.render_scene", params);
  int code = kExitOk;
  const JsonValue* result = ResultOf(s, reply, &code);
  if (result == nullptr) return code;
  const JsonValue* image = Member(*result, "image");
  if (image == nullptr || !image->IsString()) {
    PrintError("the render reply carries no base64 \"image\": " +
               rpc::ToJsonText(*result).substr(0, 200));
    return kExitRpcError;
  }
  Result<std::string> bytes =
      DecodeBase64({image->GetString(), image->GetStringLength()});
  if (!bytes.ok()) return Report(bytes.status());
  std::string format = StringOr(Member(*result, "format"), "png");
  if (format == "png" && bytes->compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) {
    PrintError("the rendered image is not a PNG (bad signature)");
    return kExitRpcError;
  }
  const auto* data = reinterpret_cast<const uint8_t*>(bytes->data());
  st =
      AtomicWriteFile(out, std::span<const uint8_t>(data, bytes->size()), 0644);
  if (!st.ok()) {
    return Report(
        Fail(kExitUsage, "cannot write " + out + ": " + st.ToString()));
  }
  JsonDocument summary(rapidjson::kObjectType);
  auto& a = summary.GetAllocator();
  for (const auto& m : result->GetObject()) {
    if (std::string_view(m.name.GetString()) == "image") continue;
    summary.AddMember(JsonValue(m.name, a), JsonValue(m.value, a), a);
  }
  summary.AddMember("out", rpc::MakeString(out, a), a);
  summary.AddMember("written_bytes",
                    JsonValue(static_cast<uint64_t>(bytes->size())), a);
  PrintText(FormatJson(summary, s.out.style, s.out.color), s.out);
  return kExitOk;
}

int RunPathVerb(const Session& s, const std::string& method,
                const std::string& path, bool keep_path,
                const std::vector<std::string>& words) {
  JsonDocument params(rapidjson::kObjectType);
  auto& a = params.GetAllocator();
  (void)keep_path;  // paths always go as given
  params.AddMember("path", rpc::MakeString(path, a), a);
  Status st = AddKeyValues(words, &params, a);
  if (!st.ok()) return Report(st);
  Result<JsonDocument> reply = CallMethod(s, method, params);
  if (!reply.ok()) return Report(reply.status());
  return Finish(s, *reply);
}

}  // namespace goxel::client
