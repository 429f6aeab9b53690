#include "rpc/json_scan.h"

#include <algorithm>
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

// ---- Validation -------------------------------------------------------------
// Both validators below check strings, escapes, UTF-8 and numbers with the
// same Scan* helpers; they differ in how they walk the grammar.

// Where and why a Scan* helper stopped.
struct Failure {
  const char* at = nullptr;
  ParseErrorCode code = rapidjson::kParseErrorNone;
};

inline bool Fails(Failure* f, const char* at, ParseErrorCode code) {
  f->at = at;
  f->code = code;
  return false;
}

// p at '\\': moves p past the escape (and the low half of a surrogate pair).
bool ScanEscape(const char*& p, const char* end, Failure* f) {
  const char* at = p;
  if (end - p < 2)
    return Fails(f, at, rapidjson::kParseErrorStringEscapeInvalid);
  char e = p[1];
  if (e != 'u') {
    if (strchr("\"\\/bfnrt", e) == nullptr || e == '\0') {
      return Fails(f, at, rapidjson::kParseErrorStringEscapeInvalid);
    }
    p += 2;
    return true;
  }
  int cp = end - p >= 6 ? Hex4(p + 2) : -1;
  if (cp < 0) {
    return Fails(f, at, rapidjson::kParseErrorStringUnicodeEscapeInvalidHex);
  }
  p += 6;
  if (cp >= 0xDC00 && cp <= 0xDFFF) {
    return Fails(f, at, rapidjson::kParseErrorStringUnicodeSurrogateInvalid);
  }
  if (cp >= 0xD800 && cp <= 0xDBFF) {  // must be followed by a low half
    int low = end - p >= 6 && p[0] == '\\' && p[1] == 'u' ? Hex4(p + 2) : -1;
    if (low < 0xDC00 || low > 0xDFFF) {
      return Fails(f, at, rapidjson::kParseErrorStringUnicodeSurrogateInvalid);
    }
    p += 6;
  }
  return true;
}

// p at a byte >= 0x80: moves p past one RFC 3629 sequence, or fails (at p).
bool ScanUtf8(const char*& p, const char* end) {
  const unsigned char* s = reinterpret_cast<const unsigned char*>(p);
  size_t left = static_cast<size_t>(end - p);
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
  p += n;
  return true;
}

// p at '"': moves p past the closing quote.
inline bool ScanString(const char*& p, const char* end, Failure* f) {
  const char* start = p++;
  for (;;) {
    p = FindSpecial(p, end);
    if (p >= end) {
      return Fails(f, start, rapidjson::kParseErrorStringMissQuotationMark);
    }
    unsigned char c = static_cast<unsigned char>(*p);
    if (c == '"') {
      ++p;
      return true;
    }
    if (c == '\\') {
      if (!ScanEscape(p, end, f)) return false;
    } else if (c < 0x20 || !ScanUtf8(p, end)) {
      return Fails(f, p, rapidjson::kParseErrorStringInvalidEncoding);
    }
  }
}

// p at '-' or a digit: moves p past the number.
inline bool ScanNumber(const char*& p, const char* end, Failure* f) {
  const char* start = p;
  if (*p == '-') ++p;
  if (p >= end || !IsDigit(*p)) {
    return Fails(f, start, rapidjson::kParseErrorValueInvalid);
  }
  const char* int_begin = p;
  if (*p == '0') {
    ++p;
  } else {
    while (p < end && IsDigit(*p)) ++p;
  }
  size_t int_digits = static_cast<size_t>(p - int_begin);
  bool exponent = false;
  if (p < end && *p == '.') {
    ++p;
    if (p >= end || !IsDigit(*p)) {
      return Fails(f, p, rapidjson::kParseErrorNumberMissFraction);
    }
    while (p < end && IsDigit(*p)) ++p;
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    ++p;
    if (p < end && (*p == '+' || *p == '-')) ++p;
    if (p >= end || !IsDigit(*p)) {
      return Fails(f, p, rapidjson::kParseErrorNumberMissExponent);
    }
    while (p < end && IsDigit(*p)) ++p;
    exponent = true;
  }
  // Only an exponent or a very long integer part can overflow a double.
  if ((exponent || int_digits > 300) && std::isinf(ToDouble(start, p))) {
    return Fails(f, start, rapidjson::kParseErrorNumberTooBig);
  }
  return true;
}

