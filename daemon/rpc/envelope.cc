#include "rpc/envelope.h"

#include <rapidjson/error/en.h>

#include <cstring>
#include <new>

#include "base/clock.h"
#include "rpc/errors.h"
#include "rpc/json_scan.h"

namespace goxel::rpc {

namespace {

// ---- Envelope checks ------------------------------------------------------
// The text has passed ValidateJson(): the walk below reads it without
// checking syntax, unescaping member names and the few values it needs in
// place. Params stay text until the request runs (BuildParams).

Status InvalidRequest(std::string message, std::string member) {
  return Status::InvalidRequest(std::move(message)).With("member", member);
}

// The type name (JsonTypeName) of the valid value at p.
const char* TypeNameAt(const char* p, const char* end) {
  switch (*p) {
    case '{':
      return "an object";
    case '[':
      return "an array";
    case '"':
      return "a string";
    case 't':
    case 'f':
      return "a boolean";
    case 'n':
      return "null";
    default:
      return JsonTypeName(JsonNumberValue(p, SkipJsonValue(p, end)));
  }
}

// A value's text inside the buffer (mutable: strings are read in place).
struct Span {
  char* begin = nullptr;
  char* end = nullptr;
  // A string without escapes: its characters are where they are, between
  // begin + 1 and end - 1.
  bool plain = false;
  bool present() const { return begin != nullptr; }
  std::string_view view() const {
    return std::string_view(begin, static_cast<size_t>(end - begin));
  }
};

// The envelope members of a request object; the first of duplicates wins,
// as with RapidJSON's FindMember.
struct Envelope {
  Span id, jsonrpc, method, params;
};

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
// The first n bytes of s as a little-endian word.
constexpr uint64_t Word(const char* s, int n) {
  uint64_t w = 0;
  for (int i = n - 1; i >= 0; --i)
    w = w << 8 | static_cast<unsigned char>(s[i]);
  return w;
}
#endif

// The slot of the envelope member whose key opens at p, recognised with one
// 8-byte load (key and closing quote compared at once); *after is set past
// the key. Null for any other key and when the text is too short to load,
// which the caller then reads the slow way.
Span* EnvelopeKey(const char* p, const char* end, Envelope* env,
                  const char** after) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if (end - p < 9) return nullptr;
  uint64_t v;
  memcpy(&v, p + 1, 8);
  constexpr uint64_t kSeven = (uint64_t{1} << 56) - 1;
  if (v == Word("jsonrpc\"", 8)) {
    *after = p + 9;
    return &env->jsonrpc;
  }
  if ((v & kSeven) == Word("method\"", 7)) {
    *after = p + 8;
    return &env->method;
  }
  if ((v & kSeven) == Word("params\"", 7)) {
    *after = p + 8;
    return &env->params;
  }
  if ((v & 0xFFFFFF) == Word("id\"", 3)) {
    *after = p + 4;
    return &env->id;
  }
#else
  (void)p;
  (void)end;
  (void)env;
  (void)after;
#endif
  return nullptr;
}

// The slot of the envelope member named `key`, or null.
Span* EnvelopeSlot(std::string_view key, Envelope* env) {
  if (key == "id") return &env->id;
  if (key == "jsonrpc") return &env->jsonrpc;
  if (key == "method") return &env->method;
  if (key == "params") return &env->params;
  return nullptr;
}

// The valid value at p. A string's end is found here, once, and a string
// without escapes is marked plain so that it is never scanned again.
Span ValueAt(char* p, char* end, JsonSkipper& skip) {
  if (*p == '"') {
    std::string_view chars;
    const char* after = JsonPlainString(p, end, &chars);
    if (after != nullptr) return Span{p, const_cast<char*>(after), true};
  }
  return Span{p, const_cast<char*>(skip.Skip(p, end)), false};
}

// p at '{': finds the envelope members; returns the byte after the object.
char* ReadEnvelope(char* p, char* end, JsonSkipper& skip, Envelope* env) {
  p = const_cast<char*>(SkipJsonWs(p + 1, end));
  while (*p != '}') {
    const char* after = nullptr;
    Span* slot = EnvelopeKey(p, end, env, &after);
    if (slot != nullptr) {
      p = const_cast<char*>(after);
    } else {
      // Other keys are only compared: one without escapes is read where it
      // is.
      std::string_view key;
      after = JsonPlainString(p, end, &key);
      p = after != nullptr ? const_cast<char*>(after)
                           : ReadJsonStringInSitu(p, end, &key);
      slot = EnvelopeSlot(key, env);
    }
    p = const_cast<char*>(SkipJsonWs(p, end)) + 1;  // ':'
    p = const_cast<char*>(SkipJsonWs(p, end));
    Span value = ValueAt(p, end, skip);
    if (slot != nullptr && !slot->present()) *slot = value;
    p = const_cast<char*>(SkipJsonWs(value.end, end));
    if (*p == ',') p = const_cast<char*>(SkipJsonWs(p + 1, end));
  }
  return p + 1;
}

// A string value read in place.
std::string_view StringAt(Span s, const char* end) {
  std::string_view out;
  ReadJsonStringInSitu(s.begin, end, &out);
  return out;
}

// A string value only compared or copied: read where it is when it holds no
// escape (nothing written), else unescaped in place.
std::string_view PeekStringAt(Span s, const char* end) {
  if (s.plain) {
    return std::string_view(s.begin + 1,
                            static_cast<size_t>(s.end - s.begin - 2));
  }
  std::string_view out;
  if (JsonPlainString(s.begin, end, &out) == nullptr) {
    ReadJsonStringInSitu(s.begin, end, &out);
  }
  return out;
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

// Reads the id at `s` into a value allocated in `alloc`; keeps its exact
// text in item->raw_id when printing the value would spell it differently
// (1e2, 1.50, -0, big integers, escapes).
void ReadId(Span s, const char* end, JsonAllocator& alloc, RequestItem* item) {
  auto* id = new (alloc.Malloc(sizeof(JsonValue))) JsonValue();
  std::string_view text = s.view();
  if (*s.begin == '"') {
    if (text.find('\\') != std::string_view::npos) item->raw_id = text;
    std::string_view v = StringAt(s, end);
    id->SetString(rapidjson::StringRef(
        v.data(), static_cast<rapidjson::SizeType>(v.size())));
  } else if (*s.begin != 'n') {
    int64_t small = 0;
    if (*s.begin != '-' &&
        JsonSmallInt(s.begin, s.end, 0, UINT32_MAX, &small)) {
      id->SetUint(static_cast<unsigned>(small));  // as JsonNumberValue would
    } else {
      *id = JsonNumberValue(s.begin, s.end);
      if (id->IsDouble() || text == "-0") item->raw_id = text;
    }
  }
  item->id = id;
}

void CheckEnvelope(const Envelope& env, const char* end,
                   const MethodTable& table, MethodCache& methods,
                   JsonAllocator& alloc, RequestItem* item);

// Checks the request at p; returns the byte after it.
char* CheckItem(char* p, char* end, JsonSkipper& skip, const MethodTable& table,
                MethodCache& methods, size_t index, bool batch,
                JsonAllocator& alloc, RequestItem* item) {
  if (*p != '{') {
    item->error = Status::InvalidRequest(
        std::string("a request must be a JSON object, got ") +
        TypeNameAt(p, end));
    if (batch) item->error.With("index", static_cast<int64_t>(index));
    return const_cast<char*>(skip.Skip(p, end));
  }
  Envelope env;
  char* next = ReadEnvelope(p, end, skip, &env);
  CheckEnvelope(env, end, table, methods, alloc, item);
  return next;
}

// Checks a request's envelope members (CheckItem's second half).
void CheckEnvelope(const Envelope& env, const char* end,
                   const MethodTable& table, MethodCache& methods,
                   JsonAllocator& alloc, RequestItem* item) {
  if (!env.id.present()) {
    item->notification = true;
  } else if (*env.id.begin == '"' || *env.id.begin == 'n' ||
             *env.id.begin == '-' ||
             (*env.id.begin >= '0' && *env.id.begin <= '9')) {
    ReadId(env.id, end, alloc, item);
  } else {
    item->error = InvalidRequest(std::string("\"id\" must be a string, a "
                                             "number or null, got ") +
                                     TypeNameAt(env.id.begin, end),
                                 "id");
    return;
  }
  if (!env.jsonrpc.present() || *env.jsonrpc.begin != '"' ||
      PeekStringAt(env.jsonrpc, end) != std::string_view("2.0", 3)) {
    item->error =
        InvalidRequest("\"jsonrpc\" must be exactly \"2.0\"", "jsonrpc");
    item->notification = false;  // invalid requests are always answered
    return;
  }
  if (!env.method.present() || *env.method.begin != '"') {
    item->error = InvalidRequest("\"method\" must be a string", "method");
    item->notification = false;
    return;
  }
  if (env.params.present()) {
    if (*env.params.begin != '{' && *env.params.begin != '[') {
      item->error = InvalidRequest(
          std::string("\"params\" must be an object or an array, got ") +
              TypeNameAt(env.params.begin, end),
          "params");
      item->notification = false;
      return;
    }
    item->params_text = env.params.view();
  }
  std::string_view name = PeekStringAt(env.method, end);
  item->method = methods.Find(table, name);
  if (item->method == nullptr) {
    item->error = Status::Error(StatusCode::kMethodNotFound,
                                "method not found: " + std::string(name))
                      .With("method", std::string(name));
  }
}

// Collects the ParamSpec::raw params while BuildInSitu builds the others.
class RawCollector : public RawMemberFilter {
 public:
  RawCollector(const std::vector<ParamSpec>& specs, std::vector<RawParam>* out)
      : specs_(specs), out_(out) {}
  bool KeepRaw(bool member, std::string_view key, size_t index, char* value,
               size_t size) override {
    const ParamSpec* spec = nullptr;
    if (member) {  // by name only: an empty key is no position
      for (const ParamSpec& s : specs_) {
        if (s.raw && s.name == key) spec = &s;
      }
    } else if (index < specs_.size() && specs_[index].raw) {
      spec = &specs_[index];
    }
    if (spec == nullptr) return false;
    for (const RawParam& r : *out_) {
      if (r.name == spec->name) return true;  // a duplicate: first wins
    }
    if (*value == 'n') {
      // null: absent, as for Get(); it stays in the DOM and is remembered
      // (no text), so that a later duplicate does not win over it.
      out_->push_back({spec->name, nullptr, 0});
      return false;
    }
    out_->push_back({spec->name, value, size});
    return true;
  }

 private:
  const std::vector<ParamSpec>& specs_;
  std::vector<RawParam>* out_;
};

bool HasRawSpecs(const MethodSpec& m) {
  for (const ParamSpec& s : m.params) {
    if (s.raw) return true;
  }
  return false;
}

// Builds item.params from its text, once (a request retried on a worker
// after kWouldBlock keeps what the loop built).
void BuildParams(RequestItem& item, JsonAllocator& alloc, JsonSkipper& skip) {
  if (item.params != nullptr || item.params_text.empty()) return;
  char* begin = const_cast<char*>(item.params_text.data());
  char* end = begin + item.params_text.size();
  auto* value = new (alloc.Malloc(sizeof(JsonValue))) JsonValue();
  if (HasRawSpecs(*item.method)) {
    RawCollector raws(item.method->params, &item.raw_params);
    BuildInSitu(begin, end, alloc, value, &raws, &skip);
  } else {
    BuildInSitu(begin, end, alloc, value);
  }
  item.params = value;
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
  void Json(const JsonValue& v) { AppendJson(v, &s_->sb); }
  void String(std::string_view chars) { AppendJsonString(chars, &s_->sb); }
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

void WriteResult(const RequestItem& item, const JsonValue& result,
                 ReplyWriter& reply) {
  reply.Raw("{\"jsonrpc\":\"2.0\",\"result\":");
  reply.Json(result);
  WriteId(&item, reply);
  reply.Raw("}");
}

Status RunOne(RequestItem& item, const CallerInfo& caller,
              const ExecuteHooks& hooks, JsonAllocator& alloc,
              JsonSkipper& skip, JsonValue* result) {
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
  BuildParams(item, alloc, skip);
  Params params(item.params, &m.params, &item.raw_params);
  GOXEL_RETURN_IF_ERROR(params.CheckShape(m.accepts_any_params));
  if (!m.accepts_any_params)
    GOXEL_RETURN_IF_ERROR(params.CheckNames(m.ignored));
  Call call(params, alloc, caller);
  Status s = m.handler(call);
  if (s.ok()) *result = std::move(call.result());
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

namespace {

// Validates parsed->buffer, then checks each request's envelope.
void ParseBuffer(ParsedText* parsed, const MethodTable& table) {
  std::string& buffer = parsed->buffer;
  JsonSyntaxError error;
  if (!ValidateJson(buffer, &error, &parsed->index)) {
    std::string reason = rapidjson::GetParseError_En(error.code);
    parsed->text_error =
        Status::ParseError("parse error: " + reason + " at byte " +
                           std::to_string(error.offset))
            .With("offset", static_cast<int64_t>(error.offset))
            .With("reason", reason);
    return;
  }
  JsonAllocator& alloc = parsed->doc.GetAllocator();
  char* end = buffer.data() + buffer.size();
  char* p = const_cast<char*>(SkipJsonWs(buffer.data(), end));
  JsonSkipper skip(&parsed->index, buffer.data());
  MethodCache methods;
  parsed->batch = *p == '[';
  if (!parsed->batch) {
    parsed->items.resize(1);
    CheckItem(p, end, skip, table, methods, 0, false, alloc, &parsed->items[0]);
    return;
  }
  p = const_cast<char*>(SkipJsonWs(p + 1, end));
  if (*p == ']') {
    parsed->text_error =
        Status::InvalidRequest("a batch must not be an empty array")
            .With("reason", std::string("empty batch"));
    return;
  }
  parsed->items.reserve(parsed->index.root_items);
  for (size_t index = 0;; ++index) {
    parsed->items.emplace_back();
    char* value_end = CheckItem(p, end, skip, table, methods, index, true,
                                alloc, &parsed->items.back());
    p = const_cast<char*>(SkipJsonWs(value_end, end));
    if (*p != ',') break;
    p = const_cast<char*>(SkipJsonWs(p + 1, end));
  }
}

}  // namespace

namespace {

// Reuse hides a use after free from the sanitizers: off under them.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define GOXEL_PARSED_TEXT_CACHE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define GOXEL_PARSED_TEXT_CACHE 0
#endif
#endif
#ifndef GOXEL_PARSED_TEXT_CACHE
#define GOXEL_PARSED_TEXT_CACHE 1
#endif

// The storage is raw memory from ::operator new(size).
static_assert(alignof(ParsedText) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);

// Set when this thread's cache is gone (thread exit): a ParsedText freed
// after it (one held by a later-destroyed thread_local or static) is simply
// deleted. Trivially destructible, so it outlives the cache.
thread_local bool tls_parsed_texts_gone = false;

// Storage of ParsedTexts this thread destroyed, ready for placement new,
// with the (emptied) buffer and item vector they had: a small text's next
// parse then allocates nothing at all.
struct ParsedTextCache {
  // The loop parses a text for each connection before the first of them
  // comes back from the pool: room for a few dozen in flight (about 100 kB
  // when full, and only after such a load).
  static constexpr int kMax = 64;
  // Larger buffers and item vectors are freed, not kept for the thread's
  // life.
  static constexpr size_t kKeptBufferBytes = 4096;
  static constexpr size_t kKeptItems = 16;
  struct Slot {
    void* storage = nullptr;
    std::string buffer;
    std::vector<RequestItem> items;
  };
  ParsedTextCache() = default;
  ParsedTextCache(const ParsedTextCache&) = delete;
  ParsedTextCache& operator=(const ParsedTextCache&) = delete;
  ~ParsedTextCache() {
    tls_parsed_texts_gone = true;
    while (count > 0) ::operator delete(slots[--count].storage);
  }
  Slot slots[kMax];
  int count = 0;
};
thread_local ParsedTextCache tls_parsed_texts;

}  // namespace

ParsedTextPtr NewParsedText() {
  ParsedTextCache::Slot* slot = nullptr;
  void* storage = nullptr;
  if (GOXEL_PARSED_TEXT_CACHE && !tls_parsed_texts_gone &&
      tls_parsed_texts.count > 0) {
    slot = &tls_parsed_texts.slots[--tls_parsed_texts.count];
    storage = slot->storage;
  } else {
    storage = ::operator new(sizeof(ParsedText));
  }
  try {
    ParsedTextPtr text(new (storage) ParsedText());
    if (slot != nullptr) {
      text->buffer.swap(slot->buffer);  // both empty; the slot's has room
      text->items.swap(slot->items);
    }
    return text;
  } catch (...) {
    ::operator delete(storage);
    throw;
  }
}

bool ReusableParsedText(const ParsedText& text) {
  return text.buffer.capacity() <= ParsedTextCache::kKeptBufferBytes &&
         text.items.capacity() <= ParsedTextCache::kKeptItems;
}

void ParsedTextDeleter::operator()(ParsedText* text) const {
  if (GOXEL_PARSED_TEXT_CACHE && !tls_parsed_texts_gone &&
      tls_parsed_texts.count < ParsedTextCache::kMax) {
    ParsedTextCache::Slot& slot =
        tls_parsed_texts.slots[tls_parsed_texts.count];
    if (ReusableParsedText(*text)) {
      text->buffer.clear();
      slot.buffer.swap(text->buffer);
      text->items.clear();
      slot.items.swap(text->items);
    }
    text->~ParsedText();
    slot.storage = text;
    ++tls_parsed_texts.count;
  } else {
    text->~ParsedText();
    ::operator delete(text);
  }
}

ParsedTextPtr ParseRequestText(std::string_view text,
                               const MethodTable& table) {
  auto parsed = NewParsedText();
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

bool ExecuteText(ParsedText& text, const CallerInfo& caller,
                 const ExecuteHooks& hooks, std::string* out) {
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
  JsonSkipper skip(&text.index, text.buffer.data());
  for (auto& item : text.items) {
    uint64_t start = MonotonicNanos();
    JsonValue result;
    Status s = RunOne(item, caller, hooks, alloc, skip, &result);
    if (s.code() == StatusCode::kWouldBlock && caller.on_loop && !text.batch) {
      return false;  // nothing written: the caller sends it to the pool
    }
    if (hooks.observe) hooks.observe(item, s, MonotonicNanos() - start, caller);
    if (item.notification) continue;
    if (replies++ != 0) reply.Raw(",");
    if (s.ok()) {
      WriteResult(item, result, reply);
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
