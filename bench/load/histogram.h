// A log-linear latency histogram (HdrHistogram-like) with bounded memory:
// values below 256 ns are exact, larger ones fall in buckets whose width is
// 1/128 of their lower bound, so a reported percentile is within 0.4% of the
// true value. Not thread-safe: one per load thread, merged at the end.
#ifndef GOXEL_BENCH_LOAD_HISTOGRAM_H_
#define GOXEL_BENCH_LOAD_HISTOGRAM_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace goxel::bench {

class Histogram {
 public:
  Histogram();

  // Records one latency in nanoseconds.
  void Record(uint64_t ns);
  // Adds every sample of `other` to this histogram.
  void Merge(const Histogram& other);

  uint64_t count() const { return count_; }
  uint64_t max_ns() const { return max_; }
  // The value at quantile `q` in [0, 1] (nearest rank, bucket midpoint,
  // never above the exact maximum); 0 when empty.
  uint64_t ValueAtQuantile(double q) const;

 private:
  static size_t BucketOf(uint64_t ns);
  static uint64_t BucketMid(size_t index);

  std::vector<uint64_t> buckets_;
  uint64_t count_ = 0;
  uint64_t max_ = 0;
};

}  // namespace goxel::bench

#endif  // GOXEL_BENCH_LOAD_HISTOGRAM_H_
