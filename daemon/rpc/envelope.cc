#include "rpc/envelope.h"

#include <rapidjson/error/en.h>

#include <cstring>

#include "base/clock.h"
#include "rpc/errors.h"

namespace goxel::rpc {

namespace {

// ---- Raw id recovery ------------------------------------------------------
// RapidJSON turns "1e2" into 100.0 and "-0" into 0; ids must come back
// exactly as sent, so for such numbers we find the id's text in the request.

// What in a text can make an id's value print differently from how it was
// written: a backslash (escapes in a string id), "-0".
struct RawHints {
  bool escapes = false;
  bool minus_zero = false;
};

bool NeedsRawId(const JsonValue& id, const RawHints& hints) {
  return id.IsDouble() ||
         (hints.minus_zero && id.IsInt64() && id.GetInt64() == 0) ||
         (hints.escapes && id.IsString());
}

size_t SkipWs(std::string_view t, size_t i) {
  while (i < t.size() &&
         (t[i] == ' ' || t[i] == '\n' || t[i] == '\r' || t[i] == '\t'))
    ++i;
  return i;
}

size_t SkipString(std::string_view t, size_t i) {  // t[i] == '"'
  for (++i; i < t.size(); ++i) {
    if (t[i] == '\\') {
      ++i;
    } else if (t[i] == '"') {
      return i + 1;
    }
  }
  return t.size();
}

size_t SkipValue(std::string_view t, size_t i) {
  if (i >= t.size()) return i;
  if (t[i] == '"') return SkipString(t, i);
  if (t[i] == '{' || t[i] == '[') {
    int depth = 0;
    while (i < t.size()) {
      char c = t[i];
      if (c == '"') {
        i = SkipString(t, i);
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') {
        if (--depth == 0) return i + 1;
      }
      ++i;
    }
    return i;
  }
  while (i < t.size() && t[i] != ',' && t[i] != '}' && t[i] != ']' &&
         t[i] != ' ' && t[i] != '\n' && t[i] != '\r' && t[i] != '\t')
    ++i;
  return i;
}

// The raw text of member "id" of the object starting at t[i] ('{').
std::string_view RawIdOfObject(std::string_view t, size_t i) {
  i = SkipWs(t, i + 1);
  while (i < t.size() && t[i] == '"') {
    size_t key_end = SkipString(t, i);
    bool is_id = t.substr(i, key_end - i) == "\"id\"";
    i = SkipWs(t, key_end);
    if (i >= t.size() || t[i] != ':') return {};
    i = SkipWs(t, i + 1);
    size_t value_end = SkipValue(t, i);
    if (is_id) return t.substr(i, value_end - i);
    i = SkipWs(t, value_end);
    if (i < t.size() && t[i] == ',') i = SkipWs(t, i + 1);
  }
  return {};
}

// Raw ids of the request objects of `t`, in request order ("" for
// non-objects).
std::vector<std::string_view> RawIds(std::string_view t, bool batch) {
  std::vector<std::string_view> out;
  size_t i = SkipWs(t, 0);
  if (!batch) {
    out.push_back(RawIdOfObject(t, i));
    return out;
  }
  i = SkipWs(t, i + 1);  // past '['
  while (i < t.size() && t[i] != ']') {
    out.push_back(t[i] == '{' ? RawIdOfObject(t, i) : std::string_view());
    i = SkipWs(t, SkipValue(t, i));
    if (i < t.size() && t[i] == ',') i = SkipWs(t, i + 1);
  }
  return out;
}

// True when no byte has its high bit set; eight bytes at a time.
bool IsAscii(std::string_view t) {
  const char* p = t.data();
  size_t n = t.size();
  uint64_t acc = 0;
  while (n >= 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    acc |= w;
    p += 8;
    n -= 8;
  }
  while (n--) acc |= static_cast<unsigned char>(*p++);
  return (acc & 0x8080808080808080ull) == 0;
}

// ---- Envelope checks ------------------------------------------------------

Status InvalidRequest(std::string message, std::string member) {
  return Status::InvalidRequest(std::move(message)).With("member", member);
}

void CheckItem(const JsonValue& v, const MethodTable& table, size_t index,
               bool batch, RequestItem* item) {
  item->object = &v;
  if (!v.IsObject()) {
    item->error = Status::InvalidRequest(
        std::string("a request must be a JSON object, got ") + JsonTypeName(v));
    if (batch) item->error.With("index", static_cast<int64_t>(index));
    return;
  }
  auto id_it = v.FindMember("id");
  if (id_it == v.MemberEnd()) {
    item->notification = true;
  } else if (id_it->value.IsString() || id_it->value.IsNumber() ||
             id_it->value.IsNull()) {
    item->id = &id_it->value;
  } else {
    item->error = InvalidRequest(std::string("\"id\" must be a string, a "
                                             "number or null, got ") +
                                     JsonTypeName(id_it->value),
                                 "id");
    return;
  }
  auto version = v.FindMember("jsonrpc");
  if (version == v.MemberEnd() || !version->value.IsString() ||
      std::string_view(version->value.GetString(),
                       version->value.GetStringLength()) != "2.0") {
    item->error =
        InvalidRequest("\"jsonrpc\" must be exactly \"2.0\"", "jsonrpc");
    item->notification = false;  // invalid requests are always answered
    return;
  }
  auto method = v.FindMember("method");
  if (method == v.MemberEnd() || !method->value.IsString()) {
    item->error = InvalidRequest("\"method\" must be a string", "method");
    item->notification = false;
    return;
  }
  auto params = v.FindMember("params");
  if (params != v.MemberEnd()) {
    if (!params->value.IsObject() && !params->value.IsArray()) {
      item->error = InvalidRequest(
          std::string("\"params\" must be an object or an array, got ") +
              JsonTypeName(params->value),
          "params");
      item->notification = false;
      return;
    }
    item->params = &params->value;
  }
  std::string_view name(method->value.GetString(),
                        method->value.GetStringLength());
  item->method = table.Find(name);
  if (item->method == nullptr) {
    item->error = Status::Error(StatusCode::kMethodNotFound,
                                "method not found: " + std::string(name))
                      .With("method", std::string(name));
  }
}

// ---- Reply writing ---------------------------------------------------------

void WriteId(const RequestItem* item, JsonWriter& w) {
  w.Key("id");
  if (item == nullptr || item->id == nullptr) {
    w.Null();
  } else if (!item->raw_id.empty()) {
    w.RawValue(item->raw_id.data(), item->raw_id.size(), item->id->GetType());
  } else {
    item->id->Accept(w);
  }
}

void WriteError(const RequestItem* item, const Status& status, JsonWriter& w) {
  w.StartObject();
  w.Key("jsonrpc");
  w.String("2.0");
  w.Key("error");
  w.StartObject();
  w.Key("code");
  w.Int(ErrorCodeFor(status.code()));
  w.Key("message");
  w.String(status.message().data(),
           static_cast<rapidjson::SizeType>(status.message().size()));
  JsonDocument data_doc;
  JsonValue data;
  DetailsToJson(status, &data, data_doc.GetAllocator());
  if (item != nullptr && item->method != nullptr && !data.HasMember("method")) {
    data.AddMember("method",
                   MakeString(item->method->name, data_doc.GetAllocator()),
                   data_doc.GetAllocator());
  }
  if (data.MemberCount() > 0) {
    w.Key("data");
    data.Accept(w);
  }
  w.EndObject();
  WriteId(item, w);
  w.EndObject();
}

void WriteResult(const RequestItem& item, const JsonValue& result,
                 JsonWriter& w) {
  w.StartObject();
  w.Key("jsonrpc");
  w.String("2.0");
  w.Key("result");
  result.Accept(w);
  WriteId(&item, w);
  w.EndObject();
}

Status RunOne(RequestItem& item, const CallerInfo& caller,
              const ExecuteHooks& hooks, JsonAllocator& alloc,
              JsonValue* result) {
  if (!item.error.ok()) return item.error;
  const MethodSpec& m = *item.method;
  if ((m.flags & kLoopOnly) && !caller.on_loop) {
    return Status::InvalidRequest(
               m.name +
               " must be sent on its own, not in a batch with pooled methods")
        .With("method", m.name);
  }
  if (hooks.admit) GOXEL_RETURN_IF_ERROR(hooks.admit(m));
  Params params(item.params, &m.params);
  GOXEL_RETURN_IF_ERROR(params.CheckShape(m.accepts_any_params));
  Call call(params, alloc, caller);
  Status s = m.handler(call);
  if (s.ok()) *result = std::move(call.result());
  return s;
}

}  // namespace

bool ParsedText::RunsOnLoop() const {
  if (AllControl()) return true;
  return !batch && items.size() == 1 && items[0].method != nullptr &&
         (items[0].method->flags & kInline) != 0;
}

bool ParsedText::AllControl() const {
  if (!text_error.ok()) return true;
  for (const auto& item : items) {
    if (item.method != nullptr && !(item.method->flags & kControl))
      return false;
  }
  return true;
}

std::unique_ptr<ParsedText> ParseRequestText(std::string_view text,
                                             const MethodTable& table) {
  auto parsed = std::make_unique<ParsedText>();
  JsonDocument& doc = parsed->doc;
  // In-situ parsing: strings point into our own copy of the text, which
  // saves copying every string into the document.
  parsed->buffer.reserve(text.size() + 1);
  parsed->buffer.assign(text.data(), text.size());
  // Pure ASCII cannot be invalid UTF-8: skip the per-character validation.
  if (IsAscii(text)) {
    doc.ParseInsitu<rapidjson::kParseDefaultFlags>(parsed->buffer.data());
  } else {
    doc.ParseInsitu<kStrictParseFlags>(parsed->buffer.data());
  }
  if (doc.HasParseError()) {
    std::string reason = rapidjson::GetParseError_En(doc.GetParseError());
    parsed->text_error =
        Status::ParseError("parse error: " + reason + " at byte " +
                           std::to_string(doc.GetErrorOffset()))
            .With("offset", static_cast<int64_t>(doc.GetErrorOffset()))
            .With("reason", reason);
    return parsed;
  }
  parsed->batch = doc.IsArray();
  if (parsed->batch) {
    if (doc.Empty()) {
      parsed->text_error =
          Status::InvalidRequest("a batch must not be an empty array")
              .With("reason", std::string("empty batch"));
      return parsed;
    }
    parsed->items.resize(doc.Size());
    for (rapidjson::SizeType i = 0; i < doc.Size(); ++i)
      CheckItem(doc[i], table, i, true, &parsed->items[i]);
  } else {
    parsed->items.resize(1);
    CheckItem(doc, table, 0, false, &parsed->items[0]);
  }
  RawHints hints;
  hints.escapes = text.find('\\') != std::string_view::npos;
  hints.minus_zero = text.find("-0") != std::string_view::npos;
  bool need_raw = false;
  for (const auto& item : parsed->items)
    if (item.id && NeedsRawId(*item.id, hints)) need_raw = true;
  if (need_raw) {
    auto raws = RawIds(text, parsed->batch);
    for (size_t i = 0; i < parsed->items.size() && i < raws.size(); ++i) {
      RequestItem& item = parsed->items[i];
      if (item.id && NeedsRawId(*item.id, hints))
        item.raw_id = std::string(raws[i]);
    }
  }
  return parsed;
}

bool ExecuteText(ParsedText& text, const CallerInfo& caller,
                 const ExecuteHooks& hooks, std::string* out) {
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  if (!text.text_error.ok()) {
    WriteError(nullptr, text.text_error, w);
    if (hooks.observe) hooks.observe(RequestItem{}, text.text_error, 0, caller);
    out->append(sb.GetString(), sb.GetSize());
    out->push_back('\n');
    return true;
  }
  size_t replies = 0;
  if (text.batch) w.StartArray();
  JsonAllocator& alloc = text.doc.GetAllocator();
  for (auto& item : text.items) {
    uint64_t start = MonotonicNanos();
    JsonValue result;
    Status s = RunOne(item, caller, hooks, alloc, &result);
    if (s.code() == StatusCode::kWouldBlock && caller.on_loop && !text.batch) {
      return false;  // nothing written: the caller sends it to the pool
    }
    if (hooks.observe) hooks.observe(item, s, MonotonicNanos() - start, caller);
    if (item.notification) continue;
    ++replies;
    if (s.ok()) {
      WriteResult(item, result, w);
    } else {
      WriteError(&item, s, w);
    }
  }
  if (text.batch) w.EndArray();
  if (replies == 0) return true;  // notifications only: no reply at all
  out->append(sb.GetString(), sb.GetSize());
  out->push_back('\n');
  return true;
}

void AppendRejection(const ParsedText& text, const Status& status,
                     std::string* out) {
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  if (!text.text_error.ok()) {
    WriteError(nullptr, text.text_error, w);
  } else {
    size_t replies = 0;
    if (text.batch) w.StartArray();
    for (const auto& item : text.items) {
      if (item.notification) continue;
      ++replies;
      WriteError(&item, item.error.ok() ? status : item.error, w);
    }
    if (text.batch) w.EndArray();
    if (replies == 0) return;
  }
  out->append(sb.GetString(), sb.GetSize());
  out->push_back('\n');
}

void AppendErrorReply(const Status& status, std::string* out) {
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  WriteError(nullptr, status, w);
  out->append(sb.GetString(), sb.GetSize());
  out->push_back('\n');
}

}  // namespace goxel::rpc
