#include "client/output.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

namespace goxel::client {
namespace {

using rpc::JsonValue;

constexpr const char* kReset = "\033[0m";
constexpr const char* kKeyColor = "\033[34;1m";
constexpr const char* kStringColor = "\033[0;32m";
constexpr const char* kNullColor = "\033[1;30m";
constexpr const char* kPlainColor = "\033[0;39m";

void Indent(std::string* out, int depth) { out->append(2 * depth, ' '); }

void AppendColored(std::string* out, const std::string& text, const char* color,
                   bool use_color) {
  if (use_color) out->append(color);
  out->append(text);
  if (use_color) out->append(kReset);
}

void AppendPretty(const JsonValue& v, bool color, int depth, std::string* out) {
  if (v.IsObject()) {
    if (v.MemberCount() == 0) return out->append("{}"), void();
    out->append("{\n");
    bool first = true;
    for (const auto& m : v.GetObject()) {
      if (!first) out->append(",\n");
      first = false;
      Indent(out, depth + 1);
      AppendColored(out, rpc::ToJsonText(m.name), kKeyColor, color);
      out->append(": ");
      AppendPretty(m.value, color, depth + 1, out);
    }
    out->append("\n");
    Indent(out, depth);
    out->append("}");
  } else if (v.IsArray()) {
    if (v.Size() == 0) return out->append("[]"), void();
    out->append("[\n");
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
      if (i) out->append(",\n");
      Indent(out, depth + 1);
      AppendPretty(v[i], color, depth + 1, out);
    }
    out->append("\n");
    Indent(out, depth);
    out->append("]");
  } else if (v.IsString()) {
    AppendColored(out, rpc::ToJsonText(v), kStringColor, color);
  } else if (v.IsNull()) {
    AppendColored(out, "null", kNullColor, color);
  } else {
    AppendColored(out, rpc::ToJsonText(v), kPlainColor, color);
  }
}

void WriteOut(const std::string& s) {
  fwrite(s.data(), 1, s.size(), stdout);
  fflush(stdout);
}

}  // namespace

OutputOptions DefaultOutputOptions() {
  OutputOptions o;
  if (isatty(STDOUT_FILENO)) {
    o.style = JsonStyle::kPretty;
    const char* no_color = getenv("NO_COLOR");
    const char* term = getenv("TERM");
    o.color = !(no_color && *no_color) && !(term && strcmp(term, "dumb") == 0);
  }
  return o;
}

std::string PrettyJson(const JsonValue& v, bool color) {
  std::string out;
  AppendPretty(v, color, 0, &out);
  return out;
}

std::string FormatJson(const JsonValue& v, JsonStyle style, bool color) {
  std::string s =
      style == JsonStyle::kPretty ? PrettyJson(v, color) : rpc::ToJsonText(v);
  s.push_back('\n');
  return s;
}

std::string ErrorLine(const JsonValue& error) {
  std::string line = "error";
  if (!error.IsObject()) return line + " " + rpc::ToJsonText(error);
  auto code = error.FindMember("code");
  if (code != error.MemberEnd()) line += " " + rpc::ToJsonText(code->value);
  auto msg = error.FindMember("message");
  if (msg != error.MemberEnd()) {
    line += ": ";
    line += msg->value.IsString() ? msg->value.GetString()
                                  : rpc::ToJsonText(msg->value);
  }
  auto data = error.FindMember("data");
  if (data != error.MemberEnd() && !data->value.IsNull()) {
    line += " — data: " + rpc::ToJsonText(data->value);
  }
  return line;
}

void PrintReply(const JsonValue& reply, const OutputOptions& opts) {
  if (opts.quiet) return;
  if (!opts.raw) return WriteOut(FormatJson(reply, opts.style, opts.color));
  auto result = reply.IsObject() ? reply.FindMember("result")
                                 : JsonValue::ConstMemberIterator();
  if (!reply.IsObject() || result == reply.MemberEnd()) {
    return WriteOut(FormatJson(reply, opts.style, opts.color));
  }
  if (result->value.IsString()) {
    std::string s(result->value.GetString(), result->value.GetStringLength());
    if (s.empty() || s.back() != '\n') s.push_back('\n');
    return WriteOut(s);
  }
  WriteOut(FormatJson(result->value, opts.style, opts.color));
}

void PrintText(const std::string& text, const OutputOptions& opts) {
  if (!opts.quiet) WriteOut(text);
}

void PrintError(const std::string& message) {
  fflush(stdout);
  fprintf(stderr, "goxel-client: %s\n", message.c_str());
}

}  // namespace goxel::client
