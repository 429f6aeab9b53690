// Byte classification of 64-byte blocks for the scanners of rpc/ (the
// framer): one bit per byte, bit i for p[i], so that a block's quotes and
// brackets are found with bit operations instead of a branch per byte.
//
// ClassifyBlock uses SSE2 where the compiler targets it (always on x86-64)
// and ClassifyBlockScalar otherwise; both are compiled everywhere so the
// tests can check that they agree.
//
// Thread contract: stateless functions.
#ifndef GOXEL_RPC_JSON_BLOCKS_H_
#define GOXEL_RPC_JSON_BLOCKS_H_

#include <cstdint>

namespace goxel::rpc {

struct BlockMasks {
  uint64_t quote = 0;      // '"'
  uint64_t backslash = 0;  // '\\'
  uint64_t open = 0;       // '{' or '['
  uint64_t close = 0;      // '}' or ']'
};

// p[0..63] must be readable.
BlockMasks ClassifyBlockScalar(const char* p);
BlockMasks ClassifyBlock(const char* p);

// Bit i set when an odd number of bits at or below i are set in x: with x
// the quotes of a block, the bytes from an opening quote up to (not
// including) its closing one.
inline uint64_t PrefixXor(uint64_t x) {
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  x ^= x << 32;
  return x;
}

}  // namespace goxel::rpc

#endif  // GOXEL_RPC_JSON_BLOCKS_H_
