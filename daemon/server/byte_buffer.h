// ByteBuffer: a growable byte buffer that does not zero what it allocates,
// for socket reads (libuv asks for space, then says how much it filled).
// Thread contract: not thread-safe.
#ifndef GOXEL_SERVER_BYTE_BUFFER_H_
#define GOXEL_SERVER_BYTE_BUFFER_H_

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace goxel::server {

class ByteBuffer {
 public:
  // Space for at least `n` more bytes at the end; returns where to write.
  char* Reserve(size_t n) {
    if (capacity_ - size_ < n) {
      size_t cap = capacity_ ? capacity_ : 4096;
      while (cap - size_ < n) cap *= 2;
      auto fresh = std::make_unique_for_overwrite<char[]>(cap);
      if (size_) memcpy(fresh.get(), data_.get(), size_);
      data_ = std::move(fresh);
      capacity_ = cap;
    }
    return data_.get() + size_;
  }
  void Commit(size_t n) { size_ += n; }
  // Drops the first `n` bytes.
  void Consume(size_t n) {
    if (n >= size_) {
      size_ = 0;
    } else if (n) {
      memmove(data_.get(), data_.get() + n, size_ - n);
      size_ -= n;
    }
  }
  // Gives memory back when a large request has passed.
  void ShrinkIfIdle(size_t keep) {
    if (size_ == 0 && capacity_ > keep) {
      data_.reset();
      capacity_ = 0;
    }
  }
  std::string_view view() const { return {data_.get(), size_}; }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }

 private:
  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace goxel::server

#endif  // GOXEL_SERVER_BYTE_BUFFER_H_
