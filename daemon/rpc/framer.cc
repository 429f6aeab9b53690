#include "rpc/framer.h"

#include <cstring>

#include "rpc/json_blocks.h"

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

bool Framer::ScanBlocks(const char* data, size_t size, Frame* frame) {
  bool in_string = state_ == State::kInString;
  while (pos_ < size) {
    // The last bytes go as a block padded with spaces, which are neither
    // quotes nor brackets: a short text takes one block, not a byte loop.
    const size_t valid = size - pos_ >= 64 ? 64 : size - pos_;
    BlockMasks m;
    if (valid == 64) {
      m = ClassifyBlock(data + pos_);
    } else {
      char block[64];
      memset(block, ' ', sizeof block);
      memcpy(block, data + pos_, valid);
      m = ClassifyBlock(block);
    }
    // An escape can hide a quote: such blocks go through the byte loop, which
    // also keeps backslashes outside strings meaningless, as they were.
    if (m.backslash != 0) break;
    const uint64_t strings =
        PrefixXor(m.quote) ^ (in_string ? ~uint64_t{0} : 0);
    const uint64_t open = m.open & ~strings;
    const uint64_t close = m.close & ~strings;
    const int opens = __builtin_popcountll(open);
    const int closes = __builtin_popcountll(close);
    if (depth_ - closes >= 1 && depth_ + opens <= limits_.max_depth) {
      depth_ += opens - closes;  // neither 0 nor the limit can be reached
    } else {
      // Bracket by bracket, in order, as the byte loop counts them.
      for (uint64_t b = open | close; b != 0; b &= b - 1) {
        const int i = __builtin_ctzll(b);
        if ((open >> i) & 1) {
          if (++depth_ > limits_.max_depth) too_deep_ = true;
        } else if (--depth_ == 0) {
          pos_ += static_cast<size_t>(i) + 1;
          state_ = State::kBetween;
          *frame = Complete();
          return true;
        }
      }
    }
    in_string = (strings >> 63) != 0;
    pos_ += valid;
  }
  state_ = in_string ? State::kInString : State::kInText;
  return false;
}

Framer::Frame Framer::Complete() {
  consumed_ = pos_;
  Kind kind = Kind::kText;
  if (pos_ - start_ > limits_.max_text_bytes) {
    kind = Kind::kTooLarge;
  } else if (too_deep_) {
    kind = Kind::kTooDeep;
  }
  return Frame{kind, start_, pos_};
}

Framer::Frame Framer::Next(std::string_view buf) {
  const char* data = buf.data();
  const size_t size = buf.size();
  while (pos_ < size) {
    // Inside a text, blocks of 64 bytes (or fewer, at the end) go by bit
    // masks; the byte loop below takes a block with an escape.
    size_t limit = size;
    if (state_ == State::kInText || state_ == State::kInString) {
      Frame frame;
      if (ScanBlocks(data, size, &frame)) return frame;
      limit = size - pos_ >= 64 ? pos_ + 64 : size;
    }
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
        while (i < limit &&
               !kClass.string_end[static_cast<unsigned char>(data[i])])
          ++i;
        if (i == limit) {
          pos_ = limit;
          continue;
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
        for (; i < limit; ++i) {
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
        if (i == limit) {
          pos_ = limit;
          continue;
        }
        pos_ = i + 1;
        if (state_ == State::kInString) continue;
        // depth_ == 0: the text is complete.
        state_ = State::kBetween;
        return Complete();
      }
    }
  }
  if ((state_ == State::kInText || state_ == State::kInString ||
       state_ == State::kEscape) &&
      pos_ - start_ > limits_.max_text_bytes) {
    return Frame{Kind::kTooLarge, start_, pos_};
  }
  return Frame{};
}

}  // namespace goxel::rpc
