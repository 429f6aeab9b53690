// The framer is a pushdown automaton: a transition table over (grammar
// state, byte class) for everything but brackets and commas, whose effect
// depends on the stack of open brackets, and which the loop handles itself.
#include "rpc/framer.h"

#include <array>
#include <cstring>

namespace goxel::rpc {

namespace {

// Grammar states inside a text.
enum State : uint8_t {
  kValue,       // a value must come (after ':' or an array's ',')
  kValueOrEnd,  // a value or ']' (just after '[')
  kKeyOrEnd,    // a key or '}' (just after '{')
  kKey,         // a key must come (after an object's ',')
  kColon,       // ':' must come (after a key)
  kAfter,       // ',' or the closing bracket of the innermost container
  kStr,         // inside a string value
  kKeyStr,      // inside a key
  kEsc,         // after a backslash in a string value
  kKeyEsc,      // after a backslash in a key
  kU1,
  kU2,
  kU3,
  kU4,  // \uXXXX in a string value: digits to go
  kKeyU1,
  kKeyU2,
  kKeyU3,
  kKeyU4,  // the same in a key
  kT1,
  kT2,
  kT3,  // true: after t, tr, tru
  kF1,
  kF2,
  kF3,
  kF4,  // false: after f, fa, fal, fals
  kN1,
  kN2,
  kN3,       // null: after n, nu, nul
  kMinus,    // number: after '-', a digit must come
  kZero,     // number: a leading 0
  kInt,      // number: integer digits
  kDot,      // number: after '.', a digit must come
  kFrac,     // number: fraction digits
  kExpMark,  // number: after 'e', a sign or digit must come
  kExpSign,  // number: after the exponent's sign, a digit must come
  kExp,      // number: exponent digits
  kGrammarStates,
  // Outside any text (not in the table).
  kBetween = kGrammarStates,  // whitespace between texts
  kSkipLine,                  // discarding input up to the next newline
};

// Table entries at or above kGrammarStates are actions.
enum Action : uint8_t {
  kError = 64,  // the byte cannot follow: Reason() says why
  kOpenObject,
  kOpenArray,
  kCloseObject,
  kCloseArray,
  kComma,
};

// Byte classes: the bytes the grammar tells apart.
enum Class : uint8_t {
  cOther,
  cSpace,   // ' '
  cWsCtrl,  // \t \n \r: whitespace outside strings, forbidden inside
  cCtrl,    // the other control characters
  cLBrace,
  cRBrace,
  cLBracket,
  cRBracket,
  cQuote,
  cColon,
  cComma,
  cBackslash,
  cSlash,
  cMinus,
  cPlus,
  cZero,
  cDigit,
  cDot,
  ca,
  cb,
  ccd,
  ce,
  cf,
  cHexUpper,
  cE,  // hex letters (and escapes, literals)
  cl,
  cn,
  cr,
  cs,
  ct,
  cu,  // other letters of escapes and literals
  kClasses,
};

constexpr std::array<uint8_t, 256> MakeClasses() {
  std::array<uint8_t, 256> k{};
  for (int c = 0; c < 0x20; ++c) k[c] = cCtrl;
  k['\t'] = k['\n'] = k['\r'] = cWsCtrl;
  k[' '] = cSpace;
  k['{'] = cLBrace, k['}'] = cRBrace, k['['] = cLBracket, k[']'] = cRBracket;
  k['"'] = cQuote, k[':'] = cColon, k[','] = cComma, k['\\'] = cBackslash;
  k['/'] = cSlash, k['-'] = cMinus, k['+'] = cPlus, k['0'] = cZero;
  for (int c = '1'; c <= '9'; ++c) k[c] = cDigit;
  k['.'] = cDot, k['a'] = ca, k['b'] = cb, k['c'] = k['d'] = ccd;
  k['e'] = ce, k['f'] = cf, k['E'] = cE;
  k['A'] = k['B'] = k['C'] = k['D'] = k['F'] = cHexUpper;
  k['l'] = cl, k['n'] = cn, k['r'] = cr, k['s'] = cs, k['t'] = ct;
  k['u'] = cu;
  return k;
}
constexpr std::array<uint8_t, 256> kClassOf = MakeClasses();

using Row = std::array<uint8_t, kClasses>;
using Table = std::array<Row, kGrammarStates>;

constexpr Table MakeTable() {
  Table t{};
  for (Row& r : t) r.fill(kError);
  auto ws = [&](uint8_t s) { t[s][cSpace] = t[s][cWsCtrl] = s; };
  auto digits = [&](uint8_t s, uint8_t to) { t[s][cZero] = t[s][cDigit] = to; };
  auto hex = [&](uint8_t s, uint8_t to) {
    digits(s, to);
    for (uint8_t c : {ca, cb, ccd, ce, cf, cHexUpper, cE}) t[s][c] = to;
  };
  // What may follow a value, also the end of a number or literal.
  auto after = [&](uint8_t s) {
    t[s][cSpace] = t[s][cWsCtrl] = kAfter;
    t[s][cComma] = kComma;
    t[s][cRBrace] = kCloseObject;
    t[s][cRBracket] = kCloseArray;
  };
  for (uint8_t s : {kValue, kValueOrEnd}) {
    ws(s);
    t[s][cLBrace] = kOpenObject, t[s][cLBracket] = kOpenArray;
    t[s][cQuote] = kStr, t[s][cMinus] = kMinus;
    t[s][cZero] = kZero, t[s][cDigit] = kInt;
    t[s][ct] = kT1, t[s][cf] = kF1, t[s][cn] = kN1;
  }
  t[kValueOrEnd][cRBracket] = kCloseArray;
  for (uint8_t s : {kKey, kKeyOrEnd}) {
    ws(s);
    t[s][cQuote] = kKeyStr;
  }
  t[kKeyOrEnd][cRBrace] = kCloseObject;
  ws(kColon);
  t[kColon][cColon] = kValue;
  ws(kAfter);
  after(kAfter);
  // Strings: anything but control characters; the fast path in Next()
  // skips the plain bytes without the table.
  for (auto [s, close, esc] : {std::array<uint8_t, 3>{kStr, kAfter, kEsc},
                               {kKeyStr, kColon, kKeyEsc}}) {
    t[s].fill(s);
    t[s][cWsCtrl] = t[s][cCtrl] = kError;
    t[s][cQuote] = close;
    t[s][cBackslash] = esc;
  }
  for (auto [esc, str, u] :
       {std::array<uint8_t, 3>{kEsc, kStr, kU1}, {kKeyEsc, kKeyStr, kKeyU1}}) {
    for (uint8_t c : {cQuote, cBackslash, cSlash, cb, cf, cn, cr, ct})
      t[esc][c] = str;
    t[esc][cu] = u;
    hex(u, u + 1);
    hex(u + 1, u + 2);
    hex(u + 2, u + 3);
    hex(u + 3, str);
  }
  t[kT1][cr] = kT2, t[kT2][cu] = kT3, t[kT3][ce] = kAfter;
  t[kF1][ca] = kF2, t[kF2][cl] = kF3, t[kF3][cs] = kF4, t[kF4][ce] = kAfter;
  t[kN1][cu] = kN2, t[kN2][cl] = kN3, t[kN3][cl] = kAfter;
  t[kMinus][cZero] = kZero, t[kMinus][cDigit] = kInt;
  after(kZero);
  t[kZero][cDot] = kDot, t[kZero][ce] = t[kZero][cE] = kExpMark;
  after(kInt);
  digits(kInt, kInt);
  t[kInt][cDot] = kDot, t[kInt][ce] = t[kInt][cE] = kExpMark;
  digits(kDot, kFrac);
  after(kFrac);
  digits(kFrac, kFrac);
  t[kFrac][ce] = t[kFrac][cE] = kExpMark;
  digits(kExpMark, kExp);
  t[kExpMark][cPlus] = t[kExpMark][cMinus] = kExpSign;
  digits(kExpSign, kExp);
  after(kExp);
  digits(kExp, kExp);
  return t;
}
constexpr Table kTable = MakeTable();

// Bytes that end a run of plain string content.
constexpr std::array<bool, 256> MakeStringStops() {
  std::array<bool, 256> k{};
  for (int c = 0; c < 0x20; ++c) k[c] = true;
  k['"'] = k['\\'] = true;
  return k;
}
constexpr std::array<bool, 256> kStringStop = MakeStringStops();

inline bool IsJsonSpace(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

}  // namespace

Framer::Framer(FramerLimits limits) : limits_(limits), state_(kBetween) {}

void Framer::Rebase(size_t n) {
  pos_ -= n;
  start_ -= n;
  consumed_ -= n;
}

Framer::Frame Framer::Finish(Kind kind, const char* reason) {
  Frame f{kind, start_, pos_ + 1, reason};
  stack_.clear();
  if (kind == Kind::kText) {
    state_ = kBetween;
    if (f.end - f.begin > limits_.max_text_bytes) f.kind = Kind::kTooLarge;
  } else {
    state_ = kSkipLine;
  }
  ++pos_;
  consumed_ = pos_;
  return f;
}

const char* Framer::Reason(uint8_t state, unsigned char c) const {
  const bool closing = c == '}' || c == ']';
  const bool mismatch =
      closing && !stack_.empty() && stack_.back() != (c == '}' ? '{' : '[');
  if (mismatch) {
    return c == '}' ? "'}' does not close the '[' before it"
                    : "']' does not close the '{' before it";
  }
  switch (state) {
    case kStr:
    case kKeyStr:
      return "raw control character in a string (escape it)";
    case kEsc:
    case kKeyEsc:
      return "invalid escape in a string";
    case kU1:
    case kU2:
    case kU3:
    case kU4:
    case kKeyU1:
    case kKeyU2:
    case kKeyU3:
    case kKeyU4:
      return "\\u must be followed by four hex digits";
    case kT1:
    case kT2:
    case kT3:
    case kF1:
    case kF2:
    case kF3:
    case kF4:
    case kN1:
    case kN2:
    case kN3:
      return "invalid literal (true, false or null)";
    case kMinus:
      return "a digit must follow '-'";
    case kZero:
      if (c >= '0' && c <= '9') return "a number cannot have a leading zero";
      return "expected ',' or a closing bracket";
    case kDot:
      return "a digit must follow the decimal point";
    case kExpMark:
    case kExpSign:
      return "the exponent needs digits";
    case kColon:
      return "expected ':' after an object key";
    case kKey:
      if (c == '}') return "expected a string key after ','";
      return "expected a string key";
    case kKeyOrEnd:
      return "expected a string key";
    case kValue:
      if (c == '}') return "expected a value after ':'";
      if (c == ']') return "expected a value after ','";
      return "expected a value";
    case kValueOrEnd:
      return "expected a value";
    default:  // kAfter and the ends of numbers
      return "expected ',' or a closing bracket";
  }
}

Framer::Frame Framer::Next(std::string_view buf) {
  const auto* data = reinterpret_cast<const unsigned char*>(buf.data());
  const size_t size = buf.size();
  while (pos_ < size) {
    if (state_ == kBetween) {
      const char c = static_cast<char>(data[pos_]);
      if (IsJsonSpace(c)) {
        consumed_ = ++pos_;
        continue;
      }
      if (c != '{' && c != '[') {
        // Cannot start a JSON text: report it now, then skip the line.
        Frame f{Kind::kGarbage, pos_, pos_ + 1, nullptr};
        state_ = kSkipLine;
        consumed_ = ++pos_;
        return f;
      }
      start_ = pos_;
      stack_.assign(1, c);
      state_ = c == '{' ? kKeyOrEnd : kValueOrEnd;
      ++pos_;
      continue;
    }
    if (state_ == kSkipLine) {
      const void* nl = memchr(data + pos_, '\n', size - pos_);
      if (nl == nullptr) {
        consumed_ = pos_ = size;
        return Frame{};
      }
      pos_ =
          static_cast<size_t>(static_cast<const unsigned char*>(nl) - data) + 1;
      consumed_ = pos_;
      state_ = kBetween;
      continue;
    }
    // Inside a text: the table, with locals the compiler keeps in registers.
    uint8_t s = state_;
    size_t i = pos_;
    for (; i < size; ++i) {
      if (s == kStr || s == kKeyStr) {
        while (i < size && !kStringStop[data[i]]) ++i;
        if (i == size) break;
      }
      const uint8_t t = kTable[s][kClassOf[data[i]]];
      if (t < kGrammarStates) {
        s = t;
        continue;
      }
      const char c = static_cast<char>(data[i]);
      if (t == kOpenObject || t == kOpenArray) {
        stack_.push_back(c);
        if (stack_.size() > static_cast<size_t>(limits_.max_depth)) {
          pos_ = i;
          return Finish(Kind::kTooDeep, "nested too deep");
        }
        s = t == kOpenObject ? kKeyOrEnd : kValueOrEnd;
      } else if (t == kComma) {
        s = stack_.back() == '{' ? kKey : kValue;
      } else if (t != kError && stack_.back() == (c == '}' ? '{' : '[')) {
        stack_.pop_back();  // a closing bracket of the right kind
        if (stack_.empty()) {
          pos_ = i;
          return Finish(Kind::kText, nullptr);
        }
        s = kAfter;
      } else {
        pos_ = i;
        Frame f = Finish(Kind::kInvalid, Reason(s, data[i]));
        // A newline that broke the text is also where the next line starts.
        if (c == '\n') state_ = kBetween;
        return f;
      }
    }
    state_ = s;
    pos_ = i;
  }
  if (state_ != kBetween && state_ != kSkipLine &&
      pos_ - start_ > limits_.max_text_bytes) {
    return Frame{Kind::kTooLarge, start_, pos_, nullptr};
  }
  return Frame{};
}

}  // namespace goxel::rpc
