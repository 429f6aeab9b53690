#include "rpc/json_blocks.h"

#ifdef __SSE2__
#include <emmintrin.h>
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
BlockMasks ClassifyBlock(const char* p) {
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
#else
BlockMasks ClassifyBlock(const char* p) { return ClassifyBlockScalar(p); }
#endif

}  // namespace goxel::rpc
