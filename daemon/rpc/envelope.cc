#include "rpc/envelope.h"

#include <rapidjson/error/en.h>

#include <cstring>

#include "base/clock.h"
#include "rpc/errors.h"

namespace goxel::rpc {

namespace {

// ---- Parsing
// -----------------------------------------------------------------

// The Reader's events, forwarded to the Document. On the way it refuses what
// RapidJSON 1.1 lets through (nesting past kMaxDepth, which would recurse
// deeper; numbers out of double range, parsed as infinities; lone surrogate
// escapes, decoded to invalid UTF-8) and copies each request's "id" text as
// sent, before the in-situ parse overwrites it.
class RequestHandler {
 public:
  RequestHandler(JsonDocument& doc, rapidjson::InsituStringStream& in,
                 std::vector<RequestItem>* items)
      : doc_(doc), in_(in), base_(in.src_), items_(items) {}

  bool Null() { return Value() && doc_.Null(); }
  bool Bool(bool b) { return Value() && doc_.Bool(b); }
  bool Int(int i) { return Value() && doc_.Int(i); }
  bool Uint(unsigned u) { return Value() && doc_.Uint(u); }
  bool Int64(int64_t i) { return Value() && doc_.Int64(i); }
  bool Uint64(uint64_t u) { return Value() && doc_.Uint64(u); }
  bool Double(double d) {
    if (!std::isfinite(d)) {
      // The Reader's stream is at the number's start or end: its start.
      const char* p = in_.src_;
      while (p > base_ && IsNumberByte(p[-1])) --p;
      return Fail(rapidjson::kParseErrorNumberTooBig, p);
    }
    return Value() && doc_.Double(d);
  }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) {
    return Value() && doc_.RawNumber(s, n, copy);
  }
  bool String(const char* s, rapidjson::SizeType n, bool copy) {
    return Value() && Utf8(s, n) && doc_.String(s, n, copy);
  }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) {
    if (!Utf8(s, n)) return false;
    if (depth_ == (root_array_ ? 2 : 1) && n == 2 && memcmp(s, "id", 2) == 0)
      CopyId(s);
    return doc_.Key(s, n, copy);
  }
  bool StartObject() { return Open(false) && doc_.StartObject(); }
  bool EndObject(rapidjson::SizeType n) {
    --depth_;
    return doc_.EndObject(n);
  }
  bool StartArray() { return Open(true) && doc_.StartArray(); }
  bool EndArray(rapidjson::SizeType n) {
    --depth_;
    return doc_.EndArray(n);
  }

  // Set when a check above stopped the parse.
  rapidjson::ParseErrorCode error = rapidjson::kParseErrorNone;
  size_t error_offset = 0;

 private:
  static bool IsNumberByte(char c) {
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' ||
           c == 'e' || c == 'E';
  }
  bool Fail(rapidjson::ParseErrorCode code, const char* at) {
    error = code;
    error_offset = static_cast<size_t>(at - base_);
    return false;
  }
  // A value starts: in a batch, each one at depth 1 is the next request.
  bool Value() {
    if (depth_ == 1 && root_array_) ++requests_;
    return true;
  }
  bool Open(bool array) {
    Value();
    if (depth_ == 0) root_array_ = array;
    if (++depth_ > kMaxDepth) {
      error = rapidjson::kParseErrorTermination;
      error_offset = in_.Tell() - 1;  // the bracket
      return false;
    }
    return true;
  }
  // Validated UTF-8 can only hold an encoded surrogate (0xED 0xA0-0xBF) that
  // came from a lone \uDCxx escape.
  bool Utf8(const char* s, rapidjson::SizeType n) {
    const char* end = s + n;
    for (const char* p = s; (p = static_cast<const char*>(memchr(
                                 p, 0xED, static_cast<size_t>(end - p))));
         ++p) {
      if (p + 1 < end && static_cast<unsigned char>(p[1]) >= 0xA0)
        return Fail(rapidjson::kParseErrorStringUnicodeSurrogateInvalid, s - 1);
    }
    return true;
  }
  // The first "id" of the current request: its value's text is still
  // untouched (the Reader has read the key, not the colon). Copied when it
  // is a number or a string; the Reader then checks it as any value. The key
  // was unescaped in place at `key`: its closing quote was at key + 2 (now
  // the NUL after the key), or later when it held escapes, whose leftover
  // bytes hold no quote, colon or space.
  void CopyId(const char* key) {
    const size_t index = root_array_ ? requests_ - 1 : 0;
    if (index < items_->size()) return;  // a duplicate: the first wins
    items_->resize(index + 1);
    auto ws = [](char c) {
      return c == ' ' || c == '\n' || c == '\r' || c == '\t';
    };
    const char* p = key + 3;
    while (*p != '\0' && *p != '"' && *p != ':' && !ws(*p)) ++p;
    if (*p == '"') ++p;
    while (ws(*p)) ++p;
    if (*p++ != ':') return;
    while (ws(*p)) ++p;
    const char* q = p;
    if (*p == '"') {
      for (++q; *q != '\0' && *q != '"'; ++q) {
        if (*q == '\\' && q[1] != '\0') ++q;
      }
      if (*q++ != '"') return;
    } else {
      while (IsNumberByte(*q)) ++q;
    }
    (*items_)[index].raw_id.assign(p, static_cast<size_t>(q - p));
  }