// The reference validator: a direct transcription of the grammar that
// reports the first error exactly (offset and code). ValidateJson runs it
// only for texts the fast one refused.
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
  bool Fail(const Failure& f) { return Fail(f.at, f.code); }
  void Ws() {
    while (p_ < end_ && IsWs(*p_)) ++p_;
  }
  bool String() {
    Failure f;
    return ScanString(p_, end_, &f) || Fail(f);
  }
  bool Number() {
    Failure f;
    return ScanNumber(p_, end_, &f) || Fail(f);
  }
  bool Literal(const char* word, size_t n);

  const char* begin_;
  const char* p_;
  const char* end_;
  JsonSyntaxError* error_;
};

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

// ---- The fast validator
// It accepts exactly the texts Validator accepts (same grammar, same Scan*
// helpers) but only says yes or no, which lets it keep its position in
// locals (Validator's members are reloaded after every store through a char
// pointer), and it records the JsonIndex on the way. ValidateJson runs
// Validator after a no, so every error is Validator's by construction.

struct WsTable {
  bool ws[256] = {};
  constexpr WsTable() {
    for (unsigned char c : {' ', '\n', '\r', '\t'}) ws[c] = true;
  }
};
constexpr WsTable kWs;

inline const char* SkipWs(const char* p, const char* end) {
  while (p < end && kWs.ws[static_cast<unsigned char>(*p)]) ++p;
  return p;
}

// The open containers: 64 levels in place, deeper ones on the heap.
class ContainerStack {
 public:
  ContainerStack() = default;
  ContainerStack(const ContainerStack&) = delete;
  ContainerStack& operator=(const ContainerStack&) = delete;
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  uint32_t back() const { return data_[size_ - 1]; }
  void pop() { --size_; }
  void push(uint32_t v) {
    if (size_ == cap_) Grow();
    data_[size_++] = v;
  }

 private:
  void Grow() {
    heap_.resize(cap_ * 2);  // keeps what the heap held
    if (data_ == local_) memcpy(heap_.data(), local_, sizeof local_);
    data_ = heap_.data();
    cap_ *= 2;
  }
  uint32_t local_[64];
  std::vector<uint32_t> heap_;
  uint32_t* data_ = local_;
  size_t size_ = 0;
  size_t cap_ = 64;
};

// Fills a JsonIndex: a slot per container at its opening bracket (so the
// entries stay in text order), filled or dropped at its closing one.
class IndexRecorder {
 public:
  static constexpr uint32_t kNoSlot = 0x7FFFFFFF;

  IndexRecorder(JsonIndex* index, const char* begin, size_t size)
      : index_(size >= JsonIndex::kMinTextBytes && size < UINT32_MAX / 2
                   ? index
                   : nullptr),
        begin_(begin),
        // At most one entry per 8 bytes: a bound on the memory of texts of
        // many tiny containers, far above what requests need.
        cap_(size / 8 + 16) {
    if (index_ != nullptr) index_->entries.reserve(size / 128);
  }

  uint32_t Open(const char* p) {
    if (index_ == nullptr || count_ >= cap_) return kNoSlot;
    index_->entries.push_back({Offset(p), 0, 0});
    return static_cast<uint32_t>(count_++);
  }
  void Close(uint32_t slot, const char* p) {
    if (slot == kNoSlot) return;
    std::vector<JsonIndex::Entry>& v = index_->entries;
    const uint32_t close = Offset(p);
    // A small container's nested ones are smaller still, hence dropped
    // already: its slot is the last one.
    if (close - v[slot].open + 1 < JsonIndex::kMinBytes && slot + 1 == count_) {
      v.pop_back();
      --count_;
      return;
    }
    v[slot].close = close;
    v[slot].next = static_cast<uint32_t>(count_);
  }

 private:
  uint32_t Offset(const char* p) const {
    return static_cast<uint32_t>(p - begin_);
  }
  JsonIndex* index_;
  const char* begin_;
  size_t cap_;
  size_t count_ = 0;  // entries.size(), without dividing by sizeof(Entry)
};

struct FractionOrExponentTable {
  bool is[256] = {};
  constexpr FractionOrExponentTable() {
    for (unsigned char c : {'.', 'e', 'E'}) is[c] = true;
  }
};
constexpr FractionOrExponentTable kFractionOrExponent;

