#include "rpc/json_scan.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace goxel::rpc {

namespace {

using rapidjson::ParseErrorCode;

inline bool IsWs(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}
inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Bytes a string may hold as they are: not '"', '\\', control characters or
// bytes >= 0x80 (which start UTF-8 sequences to check).
struct PlainTable {
  bool plain[256] = {};
  constexpr PlainTable() {
    for (int c = 0x20; c < 0x80; ++c) plain[c] = c != '"' && c != '\\';
  }
};
constexpr PlainTable kPlain;

// Bytes that matter when skipping a container: brackets and quotes.
struct StructuralTable {
  bool is[256] = {};
  constexpr StructuralTable() {
    for (unsigned char c : {'{', '}', '[', ']', '"'}) is[c] = true;
  }
};
constexpr StructuralTable kStructural;

// The first byte at or after p that is not plain, or end.
inline const char* FindSpecial(const char* p, const char* end) {
#ifdef __SSE2__
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i space = _mm_set1_epi8(0x20);
  while (end - p >= 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // Signed compare: catches control characters and bytes >= 0x80.
    __m128i m = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
        _mm_cmplt_epi8(v, space));
    int bits = _mm_movemask_epi8(m);
    if (bits != 0) return p + __builtin_ctz(static_cast<unsigned>(bits));
    p += 16;
  }
#endif
  while (p < end && kPlain.plain[static_cast<unsigned char>(*p)]) ++p;
  return p;
}

