// Framer: cuts a byte stream into self-delimiting JSON texts.
//
// A request is a top-level JSON object or array. The framer finds where each
// one ends by counting nesting depth, honouring strings and escapes, so
// requests need no newline, may arrive back to back in one write, may be
// pretty-printed over many lines, and may be split across reads at any byte.
// Whitespace between texts is skipped.
//
// Bytes that cannot start a JSON object or array are reported as garbage as
// soon as the first such byte is seen; the framer then skips input up to and
// including the next newline, so a connection resynchronises. A text longer
// than the size limit, or nested deeper than the depth limit, is reported as
// soon as that is certain (the caller decides whether to keep the
// connection). The framer does not validate JSON: a text that is cut
// correctly but malformed inside is the parser's business.
//
// Usage: append bytes to a buffer, then call Next(buffer) until it returns
// kNeedMore; each kText/kGarbage/kTooDeep frame names a byte range of the
// buffer. Consumed() says how many leading bytes may be dropped; after
// dropping them call Rebase(n).
//
// Thread contract: not thread-safe; one Framer per connection (loop thread).
#ifndef GOXEL_RPC_FRAMER_H_
#define GOXEL_RPC_FRAMER_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace goxel::rpc {

struct FramerLimits {
  size_t max_text_bytes = 16u << 20;  // 16 MiB
  int max_depth = 128;
};

class Framer {
 public:
  enum class Kind {
    kNeedMore,  // no complete frame yet: read more bytes.
    kText,      // [begin, end) is one complete top-level JSON text.
    kGarbage,   // bytes that cannot start a JSON text were skipped.
    kTooDeep,   // a text nested deeper than max_depth was skipped whole.
    kTooLarge,  // the current text exceeds max_text_bytes; stop reading.
  };
  struct Frame {
    Kind kind = Kind::kNeedMore;
    size_t begin = 0;  // offsets into the buffer given to Next().
    size_t end = 0;
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
    kBetween,   // skipping whitespace between texts
    kInText,    // inside a text, outside strings
    kInString,  // inside a string
    kEscape,    // just after a backslash inside a string
    kSkipLine,  // discarding garbage up to the next newline
  };

  // Scans 64-byte blocks from pos_ (state kInText or kInString; the last
  // one padded) until a block holds a backslash or the input ends; true when
  // the text ends in one (*frame set).
  bool ScanBlocks(const char* data, size_t size, Frame* frame);
  // The frame of the text that ends at pos_ (state already kBetween).
  Frame Complete();

  FramerLimits limits_;
  State state_ = State::kBetween;
  size_t pos_ = 0;       // next byte to scan
  size_t start_ = 0;     // start of the current text
  size_t consumed_ = 0;  // bytes fully handled
  int depth_ = 0;
  bool too_deep_ = false;
};

}  // namespace goxel::rpc

#endif  // GOXEL_RPC_FRAMER_H_