// The usual number, an integer of 1 to 7 digits without a leading zero,
// fraction or exponent, found with one 8-byte load instead of a branch per
// digit (byte by byte in the last 8 bytes of the text): moves p past it.
// False for anything else (ScanNumber decides).
inline bool ShortInt(const char*& p, const char* end) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  const char* d = *p == '-' ? p + 1 : p;
  if (end - d < 8) {
    // Near the end of the text (a request's id, usually): byte by byte.
    const char* q = d;
    while (q < end && IsDigit(*q)) ++q;
    const long n = q - d;
    if (n == 0 || (d[0] == '0' && n > 1)) return false;
    if (q < end && kFractionOrExponent.is[static_cast<unsigned char>(*q)])
      return false;
    p = q;
    return true;
  }
  uint64_t v;
  memcpy(&v, d, 8);
  // A digit's high nibble is 3, and stays 3 when 6 is added. The add can
  // carry only out of a byte >= 0xFA, past the first non-digit.
  constexpr uint64_t kHigh = 0xF0F0F0F0F0F0F0F0ull;
  constexpr uint64_t kThrees = 0x3030303030303030ull;
  const uint64_t non_digit = ((v & kHigh) ^ kThrees) |
                             (((v + 0x0606060606060606ull) & kHigh) ^ kThrees);
  if (non_digit == 0) return false;
  const int n = __builtin_ctzll(non_digit) / 8;  // leading digits
  if (n == 0 || (d[0] == '0' && n > 1)) return false;
  if (kFractionOrExponent.is[static_cast<unsigned char>(d[n])]) return false;
  p = d + n;
  return true;
#else
  (void)p;
  (void)end;
  return false;
#endif
}

// FastValidate's calls of the Scan* helpers, by value: its position never
// has its address taken, so it stays in a register.
__attribute__((noinline)) const char* ScanStringOrNull(const char* p,
                                                       const char* end) {
  Failure ignored;
  return ScanString(p, end, &ignored) ? p : nullptr;
}
__attribute__((noinline)) const char* ScanNumberOrNull(const char* p,
                                                       const char* end) {
  Failure ignored;
  return ScanNumber(p, end, &ignored) ? p : nullptr;
}

// p at '"': the byte after the closing quote, or null. Inline for the
// usual string, shorter than 16 bytes and plain, found with one 16-byte
// load; the others go to ScanString.
inline const char* FastString(const char* p, const char* end) {
#ifdef __SSE2__
  if (end - p > 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 1));
    // Signed compare: catches control characters and bytes >= 0x80.
    const __m128i m =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                  _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                     _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
    const unsigned bits = static_cast<unsigned>(_mm_movemask_epi8(m));
    if (bits != 0) {
      const unsigned n = static_cast<unsigned>(__builtin_ctz(bits));
      if (p[1 + n] == '"') return p + n + 2;
    }
  } else {
    // Near the end of the text (a request's last key, usually): a plain
    // string byte by byte.
    for (const char* q = p + 1; q < end; ++q) {
      if (*q == '"') return q + 1;
      if (!kPlain.plain[static_cast<unsigned char>(*q)]) break;
    }
  }
#endif
  return ScanStringOrNull(p, end);
}