// The first '"' or '\\' at or after p, or end (valid text: no checks).
inline const char* FindQuoteOrEscape(const char* p, const char* end) {
#ifdef __SSE2__
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  while (end - p >= 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    int bits = _mm_movemask_epi8(
        _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
    if (bits != 0) return p + __builtin_ctz(static_cast<unsigned>(bits));
    p += 16;
  }
#endif
  while (p < end && *p != '"' && *p != '\\') ++p;
  return p;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Four hex digits at p (p + 4 <= end checked by the caller), or -1.
int Hex4(const char* p) {
  int v = 0;
  for (int i = 0; i < 4; ++i) {
    int h = HexValue(p[i]);
    if (h < 0) return -1;
    v = (v << 4) | h;
  }
  return v;
}

// A double from the valid number [p, q); +-inf when it overflows.
double ToDouble(const char* p, const char* q) {
  double d = 0;
  auto r = std::from_chars(p, q, d);
  if (r.ec == std::errc()) return d;
  // Out of range: strtod says which way (inf on overflow, 0 on underflow).
  std::string copy(p, q);
  return std::strtod(copy.c_str(), nullptr);
}

class Validator {
 public:
  Validator(std::string_view text, JsonSyntaxError* error)
      : begin_(text.data()),
        p_(text.data()),
        end_(text.data() + text.size()),
        error_(error) {}

  bool Run();

 private:
  bool Fail(const char* at, ParseErrorCode code) {
    error_->offset = static_cast<size_t>(at - begin_);
    error_->code = code;
    return false;
  }
  void Ws() {
    while (p_ < end_ && IsWs(*p_)) ++p_;
  }
  bool String();
  bool Escape();
  bool Utf8();
  bool Number();
  bool Literal(const char* word, size_t n);

  const char* begin_;
  const char* p_;
  const char* end_;
  JsonSyntaxError* error_;
};

bool Validator::String() {  // p_ at '"'
  const char* start = p_++;
  for (;;) {
    p_ = FindSpecial(p_, end_);
    if (p_ >= end_) {
      return Fail(start, rapidjson::kParseErrorStringMissQuotationMark);
    }
    unsigned char c = static_cast<unsigned char>(*p_);
    if (c == '"') {
      ++p_;
      return true;
    }
    if (c == '\\') {
      if (!Escape()) return false;
    } else if (c < 0x20) {
      return Fail(p_, rapidjson::kParseErrorStringInvalidEncoding);
    } else if (!Utf8()) {
      return Fail(p_, rapidjson::kParseErrorStringInvalidEncoding);
    }
  }
}

bool Validator::Escape() {  // p_ at '\\'
  const char* at = p_;
  if (end_ - p_ < 2) return Fail(at, rapidjson::kParseErrorStringEscapeInvalid);
  char e = p_[1];
  if (e != 'u') {
    if (strchr("\"\\/bfnrt", e) == nullptr || e == '\0') {
      return Fail(at, rapidjson::kParseErrorStringEscapeInvalid);
    }
    p_ += 2;
    return true;
  }
  int cp = end_ - p_ >= 6 ? Hex4(p_ + 2) : -1;
  if (cp < 0)
    return Fail(at, rapidjson::kParseErrorStringUnicodeEscapeInvalidHex);
  p_ += 6;
  if (cp >= 0xDC00 && cp <= 0xDFFF) {
    return Fail(at, rapidjson::kParseErrorStringUnicodeSurrogateInvalid);
  }
  if (cp >= 0xD800 && cp <= 0xDBFF) {  // must be followed by a low half
    int low =
        end_ - p_ >= 6 && p_[0] == '\\' && p_[1] == 'u' ? Hex4(p_ + 2) : -1;
    if (low < 0xDC00 || low > 0xDFFF) {
      return Fail(at, rapidjson::kParseErrorStringUnicodeSurrogateInvalid);
    }
    p_ += 6;
  }
  return true;
}

bool Validator::Utf8() {  // p_ at a byte >= 0x80; RFC 3629 sequences only
  const unsigned char* s = reinterpret_cast<const unsigned char*>(p_);
  size_t left = static_cast<size_t>(end_ - p_);
  unsigned char c = s[0];
  size_t n;
  unsigned char lo = 0x80, hi = 0xBF;  // range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;  // no UTF-16 surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return false;
  }
  if (left < n || s[1] < lo || s[1] > hi) return false;
  for (size_t i = 2; i < n; ++i) {
    if (s[i] < 0x80 || s[i] > 0xBF) return false;
  }
  p_ += n;
  return true;
}

bool Validator::Number() {
  const char* start = p_;
  if (*p_ == '-') ++p_;
  if (p_ >= end_ || !IsDigit(*p_)) {
    return Fail(start, rapidjson::kParseErrorValueInvalid);
  }
  const char* int_begin = p_;
  if (*p_ == '0') {
    ++p_;
  } else {
    while (p_ < end_ && IsDigit(*p_)) ++p_;
  }
  size_t int_digits = static_cast<size_t>(p_ - int_begin);
  bool exponent = false;
  if (p_ < end_ && *p_ == '.') {
    ++p_;
    if (p_ >= end_ || !IsDigit(*p_)) {
      return Fail(p_, rapidjson::kParseErrorNumberMissFraction);
    }
    while (p_ < end_ && IsDigit(*p_)) ++p_;
  }
  if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
    ++p_;
    if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
    if (p_ >= end_ || !IsDigit(*p_)) {
      return Fail(p_, rapidjson::kParseErrorNumberMissExponent);
    }
    while (p_ < end_ && IsDigit(*p_)) ++p_;
    exponent = true;
  }
  // Only an exponent or a very long integer part can overflow a double.
  if ((exponent || int_digits > 300) && std::isinf(ToDouble(start, p_))) {
    return Fail(start, rapidjson::kParseErrorNumberTooBig);
  }
  return true;
}

bool Validator::Literal(const char* word, size_t n) {
  if (static_cast<size_t>(end_ - p_) < n || memcmp(p_, word, n) != 0) {
    return Fail(p_, rapidjson::kParseErrorValueInvalid);
  }
  p_ += n;
  return true;
}

