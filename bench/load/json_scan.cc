#include "json_scan.h"

#include <cstdint>

namespace goxel::bench {
namespace {

constexpr int kMaxDepth = 256;

// A cursor over the text. Each Parse* function consumes one value and
// returns false on the first error. Not thread-safe (a local object).
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  void SkipSpace() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
      ++pos_;
    }
  }
  bool AtEnd() const { return pos_ == text_.size(); }
  size_t pos() const { return pos_; }
  char Peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }

  bool ParseValue(int depth) {
    if (depth > kMaxDepth) return false;
    switch (Peek()) {
      case '{':
        return ParseObject(depth, nullptr);
      case '[':
        return ParseArray(depth);
      case '"':
        return ParseString();
      case 't':
        return ParseLiteral("true");
      case 'f':
        return ParseLiteral("false");
      case 'n':
        return ParseLiteral("null");
      default:
        return ParseNumber();
    }
  }

  // Parses an object; when `members` is set, records its members.
  bool ParseObject(int depth, std::vector<JsonMember>* members) {
    ++pos_;  // '{'
    SkipSpace();
    if (Peek() == '}') {
      ++pos_;
      return true;
    }
    while (true) {
      size_t key_start = pos_ + 1;
      if (Peek() != '"' || !ParseString()) return false;
      std::string_view key = text_.substr(key_start, pos_ - 1 - key_start);
      SkipSpace();
      if (Peek() != ':') return false;
      ++pos_;
      SkipSpace();
      size_t value_start = pos_;
      if (!ParseValue(depth + 1)) return false;
      if (members != nullptr) {
        members->push_back(
            {key, text_.substr(value_start, pos_ - value_start)});
      }
      SkipSpace();
      if (Peek() == '}') {
        ++pos_;
        return true;
      }
      if (Peek() != ',') return false;
      ++pos_;
      SkipSpace();
    }
  }

 private:
  bool ParseArray(int depth) {
    ++pos_;  // '['
    SkipSpace();
    if (Peek() == ']') {
      ++pos_;
      return true;
    }
    while (true) {
      if (!ParseValue(depth + 1)) return false;
      SkipSpace();
      if (Peek() == ']') {
        ++pos_;
        return true;
      }
      if (Peek() != ',') return false;
      ++pos_;
      SkipSpace();
    }
  }

  bool ParseLiteral(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  bool ParseDigits() {
    size_t start = pos_;
    while (Peek() >= '0' && Peek() <= '9') ++pos_;
    return pos_ > start;
  }

  bool ParseNumber() {
    if (Peek() == '-') ++pos_;
    if (Peek() == '0') {
      ++pos_;
    } else if (!ParseDigits()) {
      return false;
    }
    if (Peek() == '.') {
      ++pos_;
      if (!ParseDigits()) return false;
    }
    if (Peek() == 'e' || Peek() == 'E') {
      ++pos_;
      if (Peek() == '+' || Peek() == '-') ++pos_;
      if (!ParseDigits()) return false;
    }
    return true;
  }

  bool ParseHex4() {
    for (int i = 0; i < 4; ++i) {
      char c = Peek();
      bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                 (c >= 'A' && c <= 'F');
      if (!hex) return false;
      ++pos_;
    }
    return true;
  }

  // Consumes one UTF-8 sequence that starts with a byte >= 0x80.
  bool ParseUtf8() {
    auto byte = [&](size_t i) -> uint8_t {
      return pos_ + i < text_.size() ? static_cast<uint8_t>(text_[pos_ + i])
                                     : 0;
    };
    uint8_t b0 = byte(0);
    int len = 0;
    uint8_t lo = 0x80, hi = 0xBF;  // bounds of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      len = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      len = 3;
      if (b0 == 0xE0) lo = 0xA0;
      if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      len = 4;
      if (b0 == 0xF0) lo = 0x90;
      if (b0 == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (byte(1) < lo || byte(1) > hi) return false;
    for (int i = 2; i < len; ++i) {
      if (byte(i) < 0x80 || byte(i) > 0xBF) return false;
    }
    pos_ += len;
    return true;
  }

  bool ParseString() {
    ++pos_;  // opening quote
    while (pos_ < text_.size()) {
      auto c = static_cast<uint8_t>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return false;
      if (c >= 0x80) {
        if (!ParseUtf8()) return false;
        continue;
      }
      ++pos_;
      if (c != '\\') continue;
      char e = Peek();
      ++pos_;
      if (e == 'u') {
        if (!ParseHex4()) return false;
      } else if (std::string_view("\"\\/bfnrt").find(e) ==
                     std::string_view::npos ||
                 e == '\0') {
        return false;
      }
    }
    return false;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

bool IsValidJson(std::string_view text) {
  Scanner s(text);
  s.SkipSpace();
  if (s.AtEnd() || !s.ParseValue(0)) return false;
  s.SkipSpace();
  return s.AtEnd();
}

bool ScanJsonObject(std::string_view text, std::vector<JsonMember>* members) {
  members->clear();
  Scanner s(text);
  s.SkipSpace();
  if (s.Peek() != '{' || !s.ParseObject(0, members)) return false;
  s.SkipSpace();
  return s.AtEnd();
}

const JsonMember* FindMember(const std::vector<JsonMember>& members,
                             std::string_view key) {
  for (const JsonMember& m : members) {
    if (m.key == key) return &m;
  }
  return nullptr;
}

}  // namespace goxel::bench
