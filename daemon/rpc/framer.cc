#include "rpc/framer.h"

#include <cstring>

namespace goxel::rpc {

namespace {
inline bool IsJsonSpace(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

// Bytes that matter inside a text: 1 for the structural ones, so the scan
// skips everything else with one table load per byte.
struct ByteClass {
  unsigned char structural[256] = {};
  unsigned char string_end[256] = {};
  constexpr ByteClass() {
    for (unsigned char c : {'{', '}', '[', ']', '"'}) structural[c] = 1;
    for (unsigned char c : {'"', '\\'}) string_end[c] = 1;
  }
};
constexpr ByteClass kClass;
}  // namespace

void Framer::Rebase(size_t n) {
  pos_ -= n;
  start_ -= n;
  consumed_ -= n;
}

Framer::Frame Framer::Next(std::string_view buf) {
  const char* data = buf.data();
  const size_t size = buf.size();
  while (pos_ < size) {
    switch (state_) {
      case State::kBetween: {
        char c = data[pos_];
        if (IsJsonSpace(c)) {
          ++pos_;
          consumed_ = pos_;
          continue;
        }
        if (c == '{' || c == '[') {
          state_ = State::kInText;
          start_ = pos_;
          depth_ = 1;
          too_deep_ = false;
          ++pos_;
          continue;
        }
        // Cannot start a JSON text: report it now, then skip the line.
        Frame f{Kind::kGarbage, pos_, pos_ + 1};
        state_ = State::kSkipLine;
        ++pos_;
        return f;
      }
      case State::kSkipLine: {
        const void* nl = memchr(data + pos_, '\n', size - pos_);
        if (nl == nullptr) {
          pos_ = size;
          consumed_ = pos_;
          return Frame{};
        }
        pos_ = static_cast<const char*>(nl) - data + 1;
        consumed_ = pos_;
        state_ = State::kBetween;
        continue;
      }
      case State::kInString: {
        // Fast scan to the next quote or backslash.
        size_t i = pos_;
        while (i < size &&
               !kClass.string_end[static_cast<unsigned char>(data[i])])
          ++i;
        if (i == size) {
          pos_ = size;
          break;
        }
        state_ = data[i] == '"' ? State::kInText : State::kEscape;
        pos_ = i + 1;
        continue;
      }
      case State::kEscape:
        state_ = State::kInString;
        ++pos_;
        continue;
      case State::kInText: {
        size_t i = pos_;
        for (; i < size; ++i) {
          char c = data[i];
          if (!kClass.structural[static_cast<unsigned char>(c)]) continue;
          if (c == '"') {
            state_ = State::kInString;
            break;
          }
          if (c == '{' || c == '[') {
            if (++depth_ > limits_.max_depth) too_deep_ = true;
          } else if (c == '}' || c == ']') {
            if (--depth_ == 0) break;
          }
        }
        if (i == size) {
          pos_ = size;
          break;
        }
        pos_ = i + 1;
        if (state_ == State::kInString) continue;
        // depth_ == 0: the text is complete.
        state_ = State::kBetween;
        consumed_ = pos_;
        Kind kind = Kind::kText;
        if (pos_ - start_ > limits_.max_text_bytes) {
          kind = Kind::kTooLarge;
        } else if (too_deep_) {
          kind = Kind::kTooDeep;
        }
        return Frame{kind, start_, pos_};
      }
    }
    // Ran out of bytes inside a text.
    break;
  }
  if ((state_ == State::kInText || state_ == State::kInString ||
       state_ == State::kEscape) &&
      pos_ - start_ > limits_.max_text_bytes) {
    return Frame{Kind::kTooLarge, start_, pos_};
  }
  return Frame{};
}

}  // namespace goxel::rpc