// An explicit stack of open containers ('{' or '['): no recursion, so no
// depth can overflow the thread's stack.
bool Validator::Run() {
  std::string stack;
  Ws();
  if (p_ >= end_) return Fail(p_, rapidjson::kParseErrorDocumentEmpty);
value:
  switch (*p_) {
    case '{':
      ++p_;
      Ws();
      if (p_ < end_ && *p_ == '}') {
        ++p_;
        goto after;
      }
      stack.push_back('{');
      goto key;
    case '[':
      ++p_;
      Ws();
      if (p_ < end_ && *p_ == ']') {
        ++p_;
        goto after;
      }
      stack.push_back('[');
      goto element;
    case '"':
      if (!String()) return false;
      goto after;
    case 't':
      if (!Literal("true", 4)) return false;
      goto after;
    case 'f':
      if (!Literal("false", 5)) return false;
      goto after;
    case 'n':
      if (!Literal("null", 4)) return false;
      goto after;
    default:
      if (*p_ != '-' && !IsDigit(*p_)) {
        return Fail(p_, rapidjson::kParseErrorValueInvalid);
      }
      if (!Number()) return false;
      goto after;
  }
key:  // inside an object, before a member (whitespace skipped)
  if (p_ >= end_ || *p_ != '"') {
    return Fail(p_, rapidjson::kParseErrorObjectMissName);
  }
  if (!String()) return false;
  Ws();
  if (p_ >= end_ || *p_ != ':') {
    return Fail(p_, rapidjson::kParseErrorObjectMissColon);
  }
  ++p_;
element:  // before a value inside a container
  Ws();
  if (p_ >= end_) return Fail(p_, rapidjson::kParseErrorValueInvalid);
  goto value;
after:  // after a complete value
  if (stack.empty()) {
    Ws();
    if (p_ != end_) {
      return Fail(p_, rapidjson::kParseErrorDocumentRootNotSingular);
    }
    return true;
  }
  Ws();
  {
    const bool object = stack.back() == '{';
    if (p_ < end_ && *p_ == ',') {
      ++p_;
      Ws();
      if (object) goto key;
      goto element;
    }
    if (p_ < end_ && *p_ == (object ? '}' : ']')) {
      ++p_;
      stack.pop_back();
      goto after;
    }
    return Fail(p_, object
                        ? rapidjson::kParseErrorObjectMissCommaOrCurlyBracket
                        : rapidjson::kParseErrorArrayMissCommaOrSquareBracket);
  }
}

// ---- Numbers
// -----------------------------------------------------------------

enum class NumberKind { kInt, kUint, kInt64, kUint64, kDouble };

// Classifies the valid number [p, q) as RapidJSON's reader would.
NumberKind Classify(const char* p, const char* q, uint64_t* magnitude) {
  bool negative = *p == '-';
  const char* d = p + (negative ? 1 : 0);
  uint64_t m = 0;
  for (; d < q; ++d) {
    if (!IsDigit(*d)) return NumberKind::kDouble;  // fraction or exponent
    unsigned digit = static_cast<unsigned>(*d - '0');
    if (m > (UINT64_MAX - digit) / 10) return NumberKind::kDouble;
    m = m * 10 + digit;
  }
  *magnitude = m;
  if (!negative) {
    return m <= UINT32_MAX ? NumberKind::kUint : NumberKind::kUint64;
  }
  if (m <= 0x80000000ull) return NumberKind::kInt;
  if (m <= 0x8000000000000000ull) return NumberKind::kInt64;
  return NumberKind::kDouble;
}

const char* NumberEnd(const char* p, const char* end) {
  while (p < end && (IsDigit(*p) || *p == '-' || *p == '+' || *p == '.' ||
                     *p == 'e' || *p == 'E'))
    ++p;
  return p;
}

template <typename Handler>
void EmitNumber(Handler& h, const char* p, const char* q) {
  uint64_t m = 0;
  switch (Classify(p, q, &m)) {
    case NumberKind::kUint:
      h.Uint(static_cast<unsigned>(m));
      break;
    case NumberKind::kUint64:
      h.Uint64(m);
      break;
    case NumberKind::kInt:
      h.Int(static_cast<int>(~static_cast<uint32_t>(m) + 1));
      break;
    case NumberKind::kInt64:
      h.Int64(static_cast<int64_t>(~m + 1));
      break;
    case NumberKind::kDouble:
      h.Double(ToDouble(p, q));
      break;
  }
}

// ---- DOM building
// --------------------------------------------------------------

// Reads the key at p ('"'), emits it, and returns p past the ':' and
// whitespace.
char* EmitKey(JsonDocument& h, char* p, char* end) {
  std::string_view key;
  p = ReadJsonStringInSitu(p, end, &key);
  h.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()), false);
  p = const_cast<char*>(SkipJsonWs(p, end)) + 1;  // ':'
  return const_cast<char*>(SkipJsonWs(p, end));
}