  JsonDocument& doc_;
  rapidjson::InsituStringStream& in_;
  const char* const base_;
  std::vector<RequestItem>* items_;
  int depth_ = 0;
  bool root_array_ = false;
  size_t requests_ = 0;
};

Status InvalidRequest(std::string message, std::string member) {
  return Status::InvalidRequest(std::move(message)).With("member", member);
}

// The method last found, so a batch of one method hashes its name once.
// The table does not change while a text is parsed.
struct MethodCache {
  const MethodSpec* Find(const MethodTable& table, std::string_view name) {
    if (spec != nullptr && name == spec->name) return spec;
    const MethodSpec* found = table.Find(name);
    if (found != nullptr) spec = found;
    return found;
  }
  const MethodSpec* spec = nullptr;
};

std::string_view View(const JsonValue& s) {
  return std::string_view(s.GetString(), s.GetStringLength());
}

// The envelope members of a request object, found in one pass; the first of
// duplicates wins, as with FindMember.
struct Envelope {
  const JsonValue* id = nullptr;
  const JsonValue* jsonrpc = nullptr;
  const JsonValue* method = nullptr;
  const JsonValue* params = nullptr;

  explicit Envelope(const JsonValue& request) {
    for (const auto& m : request.GetObject()) {
      const JsonValue** slot = Slot(View(m.name));
      if (slot != nullptr && *slot == nullptr) *slot = &m.value;
    }
  }
  const JsonValue** Slot(std::string_view key) {
    if (key == "id") return &id;
    if (key == "jsonrpc") return &jsonrpc;
    if (key == "method") return &method;
    if (key == "params") return &params;
    return nullptr;
  }
};

// Checks the request `v` (element `index` of a batch) into *item.
void CheckItem(const JsonValue& v, size_t index, bool batch,
               const MethodTable& table, MethodCache& methods,
               RequestItem* item) {
  if (!v.IsObject()) {
    item->error = Status::InvalidRequest(
        std::string("a request must be a JSON object, got ") + JsonTypeName(v));
    if (batch) item->error.With("index", static_cast<int64_t>(index));
    return;
  }
  const Envelope env(v);
  const JsonValue* id = env.id;
  if (id == nullptr) {
    item->notification = true;
  } else if (id->IsString() || id->IsNumber() || id->IsNull()) {
    item->id = id;
  } else {
    item->raw_id.clear();
    item->error = InvalidRequest(std::string("\"id\" must be a string, a "
                                             "number or null, got ") +
                                     JsonTypeName(*id),
                                 "id");
    return;
  }
  const JsonValue* jsonrpc = env.jsonrpc;
  if (jsonrpc == nullptr || !jsonrpc->IsString() ||
      View(*jsonrpc) != std::string_view("2.0", 3)) {
    item->error =
        InvalidRequest("\"jsonrpc\" must be exactly \"2.0\"", "jsonrpc");
    item->notification = false;  // invalid requests are always answered
    return;
  }
  const JsonValue* method = env.method;
  if (method == nullptr || !method->IsString()) {
    item->error = InvalidRequest("\"method\" must be a string", "method");
    item->notification = false;
    return;
  }
  const JsonValue* params = env.params;
  if (params != nullptr) {
    if (!params->IsObject() && !params->IsArray()) {
      item->error = InvalidRequest(
          std::string("\"params\" must be an object or an array, got ") +
              JsonTypeName(*params),
          "params");
      item->notification = false;
      return;
    }
    item->params = params;
  }
  std::string_view name = View(*method);
  item->method = methods.Find(table, name);
  if (item->method == nullptr) {
    item->error = Status::Error(StatusCode::kMethodNotFound,
                                "method not found: " + std::string(name))
                      .With("method", std::string(name));
  }
}

