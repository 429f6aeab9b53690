#include "histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace goxel::bench {
namespace {

constexpr int kSubBits = 8;  // 256 exact values
constexpr uint64_t kExact = uint64_t{1} << kSubBits;
constexpr uint64_t kHalf = kExact / 2;  // 128 buckets per octave
constexpr int kMaxShift = 40;           // up to ~2^48 ns (3 days)
constexpr size_t kBuckets = kExact + kMaxShift * kHalf;

}  // namespace

Histogram::Histogram() : buckets_(kBuckets, 0) {}

size_t Histogram::BucketOf(uint64_t ns) {
  if (ns < kExact) return static_cast<size_t>(ns);
  int msb = 63 - std::countl_zero(ns);
  int shift = msb - (kSubBits - 1);  // >= 1
  if (shift > kMaxShift) return kBuckets - 1;
  uint64_t sub = ns >> shift;  // in [128, 255]
  return static_cast<size_t>(kExact + (shift - 1) * kHalf + (sub - kHalf));
}

uint64_t Histogram::BucketMid(size_t index) {
  if (index < kExact) return index;
  size_t rel = index - kExact;
  int shift = static_cast<int>(rel / kHalf) + 1;
  uint64_t sub = kHalf + rel % kHalf;
  uint64_t low = sub << shift;
  return low + ((uint64_t{1} << shift) >> 1);
}

void Histogram::Record(uint64_t ns) {
  ++buckets_[BucketOf(ns)];
  ++count_;
  max_ = std::max(max_, ns);
}

void Histogram::Merge(const Histogram& other) {
  for (size_t i = 0; i < kBuckets; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
}

uint64_t Histogram::ValueAtQuantile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  auto rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_)));
  rank = std::max<uint64_t>(rank, 1);
  uint64_t seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::min(BucketMid(i), max_);
  }
  return max_;
}

}  // namespace goxel::bench