char* EmitScalar(JsonDocument& h, char* p, char* end) {
  switch (*p) {
    case '"': {
      std::string_view s;
      p = ReadJsonStringInSitu(p, end, &s);
      h.String(s.data(), static_cast<rapidjson::SizeType>(s.size()), false);
      return p;
    }
    case 't':
      h.Bool(true);
      return p + 4;
    case 'f':
      h.Bool(false);
      return p + 5;
    case 'n':
      h.Null();
      return p + 4;
    default: {
      char* q = const_cast<char*>(NumberEnd(p, end));
      EmitNumber(h, p, q);
      return q;
    }
  }
}

// Emits the valid value at p into the document's handler interface.
char* EmitValue(JsonDocument& h, char* p, char* end) {
  struct Frame {
    bool object;
    rapidjson::SizeType count;
  };
  std::vector<Frame> stack;
  for (;;) {
    p = const_cast<char*>(SkipJsonWs(p, end));
    if (*p == '{' || *p == '[') {
      const bool object = *p == '{';
      p = const_cast<char*>(SkipJsonWs(p + 1, end));
      if (object) {
        h.StartObject();
      } else {
        h.StartArray();
      }
      if (*p != (object ? '}' : ']')) {
        stack.push_back({object, 0});
        if (object) p = EmitKey(h, p, end);
        continue;
      }
      ++p;
      if (object) {
        h.EndObject(0);
      } else {
        h.EndArray(0);
      }
    } else {
      p = EmitScalar(h, p, end);
    }
    // After a complete value: next member or element, or close containers.
    for (;;) {
      if (stack.empty()) return p;
      Frame& f = stack.back();
      ++f.count;
      p = const_cast<char*>(SkipJsonWs(p, end));
      if (*p == ',') {
        p = const_cast<char*>(SkipJsonWs(p + 1, end));
        if (f.object) p = EmitKey(h, p, end);
        break;
      }
      ++p;  // the closing bracket
      if (f.object) {
        h.EndObject(f.count);
      } else {
        h.EndArray(f.count);
      }
      stack.pop_back();
    }
  }
}

// Emits the container at p, asking `filter` about each top-level item.
char* EmitFiltered(JsonDocument& h, char* p, char* end,
                   RawMemberFilter& filter) {
  const bool object = *p == '{';
  if (object) {
    h.StartObject();
  } else {
    h.StartArray();
  }
  p = const_cast<char*>(SkipJsonWs(p + 1, end));
  rapidjson::SizeType count = 0;
  size_t index = 0;
  while (*p != (object ? '}' : ']')) {
    std::string_view key;
    if (object) {
      p = ReadJsonStringInSitu(p, end, &key);
      p = const_cast<char*>(SkipJsonWs(p, end)) + 1;  // ':'
      p = const_cast<char*>(SkipJsonWs(p, end));
    }
    char* value_end = const_cast<char*>(SkipJsonValue(p, end));
    if (filter.KeepRaw(object, key, index, p,
                       static_cast<size_t>(value_end - p))) {
      p = value_end;
      if (!object) {
        h.Null();
        ++count;
      }
    } else {
      if (object) {
        h.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()), false);
      }
      p = EmitValue(h, p, end);
      ++count;
    }
    ++index;
    p = const_cast<char*>(SkipJsonWs(p, end));
    if (*p == ',') p = const_cast<char*>(SkipJsonWs(p + 1, end));
  }
  if (object) {
    h.EndObject(count);
  } else {
    h.EndArray(count);
  }
  return p + 1;
}

}  // namespace

bool ValidateJson(std::string_view text, JsonSyntaxError* error) {
  return Validator(text, error).Run();
}

const char* SkipJsonWs(const char* p, const char* end) {
  while (p < end && IsWs(*p)) ++p;
  return p;
}

