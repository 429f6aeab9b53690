// Median-cut colour quantisation.
#include "voxel/formats/palette.h"

#include <algorithm>

namespace goxel::voxel::formats {
namespace {

struct Entry {
  uint8_t c[3];
  int64_t count;
  uint32_t key;
};

struct Span {
  size_t begin, end;  // range in the entry array.
  int widest = 0;     // channel with the largest range.
  int range = -1;     // its range.
};

void Measure(const std::vector<Entry>& e, Span* s) {
  uint8_t lo[3] = {255, 255, 255}, hi[3] = {0, 0, 0};
  for (size_t i = s->begin; i < s->end; ++i) {
    for (int ch = 0; ch < 3; ++ch) {
      lo[ch] = std::min(lo[ch], e[i].c[ch]);
      hi[ch] = std::max(hi[ch], e[i].c[ch]);
    }
  }
  s->range = -1;
  for (int ch = 0; ch < 3; ++ch) {
    if (hi[ch] - lo[ch] > s->range) s->range = hi[ch] - lo[ch], s->widest = ch;
  }
}

// Splits s at the weighted median of its widest channel; false if it cannot.
bool Split(std::vector<Entry>& e, Span* s, Span* right) {
  if (s->end - s->begin < 2 || s->range <= 0) return false;
  const int ch = s->widest;
  std::sort(e.begin() + s->begin, e.begin() + s->end,
            [ch](const Entry& a, const Entry& b) { return a.c[ch] < b.c[ch]; });
  int64_t total = 0, acc = 0;
  for (size_t i = s->begin; i < s->end; ++i) total += e[i].count;
  size_t cut = s->begin + 1;
  for (size_t i = s->begin; i < s->end - 1; ++i) {
    acc += e[i].count;
    cut = i + 1;
    if (acc * 2 >= total) break;
  }
  *right = {cut, s->end};
  s->end = cut;
  Measure(e, s);
  Measure(e, right);
  return true;
}

}  // namespace

Quantized QuantizeColors(const std::unordered_map<uint32_t, int64_t>& histogram,
                         int max_colors) {
  Quantized q;
  std::vector<Entry> e;
  e.reserve(histogram.size());
  for (const auto& [key, count] : histogram) {
    e.push_back({{static_cast<uint8_t>(key), static_cast<uint8_t>(key >> 8),
                  static_cast<uint8_t>(key >> 16)},
                 count,
                 key});
  }
  std::sort(e.begin(), e.end(),
            [](const Entry& a, const Entry& b) { return a.key < b.key; });
  std::vector<Span> spans;
  if (!e.empty()) {
    spans.push_back({0, e.size()});
    Measure(e, &spans[0]);
  }
  // An empty histogram (an empty model) has no span to split.
  while (!spans.empty() && static_cast<int>(spans.size()) < max_colors) {
    auto widest = std::max_element(
        spans.begin(), spans.end(),
        [](const Span& a, const Span& b) { return a.range < b.range; });
    Span right;
    if (!Split(e, &*widest, &right)) break;
    spans.push_back(right);
  }
  for (const Span& s : spans) {
    int64_t sum[3] = {0, 0, 0}, n = 0;
    for (size_t i = s.begin; i < s.end; ++i) {
      for (int ch = 0; ch < 3; ++ch) sum[ch] += e[i].c[ch] * e[i].count;
      n += e[i].count;
    }
    n = std::max<int64_t>(n, 1);
    const int index = static_cast<int>(q.palette.size());
    q.palette.push_back({static_cast<uint8_t>((sum[0] + n / 2) / n),
                         static_cast<uint8_t>((sum[1] + n / 2) / n),
                         static_cast<uint8_t>((sum[2] + n / 2) / n), 255});
    for (size_t i = s.begin; i < s.end; ++i) q.index_of[e[i].key] = index;
  }
  return q;
}

}  // namespace goxel::voxel::formats
