#include "rpc/json_blocks.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(GOXEL_BLOCKS_AVX2)
#include <immintrin.h>
#endif

namespace goxel::rpc {

BlockMasks ClassifyBlockScalar(const char* p) {
  BlockMasks m;
  for (int i = 0; i < 64; ++i) {
    const uint64_t bit = uint64_t{1} << i;
    switch (p[i]) {
      case '"':
        m.quote |= bit;
        break;
      case '\\':
        m.backslash |= bit;
        break;
      case '{':
      case '[':
        m.open |= bit;
        break;
      case '}':
      case ']':
        m.close |= bit;
        break;
      default:
        break;
    }
  }
  return m;
}

#ifdef __SSE2__
BlockMasks ClassifyBlockSse2(const char* p) {
  // '{' (0x7B) and '[' (0x5B) differ only in bit 0x20, as do '}' and ']':
  // OR-ing 0x20 in folds each pair onto the curly one.
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i fold = _mm_set1_epi8(0x20);
  const __m128i open = _mm_set1_epi8('{');
  const __m128i close = _mm_set1_epi8('}');
  BlockMasks m;
  for (int i = 0; i < 4; ++i) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i));
    __m128i f = _mm_or_si128(v, fold);
    const int shift = 16 * i;
    auto bits = [&](__m128i eq) {
      return static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(eq)))
             << shift;
    };
    m.quote |= bits(_mm_cmpeq_epi8(v, quote));
    m.backslash |= bits(_mm_cmpeq_epi8(v, backslash));
    m.open |= bits(_mm_cmpeq_epi8(f, open));
    m.close |= bits(_mm_cmpeq_epi8(f, close));
  }
  return m;
}
#endif

#if defined(GOXEL_BLOCKS_AVX2)
// The same with 32-byte vectors, for CPUs that have AVX2 (chosen at run
// time: the build targets SSE4.2).
__attribute__((target("avx2"))) BlockMasks ClassifyBlockAvx2(const char* p) {
  const __m256i quote = _mm256_set1_epi8('"');
  const __m256i backslash = _mm256_set1_epi8('\\');
  const __m256i fold = _mm256_set1_epi8(0x20);
  const __m256i open = _mm256_set1_epi8('{');
  const __m256i close = _mm256_set1_epi8('}');
  BlockMasks m;
  for (int i = 0; i < 2; ++i) {
    const __m256i v =
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32 * i));
    const __m256i f = _mm256_or_si256(v, fold);
    // (No lambda here: it would not inherit the function's target.)
    const int shift = 32 * i;
    const uint32_t q = static_cast<uint32_t>(
        _mm256_movemask_epi8(_mm256_cmpeq_epi8(v, quote)));
    const uint32_t b = static_cast<uint32_t>(
        _mm256_movemask_epi8(_mm256_cmpeq_epi8(v, backslash)));
    const uint32_t o =
        static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(f, open)));
    const uint32_t c = static_cast<uint32_t>(
        _mm256_movemask_epi8(_mm256_cmpeq_epi8(f, close)));
    m.quote |= static_cast<uint64_t>(q) << shift;
    m.backslash |= static_cast<uint64_t>(b) << shift;
    m.open |= static_cast<uint64_t>(o) << shift;
    m.close |= static_cast<uint64_t>(c) << shift;
  }
  return m;
}

namespace {
bool CpuHasAvx2() {
  __builtin_cpu_init();  // may run before the constructors that would
  return __builtin_cpu_supports("avx2");
}
}  // namespace

const bool kBlocksAvx2 = CpuHasAvx2();
#endif

#ifndef __SSE2__
BlockMasks ClassifyBlock(const char* p) { return ClassifyBlockScalar(p); }
#endif

}  // namespace goxel::rpc
