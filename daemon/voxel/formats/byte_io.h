// Bounds-checked little-endian byte reading and writing for format code.
// Internal to goxel_formats.
//
// Thread contract: not thread-safe; one reader or writer per parse.
#ifndef GOXEL_VOXEL_FORMATS_BYTE_IO_H_
#define GOXEL_VOXEL_FORMATS_BYTE_IO_H_

#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace goxel::voxel::formats {

static_assert(std::endian::native == std::endian::little,
              "formats assume a little-endian host");

// Reads from a span without ever reading past its end. Every Read* returns
// false (and reads nothing) when fewer bytes remain than asked for.
class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> bytes) : bytes_(bytes) {}

  size_t offset() const { return pos_; }
  size_t remaining() const { return bytes_.size() - pos_; }
  bool AtEnd() const { return pos_ >= bytes_.size(); }

  bool ReadU8(uint8_t* v) { return ReadRaw(v, 1); }
  bool ReadI32(int32_t* v) { return ReadRaw(v, 4); }
  bool ReadU32(uint32_t* v) { return ReadRaw(v, 4); }
  bool ReadF32(float* v) { return ReadRaw(v, 4); }
  bool ReadTag(char tag[4]) { return ReadRaw(tag, 4); }
  // Points `out` at the next n bytes and skips them.
  bool ReadSpan(size_t n, std::span<const uint8_t>* out) {
    if (n > remaining()) return false;
    *out = bytes_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  bool Skip(size_t n) {
    if (n > remaining()) return false;
    pos_ += n;
    return true;
  }

 private:
  bool ReadRaw(void* dst, size_t n) {
    if (n > remaining()) return false;
    std::memcpy(dst, bytes_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  std::span<const uint8_t> bytes_;
  size_t pos_ = 0;
};

// Appends little-endian values to a byte vector it does not own.
class ByteWriter {
 public:
  explicit ByteWriter(std::vector<uint8_t>* out) : out_(out) {}
  size_t size() const { return out_->size(); }
  void U8(uint8_t v) { out_->push_back(v); }
  void I32(int32_t v) { Raw(&v, 4); }
  void U32(uint32_t v) { Raw(&v, 4); }
  void F32(float v) { Raw(&v, 4); }
  void Tag(const char* tag) { Raw(tag, 4); }
  void Bytes(std::span<const uint8_t> b) { Raw(b.data(), b.size()); }
  void Str(std::string_view s) { Raw(s.data(), s.size()); }
  // Overwrites 4 bytes at `at` (for chunk sizes known only at the end).
  void PatchI32(size_t at, int32_t v) { std::memcpy(out_->data() + at, &v, 4); }
  // resize + memcpy rather than insert(end, b, b + n): GCC 12 at -O3 warns
  // (-Wstringop-overflow, a false positive) about the inlined insert.
  void Raw(const void* p, size_t n) {
    if (n == 0) return;
    const size_t at = out_->size();
    out_->resize(at + n);
    std::memcpy(out_->data() + at, p, n);
  }

 private:
  std::vector<uint8_t>* out_;
};

}  // namespace goxel::voxel::formats

#endif  // GOXEL_VOXEL_FORMATS_BYTE_IO_H_
