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
  int max_depth = 128;                // >= 1
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

  explicit Framer(FramerLimits limits = {});

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
  // The frame for a text that ends (kText) or fails at the byte at pos_;
  // resets the grammar and moves past that byte.
  Frame Finish(Kind kind, const char* reason);
  // Why byte `c` cannot follow in grammar state `state` (framer.cc).
  const char* Reason(uint8_t state, unsigned char c) const;

  FramerLimits limits_;
  uint8_t state_;        // a grammar state of framer.cc, or between texts
  size_t pos_ = 0;       // next byte to scan
  size_t start_ = 0;     // start of the current text
  size_t consumed_ = 0;  // bytes fully handled
  std::string stack_;    // open brackets, innermost last: '{' or '['
};

}  // namespace goxel::rpc

#endif  // GOXEL_RPC_FRAMER_H_