const char* SkipJsonValue(const char* p, const char* end) {
  if (*p == '"') {
    for (++p;;) {  // to the closing quote
      p = FindQuoteOrEscape(p, end);
      if (p >= end) return end;
      if (*p == '"') return p + 1;
      p += 2;  // an escape and the byte it escapes
    }
  }
  if (*p == '{' || *p == '[') {
    int depth = 1;
    for (++p; p < end; ++p) {
      char c = *p;
      if (!kStructural.is[static_cast<unsigned char>(c)]) continue;
      if (c == '"') {
        p = SkipJsonValue(p, end) - 1;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (--depth == 0) {
        return p + 1;
      }
    }
    return end;
  }
  if (*p == 't' || *p == 'n') return p + 4;
  if (*p == 'f') return p + 5;
  return NumberEnd(p, end);
}

char* ReadJsonStringInSitu(char* p, const char* end, std::string_view* out) {
  char* const start = p + 1;
  char* src = start;
  char* dst = start;
  for (;;) {
    char* q = const_cast<char*>(FindQuoteOrEscape(src, end));
    if (dst != src) memmove(dst, src, static_cast<size_t>(q - src));
    dst += q - src;
    src = q;
    if (*src == '"') break;
    char e = src[1];
    src += 2;
    switch (e) {
      case 'b':
        *dst++ = '\b';
        break;
      case 'f':
        *dst++ = '\f';
        break;
      case 'n':
        *dst++ = '\n';
        break;
      case 'r':
        *dst++ = '\r';
        break;
      case 't':
        *dst++ = '\t';
        break;
      case 'u': {
        uint32_t cp = static_cast<uint32_t>(Hex4(src));
        src += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {  // validated: a low half follows
          uint32_t low = static_cast<uint32_t>(Hex4(src + 2));
          src += 6;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        if (cp < 0x80) {
          *dst++ = static_cast<char>(cp);
        } else if (cp < 0x800) {
          *dst++ = static_cast<char>(0xC0 | (cp >> 6));
          *dst++ = static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
          *dst++ = static_cast<char>(0xE0 | (cp >> 12));
          *dst++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
          *dst++ = static_cast<char>(0x80 | (cp & 0x3F));
        } else {
          *dst++ = static_cast<char>(0xF0 | (cp >> 18));
          *dst++ = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
          *dst++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
          *dst++ = static_cast<char>(0x80 | (cp & 0x3F));
        }
        break;
      }
      default:  // '"', '\\', '/'
        *dst++ = e;
        break;
    }
  }
  *dst = '\0';
  *out = std::string_view(start, static_cast<size_t>(dst - start));
  return src + 1;
}

JsonValue JsonNumberValue(const char* p, const char* q) {
  struct Capture {
    JsonValue v;
    void Uint(unsigned u) { v.SetUint(u); }
    void Uint64(uint64_t u) { v.SetUint64(u); }
    void Int(int i) { v.SetInt(i); }
    void Int64(int64_t i) { v.SetInt64(i); }
    void Double(double d) { v.SetDouble(d); }
  } c;
  EmitNumber(c, p, q);
  return std::move(c.v);
}

bool JsonSmallInt(const char* p, const char* q, int64_t lo, int64_t hi,
                  int64_t* out) {
  bool negative = p < q && *p == '-';
  const char* d = p + (negative ? 1 : 0);
  if (d >= q || q - d > 18) return false;
  int64_t v = 0;
  for (; d < q; ++d) {
    if (!IsDigit(*d)) return false;
    v = v * 10 + (*d - '0');
  }
  if (negative) v = -v;
  if (v < lo || v > hi) return false;
  *out = v;
  return true;
}

char* BuildInSitu(char* p, char* end, JsonAllocator& alloc, JsonValue* out,
                  RawMemberFilter* filter) {
  // A shared, stateless stack allocator: a Document would otherwise
  // allocate one of its own each time.
  static rapidjson::CrtAllocator stack_allocator;
  JsonDocument doc(&alloc, 1024, &stack_allocator);
  p = const_cast<char*>(SkipJsonWs(p, end));
  auto generate = [&](JsonDocument& h) {
    if (filter != nullptr && (*p == '{' || *p == '[')) {
      p = EmitFiltered(h, p, end, *filter);
    } else {
      p = EmitValue(h, p, end);
    }
    return true;
  };
  doc.Populate(generate);
  out->Swap(doc);
  return p;
}

}  // namespace goxel::rpc
