// Framer: cuts a byte stream into self-delimiting JSON texts.
//
// A request is a top-level JSON object or array. The framer follows the JSON
// grammar byte by byte (a pushdown automaton: a stack of open brackets by
// kind, string and escape state, number and literal tokens), so requests
// need no newline, may arrive back to back in one write, may be
// pretty-printed over many lines, and may be split across reads at any byte.
// Whitespace between texts is skipped.
//
// Invariants:
// - A kText frame is a syntactically complete JSON object or array (UTF-8
//   validity, surrogate pairs and number ranges are the parser's business).
// - Every prefix that can no longer become valid JSON is reported when its
//   offending byte arrives, never later: a closing bracket of the wrong kind,
//   a raw control character in a string, a bad escape, a token that cannot
//   follow the previous one. The frame is kInvalid (a byte that cannot start
//   a text at all is kGarbage) and the framer then skips input up to and
//   including the next newline (or resumes right after the offending byte
//   when that byte is itself a newline), so a connection resynchronises.
// - Nesting deeper than max_depth is reported (kTooDeep) as soon as the
//   bracket past the limit arrives, then the line is skipped the same way:
//   memory per connection stays bounded by max_depth, and a flood of '['
//   cannot swallow the requests that follow it on later lines.
// - A text longer than max_text_bytes is reported (kTooLarge) while it is
//   still arriving; the caller closes the connection.
//
// Usage: append bytes to a buffer, then call Next(buffer) until it returns
// kNeedMore; each frame names a byte range of the buffer. Consumed() says how
// many leading bytes may be dropped; after dropping them call Rebase(n).
//
// Thread contract: not thread-safe; one Framer per connection (loop thread).
#ifndef GOXEL_RPC_FRAMER_H_
#define GOXEL_RPC_FRAMER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace goxel::rpc {

struct FramerLimits {
  size_t max_text_bytes = 16u << 20;  // 16 MiB
  int max_depth = 128;  // >= 1
};

class Framer {
 public:
  enum class Kind {
    kNeedMore,  // no complete frame yet: read more bytes.
    kText,      // [begin, end) is one complete top-level JSON text.
    kGarbage,   // [begin, end) is one byte that cannot start a JSON text.
    kInvalid,   // [begin, end) is a text cut short at its offending byte
                // (end - 1); `reason` says what was wrong.
    kTooDeep,   // [begin, end) is a text cut at the bracket past max_depth.
    kTooLarge,  // the current text exceeds max_text_bytes; stop reading.
  };
  struct Frame {
    Kind kind = Kind::kNeedMore;
    size_t begin = 0;  // offsets into the buffer given to Next().
    size_t end = 0;
    const char* reason = nullptr;  // kInvalid only: a static string.
  };

  explicit Framer(FramerLimits limits = {}) : limits_(limits) {}

  // Scans `buffer` (the connection's unconsumed input, which only grows at
  // the end between calls, except through Rebase) and returns the next
  // frame. Resumes where the previous call stopped; never rescans.
  Frame Next(std::string_view buffer);

  // Bytes at the front of the buffer that belong to no pending frame.
  size_t Consumed() const { return consumed_; }
  // The caller dropped `n` (<= Consumed()) leading bytes.
  void Rebase(size_t n);

  const FramerLimits& limits() const { return limits_; }

 private:
  enum class State : uint8_t {
    kBetween,     // whitespace between texts
    kSkipLine,    // discarding input up to the next newline
    kValue,       // a value must come (after ':' or an array's ',')
    kValueOrEnd,  // a value or ']' (just after '[')
    kKeyOrEnd,    // a key or '}' (just after '{')
    kKey,         // a key must come (after an object's ',')
    kColon,       // ':' must come (after a key)
    kAfterValue,  // ',' or the closing bracket of the innermost container
    kString,      // inside a string (key_ says whether it is a key)
    kEscape,      // just after a backslash in a string
    kUnicode,     // inside \uXXXX (hex_left_ digits to go)
    kLiteral,     // inside true/false/null (literal_ is what remains)
    kMinus,       // number: after '-', a digit must come
    kZero,        // number: a leading 0
    kInt,         // number: integer digits
    kDot,         // number: after '.', a digit must come
    kFrac,        // number: fraction digits
    kExpMark,     // number: after 'e', a sign or digit must come
    kExpSign,     // number: after the exponent's sign, a digit must come
    kExp,         // number: exponent digits
  };

  // Handles one byte inside a text. Returns false when the text is now
  // complete or wrong (*frame set), true to go on.
  bool Step(const char* data, Frame* frame);
  // A value starts with byte c; false (and *frame) when c cannot start one.
  bool StartValue(char c, Frame* frame);
  // The frame for a text that ends (or fails) at the byte at pos_.
  Frame Finish(Kind kind, const char* reason);

  FramerLimits limits_;
  State state_ = State::kBetween;
  size_t pos_ = 0;       // next byte to scan
  size_t start_ = 0;     // start of the current text
  size_t consumed_ = 0;  // bytes fully handled
  std::string stack_;    // open brackets, innermost last: '{' or '['
  const char* literal_ = nullptr;
  int hex_left_ = 0;
  bool key_ = false;  // the string being read is an object key
};

}  // namespace goxel::rpc

#endif  // GOXEL_RPC_FRAMER_H_