// Parses parsed->buffer in situ, then checks each request's envelope.
void ParseBuffer(ParsedText* parsed, const MethodTable& table) {
  std::string& buffer = parsed->buffer;
  const size_t size = buffer.size();
  // RapidJSON 1.1 reads a UTF-8 sequence's continuation bytes without
  // looking for the end: a lead byte at the end of a string reads up to 3
  // bytes past it. NUL padding keeps those reads inside the buffer.
  buffer.append(kParsePadding, '\0');
  rapidjson::InsituStringStream in(buffer.data());
  RequestHandler handler(parsed->doc, in, &parsed->items);
  rapidjson::ParseResult result;
  auto parse = [&](JsonDocument&) {
    rapidjson::Reader reader;
    constexpr unsigned kFlags =
        rapidjson::kParseInsituFlag | rapidjson::kParseValidateEncodingFlag;
    result = reader.Parse<kFlags>(in, handler);
    // A NUL byte ends the Reader's input: what follows it is a second text.
    if (result && in.Tell() != size) {
      result.Set(rapidjson::kParseErrorDocumentRootNotSingular, in.Tell());
    }
    return !result.IsError();
  };
  parsed->doc.Populate(parse);
  // A text that does not parse is one request (one reply, id null), however
  // many ids were copied before the error.
  if (result.IsError()) parsed->items.clear();
  if (handler.error == rapidjson::kParseErrorTermination) {
    parsed->text_error =
        Status::InvalidRequest("request nested deeper than " +
                               std::to_string(kMaxDepth) + " levels")
            .With("max_depth", static_cast<int64_t>(kMaxDepth))
            .With("offset", static_cast<int64_t>(handler.error_offset));
    return;
  }
  if (result.IsError()) {
    rapidjson::ParseErrorCode code = result.Code();
    size_t offset = result.Offset();
    if (handler.error != rapidjson::kParseErrorNone) {
      code = handler.error;
      offset = handler.error_offset;
    }
    std::string reason = rapidjson::GetParseError_En(code);
    parsed->text_error =
        Status::ParseError("parse error: " + reason + " at byte " +
                           std::to_string(offset))
            .With("offset", static_cast<int64_t>(offset))
            .With("reason", reason);
    return;
  }
  const JsonValue& root = parsed->doc;
  MethodCache methods;
  parsed->batch = root.IsArray();
  if (!parsed->batch) {
    parsed->items.resize(1);
    CheckItem(root, 0, false, table, methods, &parsed->items[0]);
    return;
  }
  if (root.Empty()) {
    parsed->text_error =
        Status::InvalidRequest("a batch must not be an empty array")
            .With("reason", std::string("empty batch"));
    return;
  }
  parsed->items.resize(root.Size());
  for (rapidjson::SizeType i = 0; i < root.Size(); ++i) {
    CheckItem(root[i], i, true, table, methods, &parsed->items[i]);
  }
}

// ---- Reply writing ---------------------------------------------------------
// The fixed parts of a reply go out as they are; the writer only writes
// complete values (results, error objects, ids), so a batch is a plain
// concatenation with commas.

// The reply buffer and writer of this thread, reused from reply to reply so
// that writing one allocates nothing. A nested use (a handler answering
// through ExecuteText) gets its own.
struct ReplyScratch {
  rapidjson::StringBuffer sb;
  JsonTextWriter writer;
  bool busy = false;
};
thread_local ReplyScratch tls_reply;

class ReplyWriter {
 public:
  ReplyWriter() {
    if (tls_reply.busy) {
      own_ = std::make_unique<ReplyScratch>();
      s_ = own_.get();
    } else {
      s_ = &tls_reply;
    }
    s_->busy = true;
    s_->sb.Clear();
  }
  ~ReplyWriter() {
    s_->busy = false;
    // A huge reply's buffer is not kept for the thread's life.
    if (s_->sb.GetSize() > (1u << 20)) {
      s_->sb.Clear();
      s_->sb.ShrinkToFit();
    }
  }
  ReplyWriter(const ReplyWriter&) = delete;
  ReplyWriter& operator=(const ReplyWriter&) = delete;

