#include "rpc/framer.h"

#include <cstring>

namespace goxel::rpc {

namespace {

inline bool IsJsonSpace(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}
inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsHex(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Bytes that end a run of plain string content: the quote, the backslash
// and the control characters (which JSON forbids raw inside a string).
struct StringStops {
  bool stop[256] = {};
  constexpr StringStops() {
    for (int c = 0; c < 0x20; ++c) stop[c] = true;
    stop[static_cast<unsigned char>('"')] = true;
    stop[static_cast<unsigned char>('\\')] = true;
  }
};
constexpr StringStops kStops;

}  // namespace

void Framer::Rebase(size_t n) {
  pos_ -= n;
  start_ -= n;
  consumed_ -= n;
}

Framer::Frame Framer::Finish(Kind kind, const char* reason) {
  // pos_ is the byte that completed (kText) or broke the text.
  Frame f{kind, start_, pos_ + 1, reason};
  stack_.clear();
  if (kind == Kind::kText) {
    state_ = State::kBetween;
    if (f.end - f.begin > limits_.max_text_bytes) f.kind = Kind::kTooLarge;
  } else {
    state_ = State::kSkipLine;
  }
  ++pos_;
  consumed_ = pos_;
  return f;
}

bool Framer::StartValue(char c, Frame* frame) {
  switch (c) {
    case '{':
    case '[':
      stack_.push_back(c);
      if (stack_.size() > static_cast<size_t>(limits_.max_depth)) {
        *frame = Finish(Kind::kTooDeep, "nested too deep");
        return false;
      }
      state_ = c == '{' ? State::kKeyOrEnd : State::kValueOrEnd;
      return true;
    case '"':
      key_ = false;
      state_ = State::kString;
      return true;
    case '-':
      state_ = State::kMinus;
      return true;
    case '0':
      state_ = State::kZero;
      return true;
    case 't':
      literal_ = "rue";
      state_ = State::kLiteral;
      return true;
    case 'f':
      literal_ = "alse";
      state_ = State::kLiteral;
      return true;
    case 'n':
      literal_ = "ull";
      state_ = State::kLiteral;
      return true;
    default:
      if (IsDigit(c)) {
        state_ = State::kInt;
        return true;
      }
      *frame = Finish(Kind::kInvalid, "expected a value");
      return false;
  }
}

bool Framer::Step(const char* data, Frame* frame) {
  const char c = data[pos_];
  auto fail = [&](const char* reason) {
    *frame = Finish(Kind::kInvalid, reason);
    // A newline that broke the text is also where the next line starts.
    if (c == '\n') state_ = State::kBetween;
    return false;
  };
  auto close = [&]() {
    const char want = c == '}' ? '{' : '[';
    if (stack_.back() != want) {
      return fail(c == '}' ? "'}' does not close the '[' before it"
                           : "']' does not close the '{' before it");
    }
    stack_.pop_back();
    if (stack_.empty()) {
      *frame = Finish(Kind::kText, nullptr);
      return false;
    }
    state_ = State::kAfterValue;
    return true;
  };
  // A number ends at the first byte that cannot continue it; that byte is
  // then read as what follows a value.
  auto end_number = [&]() {
    state_ = State::kAfterValue;
    return Step(data, frame);
  };
  switch (state_) {
    case State::kString:
      if (c == '"') {
        state_ = key_ ? State::kColon : State::kAfterValue;
      } else if (c == '\\') {
        state_ = State::kEscape;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        return fail("raw control character in a string (escape it)");
      }
      return true;
    case State::kEscape:
      if (c == 'u') {
        hex_left_ = 4;
        state_ = State::kUnicode;
        return true;
      }
      if (c != '"' && c != '\\' && c != '/' && c != 'b' && c != 'f' &&
          c != 'n' && c != 'r' && c != 't') {
        return fail("invalid escape in a string");
      }
      state_ = State::kString;
      return true;
    case State::kUnicode:
      if (!IsHex(c)) return fail("\\u must be followed by four hex digits");
      if (--hex_left_ == 0) state_ = State::kString;
      return true;
    case State::kLiteral:
      if (c != *literal_) return fail("invalid literal (true, false or null)");
      if (*++literal_ == '\0') state_ = State::kAfterValue;
      return true;
    case State::kMinus:
      if (!IsDigit(c)) return fail("a digit must follow '-'");
      state_ = c == '0' ? State::kZero : State::kInt;
      return true;
    case State::kZero:
      if (IsDigit(c)) return fail("a number cannot have a leading zero");
      [[fallthrough]];
    case State::kInt:
      if (IsDigit(c)) return true;
      if (c == '.') {
        state_ = State::kDot;
        return true;
      }
      [[fallthrough]];
    case State::kFrac:
      if (IsDigit(c)) return true;
      if (c == 'e' || c == 'E') {
        state_ = State::kExpMark;
        return true;
      }
      return end_number();
    case State::kDot:
      if (!IsDigit(c)) return fail("a digit must follow the decimal point");
      state_ = State::kFrac;
      return true;
    case State::kExpMark:
      if (c == '+' || c == '-') {
        state_ = State::kExpSign;
        return true;
      }
      [[fallthrough]];
    case State::kExpSign:
      if (!IsDigit(c)) return fail("the exponent needs digits");
      state_ = State::kExp;
      return true;
    case State::kExp:
      if (IsDigit(c)) return true;
      return end_number();
    case State::kValueOrEnd:
      if (c == ']') return close();
      [[fallthrough]];
    case State::kValue:
      if (IsJsonSpace(c)) return true;
      if (c == '}' || c == ']') {
        // Of the wrong kind, close() says so; else a value is missing.
        if (stack_.back() != (c == '}' ? '{' : '[')) return close();
        return fail(c == '}' ? "expected a value after ':'"
                             : "expected a value after ','");
      }
      return StartValue(c, frame);
    case State::kKeyOrEnd:
      if (c == '}') return close();
      [[fallthrough]];
    case State::kKey:
      if (IsJsonSpace(c)) return true;
      if (c == ']') return close();  // the wrong kind: says so
      if (c == '}') return fail("expected a string key after ','");
      if (c != '"') return fail("expected a string key");
      key_ = true;
      state_ = State::kString;
      return true;
    case State::kColon:
      if (IsJsonSpace(c)) return true;
      if (c != ':') return fail("expected ':' after an object key");
      state_ = State::kValue;
      return true;
    case State::kAfterValue:
      if (IsJsonSpace(c)) return true;
      if (c == ',') {
        state_ = stack_.back() == '{' ? State::kKey : State::kValue;
        return true;
      }
      if (c == '}' || c == ']') return close();
      return fail("expected ',' or a closing bracket");
    case State::kBetween:
    case State::kSkipLine:
      break;  // handled by Next()
  }
  return true;
}

Framer::Frame Framer::Next(std::string_view buf) {
  const char* data = buf.data();
  const size_t size = buf.size();
  while (pos_ < size) {
    switch (state_) {
      case State::kBetween: {
        const char c = data[pos_];
        if (IsJsonSpace(c)) {
          consumed_ = ++pos_;
          continue;
        }
        if (c == '{' || c == '[') {
          start_ = pos_;
          stack_.assign(1, c);
          state_ = c == '{' ? State::kKeyOrEnd : State::kValueOrEnd;
          ++pos_;
          continue;
        }
        // Cannot start a JSON text: report it now, then skip the line.
        Frame f{Kind::kGarbage, pos_, pos_ + 1, nullptr};
        state_ = State::kSkipLine;
        consumed_ = ++pos_;
        return f;
      }
      case State::kSkipLine: {
        const void* nl = memchr(data + pos_, '\n', size - pos_);
        if (nl == nullptr) {
          consumed_ = pos_ = size;
          return Frame{};
        }
        pos_ = static_cast<const char*>(nl) - data + 1;
        consumed_ = pos_;
        state_ = State::kBetween;
        continue;
      }
      case State::kString:
        // The usual bytes of a string need no state change: skip them here.
        while (pos_ < size &&
               !kStops.stop[static_cast<unsigned char>(data[pos_])])
          ++pos_;
        if (pos_ == size) continue;
        [[fallthrough]];
      default: {
        Frame frame;
        if (!Step(data, &frame)) return frame;
        ++pos_;
        continue;
      }
    }
  }
  if (state_ != State::kBetween && state_ != State::kSkipLine &&
      pos_ - start_ > limits_.max_text_bytes) {
    return Frame{Kind::kTooLarge, start_, pos_, nullptr};
  }
  return Frame{};
}

}  // namespace goxel::rpc