bool FastValidate(const char* const begin, const char* const end,
                  JsonIndex* index) {
  ContainerStack stack;  // (index slot << 1) | 1 for an object
  IndexRecorder recorder(index, begin, static_cast<size_t>(end - begin));
  size_t root_items = 0;  // of the top-level container
  const char* p = SkipWs(begin, end);
  if (p >= end) return false;
  const bool root_array = *p == '[';
value:
  switch (*p) {
    case '{':
    case '[': {
      const bool object = *p == '{';
      const char* open = p;
      p = SkipWs(p + 1, end);
      if (p < end && *p == (object ? '}' : ']')) {
        ++p;
        goto after;
      }
      if (stack.empty()) root_items = 1;
      stack.push(recorder.Open(open) << 1 | (object ? 1 : 0));
      if (object) goto key;
      goto element;
    }
    case '"':
      p = FastString(p, end);
      if (p == nullptr) return false;
      goto after;
    case 't':
      if (end - p < 4 || memcmp(p, "true", 4) != 0) return false;
      p += 4;
      goto after;
    case 'f':
      if (end - p < 5 || memcmp(p, "false", 5) != 0) return false;
      p += 5;
      goto after;
    case 'n':
      if (end - p < 4 || memcmp(p, "null", 4) != 0) return false;
      p += 4;
      goto after;
    default:
      if (*p != '-' && !IsDigit(*p)) return false;
      if (!ShortInt(p, end)) {
        p = ScanNumberOrNull(p, end);
        if (p == nullptr) return false;
      }
      goto after;
  }
key:  // inside an object, before a member (whitespace skipped)
  if (p >= end || *p != '"') return false;
  p = FastString(p, end);
  if (p == nullptr) return false;
  p = SkipWs(p, end);
  if (p >= end || *p != ':') return false;
  ++p;
element:  // before a value inside a container
  p = SkipWs(p, end);
  if (p >= end) return false;
  goto value;
after:  // after a complete value
  p = SkipWs(p, end);
  if (stack.empty()) {
    if (p != end) return false;
    if (index != nullptr) {
      index->root_items = root_array ? root_items : 0;
    }
    return true;
  }
  {
    const uint32_t top = stack.back();
    const bool object = (top & 1) != 0;
    if (p < end && *p == ',') {
      if (stack.size() == 1) ++root_items;
      p = SkipWs(p + 1, end);
      if (object) goto key;
      goto element;
    }
    if (p < end && *p == (object ? '}' : ']')) {
      recorder.Close(top >> 1, p);
      ++p;
      stack.pop();
      goto after;
    }
    return false;
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
char* EmitFiltered(JsonDocument& h, char* p, char* end, RawMemberFilter& filter,
                   JsonSkipper* skipper) {
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
    char* value_end = const_cast<char*>(
        skipper != nullptr ? skipper->Skip(p, end) : SkipJsonValue(p, end));
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

bool ValidateJson(std::string_view text, JsonSyntaxError* error,
                  JsonIndex* index) {
  if (index != nullptr) *index = JsonIndex();
  if (FastValidate(text.data(), text.data() + text.size(), index)) return true;
  if (index != nullptr) *index = JsonIndex();
  // The two accept the same texts: this finds the error and where it is.
  return Validator(text, error).Run();
}

bool ValidateJsonReference(std::string_view text, JsonSyntaxError* error) {
  return Validator(text, error).Run();
}

const JsonIndex::Entry* JsonSkipper::Find(size_t offset) {
  const std::vector<JsonIndex::Entry>& v = index_->entries;
  const size_t n = v.size();
  auto before = [](const JsonIndex::Entry& e, size_t off) {
    return e.open < off;
  };
  size_t c = cursor_;
  if (c > n || (c > 0 && v[c - 1].open >= offset)) {
    // Went back: search the whole table.
    c = static_cast<size_t>(
        std::lower_bound(v.begin(), v.end(), offset, before) - v.begin());
  } else {
    // Forward: usually the next entry or the one after (the request object
    // holding these params); search further only when far behind.
    for (int step = 0; c < n && v[c].open < offset; ++step, ++c) {
      if (step == 4) {
        c = static_cast<size_t>(
            std::lower_bound(v.begin() + c, v.end(), offset, before) -
            v.begin());
        break;
      }
    }
  }
  if (c < n && v[c].open == offset) {
    cursor_ = v[c].next;
    return &v[c];
  }
  cursor_ = c;
  return nullptr;
}

const char* JsonSkipper::Skip(const char* p, const char* end) {
  if ((*p == '{' || *p == '[') && index_ != nullptr &&
      !index_->entries.empty()) {
    const JsonIndex::Entry* e = Find(static_cast<size_t>(p - base_));
    if (e != nullptr) return base_ + e->close + 1;
  }
  return SkipJsonValue(p, end);
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

const char* JsonPlainString(const char* p, const char* end,
                            std::string_view* out) {
  const char* q = FindQuoteOrEscape(p + 1, end);
  if (q >= end || *q != '"') return nullptr;
  *out = std::string_view(p + 1, static_cast<size_t>(q - p - 1));
  return q + 1;
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

char* BuildInSitu(char* p, char* end, JsonAllocator& alloc, JsonValue* out,
                  RawMemberFilter* filter, JsonSkipper* skipper) {
  // A shared, stateless stack allocator: a Document would otherwise
  // allocate one of its own each time.
  static rapidjson::CrtAllocator stack_allocator;
  JsonDocument doc(&alloc, 1024, &stack_allocator);
  p = const_cast<char*>(SkipJsonWs(p, end));
  auto generate = [&](JsonDocument& h) {
    if (filter != nullptr && (*p == '{' || *p == '[')) {
      p = EmitFiltered(h, p, end, *filter, skipper);
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