  // Appends `raw` as it is: the fixed parts of a reply.
  void Raw(std::string_view raw) {
    memcpy(s_->sb.Push(raw.size()), raw.data(), raw.size());
  }
  // Appends one complete JSON value (the parts of a reply that vary:
  // results, error data, ids).
  void Json(const JsonValue& v) {
    s_->writer.Reset(s_->sb);
    v.Accept(s_->writer);
  }
  void String(std::string_view chars) {
    s_->writer.Reset(s_->sb);
    s_->writer.String(chars.data(),
                      static_cast<rapidjson::SizeType>(chars.size()));
  }
  std::string_view View() const {
    return std::string_view(s_->sb.GetString(), s_->sb.GetSize());
  }
  // Appends what was written, and a newline, to `out`.
  void AppendTo(std::string* out) {
    out->append(s_->sb.GetString(), s_->sb.GetSize());
    out->push_back('\n');
  }

 private:
  ReplyScratch* s_;
  std::unique_ptr<ReplyScratch> own_;
};

// Appends `,"id":` and the id of `item` (null without one).
void WriteId(const RequestItem* item, ReplyWriter& reply) {
  reply.Raw(",\"id\":");
  if (item == nullptr || item->id == nullptr) {
    reply.Raw("null");
  } else if (!item->raw_id.empty()) {
    reply.Raw(item->raw_id);
  } else {
    reply.Json(*item->id);
  }
}

void WriteError(const RequestItem* item, const Status& status,
                ReplyWriter& reply) {
  reply.Raw("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":");
  reply.Raw(std::to_string(ErrorCodeFor(status.code())));
  reply.Raw(",\"message\":");
  reply.String(status.message());
  JsonDocument data_doc;
  JsonValue data;
  DetailsToJson(status, &data, data_doc.GetAllocator());
  if (item != nullptr && item->method != nullptr && !data.HasMember("method")) {
    data.AddMember("method",
                   MakeString(item->method->name, data_doc.GetAllocator()),
                   data_doc.GetAllocator());
  }
  if (data.MemberCount() > 0) {
    reply.Raw(",\"data\":");
    reply.Json(data);
  }
  reply.Raw("}");
  WriteId(item, reply);
  reply.Raw("}");
}

constexpr std::string_view kResultHead = "{\"jsonrpc\":\"2.0\",\"result\":";

// A result given as a stream is drained whole into the reply (in a batch,
// or for a caller that cannot stream); it is bounded as its method bounds
// its page.
void WriteResult(const RequestItem& item, const JsonValue& result,
                 ResultStream* stream, ReplyWriter& reply) {
  reply.Raw(kResultHead);
  if (stream != nullptr) {
    std::string part;
    bool done = false;
    while (!done) {
      part.clear();
      done = stream->Next(&part, kStreamChunkBytes);
      reply.Raw(part);
    }
  } else {
    reply.Json(result);
  }
  WriteId(&item, reply);
  reply.Raw("}");
}

Status RunOne(RequestItem& item, const CallerInfo& caller,
              const ExecuteHooks& hooks, JsonAllocator& alloc,
              JsonValue* result, std::unique_ptr<ResultStream>* stream) {
  if (!item.error.ok()) return item.error;
  const MethodSpec& m = *item.method;
  if ((m.flags & kLoopOnly) && !caller.on_loop) {
    return Status::InvalidRequest(
               m.name +
               " must be sent on its own, not in a batch with pooled methods")
        .With("method", m.name);
  }
  if ((m.flags & kAdmin) && hooks.admit_admin)
    GOXEL_RETURN_IF_ERROR(hooks.admit_admin(m, caller));
  if (hooks.admit) GOXEL_RETURN_IF_ERROR(hooks.admit(m));
  Params params(item.params, &m.params);
  GOXEL_RETURN_IF_ERROR(params.CheckShape(m.accepts_any_params));
  if (!m.accepts_any_params)
    GOXEL_RETURN_IF_ERROR(params.CheckNames(m.ignored));
  Call call(params, alloc, caller);
  Status s = m.handler(call);
  if (s.ok()) {
    *result = std::move(call.result());
    *stream = std::move(call.stream());
  }
  return s;
}

}  // namespace

