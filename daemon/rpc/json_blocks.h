// Byte classification of 64-byte blocks for the scanners of rpc/ (the
// framer): one bit per byte, bit i for p[i], so that a block's quotes and
// brackets are found with bit operations instead of a branch per byte.
//
// ClassifyBlock uses AVX2 when the CPU has it, else SSE2 where the compiler
// targets it (always on x86-64), else ClassifyBlockScalar; the scalar one is
// compiled everywhere so the tests can check that they all agree.
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

// GCC and Clang on x86-64 also build an AVX2 version, which ClassifyBlock
// uses when the CPU has AVX2.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define GOXEL_BLOCKS_AVX2 1
#endif

// p[0..63] must be readable. ClassifyBlock picks the fastest of the others
// this CPU runs; they are all exposed so that the tests compare each one
// with the scalar reference.
BlockMasks ClassifyBlockScalar(const char* p);
#ifdef __SSE2__
BlockMasks ClassifyBlockSse2(const char* p);
#endif
#if defined(GOXEL_BLOCKS_AVX2)
extern const bool kBlocksAvx2;                // the CPU has AVX2
BlockMasks ClassifyBlockAvx2(const char* p);  // only when kBlocksAvx2
#endif

#ifdef __SSE2__
inline BlockMasks ClassifyBlock(const char* p) {
#if defined(GOXEL_BLOCKS_AVX2)
  if (kBlocksAvx2) return ClassifyBlockAvx2(p);
#endif
  return ClassifyBlockSse2(p);
}
#else
BlockMasks ClassifyBlock(const char* p);
#endif

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