ParsedText::ParsedText()
    : allocator(arena, sizeof arena, 64 * 1024), doc(&allocator) {}

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

ParsedTextPtr NewParsedText() { return std::make_unique<ParsedText>(); }

bool ReusableParsedText(const ParsedText& text) {
  return text.buffer.capacity() <= 4096 && text.items.capacity() <= 16;
}

ParsedTextPtr ParseRequestText(std::string_view text,
                               const MethodTable& table) {
  auto parsed = NewParsedText();
  parsed->buffer.reserve(text.size() + kParsePadding);
  parsed->buffer.assign(text.data(), text.size());
  ParseBuffer(parsed.get(), table);
  return parsed;
}

ParsedTextPtr ParseOwnedRequestText(std::string text,
                                    const MethodTable& table) {
  auto parsed = NewParsedText();
  parsed->buffer = std::move(text);
  ParseBuffer(parsed.get(), table);
  return parsed;
}

ReplyStream::ReplyStream(std::unique_ptr<ResultStream> result, std::string tail)
    : result_(std::move(result)), tail_(std::move(tail)) {}

ReplyStream::~ReplyStream() = default;

bool ReplyStream::Next(std::string* out, size_t max_bytes) {
  if (result_ != nullptr) {
    if (!result_->Next(out, max_bytes)) return false;
    result_.reset();  // its memory (and reservation) goes at once
  }
  out->append(tail_);
  return true;
}

bool ExecuteText(ParsedText& text, const CallerInfo& caller,
                 const ExecuteHooks& hooks, std::string* out,
                 std::unique_ptr<ReplyStream>* stream) {
  ReplyWriter reply;
  if (!text.text_error.ok()) {
    WriteError(nullptr, text.text_error, reply);
    if (hooks.observe) hooks.observe(RequestItem{}, text.text_error, 0, caller);
    reply.AppendTo(out);
    return true;
  }
  size_t replies = 0;
  if (text.batch) reply.Raw("[");
  JsonAllocator& alloc = text.doc.GetAllocator();
  for (auto& item : text.items) {
    uint64_t start = MonotonicNanos();
    JsonValue result;
    std::unique_ptr<ResultStream> result_stream;
    Status s = RunOne(item, caller, hooks, alloc, &result, &result_stream);
    if (s.code() == StatusCode::kWouldBlock && caller.on_loop && !text.batch) {
      return false;  // nothing written: the caller sends it to the pool
    }
    if (hooks.observe) hooks.observe(item, s, MonotonicNanos() - start, caller);
    if (item.notification) continue;
    if (replies++ != 0) reply.Raw(",");
    if (s.ok() && result_stream != nullptr && stream != nullptr &&
        !text.batch) {
      // Streamed: the head goes out now, the caller sends the rest.
      reply.Raw(kResultHead);
      const size_t head = reply.View().size();
      WriteId(&item, reply);
      reply.Raw("}\n");
      const std::string_view all = reply.View();
      out->append(all.substr(0, head));
      *stream = std::make_unique<ReplyStream>(std::move(result_stream),
                                              std::string(all.substr(head)));
      return true;
    }
    if (s.ok()) {
      WriteResult(item, result, result_stream.get(), reply);
    } else {
      WriteError(&item, s, reply);
    }
  }
  if (text.batch) reply.Raw("]");
  if (replies == 0) return true;  // notifications only: no reply at all
  reply.AppendTo(out);
  return true;
}

void AppendRejection(const ParsedText& text, const Status& status,
                     std::string* out) {
  ReplyWriter reply;
  if (!text.text_error.ok()) {
    WriteError(nullptr, text.text_error, reply);
  } else {
    size_t replies = 0;
    if (text.batch) reply.Raw("[");
    for (const auto& item : text.items) {
      if (item.notification) continue;
      if (replies++ != 0) reply.Raw(",");
      WriteError(&item, item.error.ok() ? status : item.error, reply);
    }
    if (text.batch) reply.Raw("]");
    if (replies == 0) return;
  }
  reply.AppendTo(out);
}

void AppendErrorReply(const Status& status, std::string* out) {
  ReplyWriter reply;
  WriteError(nullptr, status, reply);
  reply.AppendTo(out);
}

}  // namespace goxel::rpc
