// Volume micro-benchmarks. Run:
//   build-voxel/bench/voxel/voxel_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "voxel/shapes.h"
#include "voxel/tools.h"
#include "voxel/volume.h"

namespace goxel::voxel {
namespace {

constexpr Rgba kRed{255, 0, 0, 255};

// A filled 256^3 box (16.7 M voxels) into an empty volume.
void BM_FillBox256(benchmark::State& state) {
  for (auto _ : state) {
    Volume v;
    benchmark::DoNotOptimize(v.FillBox({{0, 0, 0}, {255, 255, 255}}, kRed));
    state.PauseTiming();
    v = Volume();  // the free is not part of the fill
    state.ResumeTiming();
  }
  state.counters["voxels_per_s"] = benchmark::Counter(
      256.0 * 256 * 256 * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_FillBox256)->Unit(benchmark::kMillisecond);

// The same box, not block aligned (partial blocks on every face).
void BM_FillBox256Unaligned(benchmark::State& state) {
  for (auto _ : state) {
    Volume v;
    benchmark::DoNotOptimize(v.FillBox({{-7, -7, -7}, {248, 248, 248}}, kRed));
  }
}
BENCHMARK(BM_FillBox256Unaligned)->Unit(benchmark::kMillisecond);

// A filled sphere of radius 64 (1.1 M voxels) through ApplyShape.
void BM_Sphere64(benchmark::State& state) {
  auto s = MakeSphere({0, 0, 0}, 64);
  for (auto _ : state) {
    Volume v;
    benchmark::DoNotOptimize(ApplyShape(v, *s, ApplyMode::kAdd, kRed));
  }
  state.counters["voxels"] = double(CountCells(*s));
}
BENCHMARK(BM_Sphere64)->Unit(benchmark::kMillisecond);

std::vector<Vec3i> RandomPoints(int n, int extent) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> d(-extent, extent - 1);
  std::vector<Vec3i> pts(n);
  for (auto& p : pts) p = {d(rng), d(rng), d(rng)};
  return pts;
}

void BM_SetSequential(benchmark::State& state) {
  int64_t n = 0;
  for (auto _ : state) {
    Volume v;
    for (int z = 0; z < 64; ++z)
      for (int y = 0; y < 64; ++y)
        for (int x = 0; x < 64; ++x)
          v.Set({x, y, z}, Rgba{uint8_t(x), uint8_t(y), uint8_t(z), 255});
    n += 64 * 64 * 64;
  }
  state.counters["sets_per_s"] =
      benchmark::Counter(double(n), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SetSequential)->Unit(benchmark::kMillisecond);

void BM_SetRandom(benchmark::State& state) {
  const auto pts = RandomPoints(1 << 18, 128);
  int64_t n = 0;
  for (auto _ : state) {
    Volume v;
    for (const Vec3i& p : pts) v.Set(p, kRed);
    n += pts.size();
  }
  state.counters["sets_per_s"] =
      benchmark::Counter(double(n), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SetRandom)->Unit(benchmark::kMillisecond);

void BM_GetRandom(benchmark::State& state) {
  Volume v;
  v.FillBox({{-64, -64, -64}, {63, 63, 63}}, kRed);
  const auto pts = RandomPoints(1 << 16, 128);  // half hit, half miss
  int64_t n = 0;
  for (auto _ : state) {
    uint32_t acc = 0;
    for (const Vec3i& p : pts) acc += v.Get(p).a;
    benchmark::DoNotOptimize(acc);
    n += pts.size();
  }
  state.counters["gets_per_s"] =
      benchmark::Counter(double(n), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_GetRandom);

void BM_GetSequential(benchmark::State& state) {
  Volume v;
  v.FillBox({{0, 0, 0}, {63, 63, 63}}, kRed);
  v.Set({1, 1, 1}, Rgba{1, 2, 3, 255});  // one non-uniform block
  int64_t n = 0;
  for (auto _ : state) {
    uint32_t acc = 0;
    for (int z = 0; z < 64; ++z)
      for (int y = 0; y < 64; ++y)
        for (int x = 0; x < 64; ++x) acc += v.Get({x, y, z}).r;
    benchmark::DoNotOptimize(acc);
    n += 64 * 64 * 64;
  }
  state.counters["gets_per_s"] =
      benchmark::Counter(double(n), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_GetSequential);

// 100k scattered voxels, one per block (issue 16's add_voxel_batch case),
// into an empty volume: one Set each, then one SetVoxels batch.
std::vector<VoxelValue> Scattered100k() {
  std::vector<VoxelValue> e(100000);
  for (int i = 0; i < 100000; ++i)
    e[i] = {{(i % 1000) * 16, ((i / 1000) % 1000) * 16, 32}, kRed};
  return e;
}

void BM_Scattered100kSet(benchmark::State& state) {
  const auto edits = Scattered100k();
  for (auto _ : state) {
    Volume v;
    for (const VoxelValue& e : edits) v.Set(e.p, e.c);
    state.PauseTiming();
    v = Volume();
    state.ResumeTiming();
  }
}
BENCHMARK(BM_Scattered100kSet)->Unit(benchmark::kMillisecond);

void BM_Scattered100kBatch(benchmark::State& state) {
  const auto edits = Scattered100k();
  for (auto _ : state) {
    Volume v;
    benchmark::DoNotOptimize(v.SetVoxels(edits));
    state.PauseTiming();
    v = Volume();
    state.ResumeTiming();
  }
}
BENCHMARK(BM_Scattered100kBatch)->Unit(benchmark::kMillisecond);

// Memory: a dense model (128^3, every voxel a different colour, so no block
// is shared) and a sparse one (random voxels, about 1 per block).
void BM_MemoryDense(benchmark::State& state) {
  Volume v;
  for (int z = 0; z < 128; ++z)
    for (int y = 0; y < 128; ++y)
      for (int x = 0; x < 128; ++x)
        v.Set({x, y, z}, Rgba{uint8_t(x), uint8_t(y), uint8_t(z), 255});
  for (auto _ : state) benchmark::DoNotOptimize(v.MemoryBytes());
  state.counters["bytes_per_voxel"] =
      double(v.MemoryBytes()) / double(v.CountVoxels());
  state.counters["voxels"] = double(v.CountVoxels());
}
BENCHMARK(BM_MemoryDense)->Iterations(1);

void BM_MemorySparse(benchmark::State& state) {
  Volume v;
  for (const Vec3i& p : RandomPoints(20000, 512)) v.Set(p, kRed);
  for (auto _ : state) benchmark::DoNotOptimize(v.MemoryBytes());
  state.counters["bytes_per_voxel"] =
      double(v.MemoryBytes()) / double(v.CountVoxels());
  state.counters["voxels"] = double(v.CountVoxels());
}
BENCHMARK(BM_MemorySparse)->Iterations(1);

// Copying a big volume is O(1) (copy-on-write).
void BM_CopyVolume(benchmark::State& state) {
  Volume v;
  for (const Vec3i& p : RandomPoints(1 << 18, 256)) v.Set(p, kRed);
  for (auto _ : state) {
    Volume copy = v;
    benchmark::DoNotOptimize(copy);
  }
}
BENCHMARK(BM_CopyVolume);

// An undo snapshot, then one point edit, on 100k scattered blocks: what
// every add_voxel pays after the history takes its step (issue 16). The
// yardstick is the same on an empty volume (BM_SnapshotEditEmpty).
void SnapshotThenEdit(benchmark::State& state, int blocks) {
  Volume v;
  for (int i = 0; i < blocks; ++i)
    v.Set({(i % 1000) * 16, (i / 1000) * 16, 0}, kRed);
  int i = 0;
  for (auto _ : state) {
    Volume snapshot = v;
    v.Set({1 + (i & 7), 1, 1}, Rgba{uint8_t(i), 1, 1, 255});
    benchmark::DoNotOptimize(snapshot);
    ++i;
  }
}
void BM_SnapshotEditEmpty(benchmark::State& s) { SnapshotThenEdit(s, 0); }
void BM_SnapshotEdit100k(benchmark::State& s) { SnapshotThenEdit(s, 100000); }
BENCHMARK(BM_SnapshotEditEmpty);
BENCHMARK(BM_SnapshotEdit100k);

// The colour histogram (Volume::Colors) of 100k scattered blocks: counted
// after an edit (BM_ColorsAfterEdit: one point edit and a full count), then
// kept (BM_ColorsKept: the same version asked again).
Volume Scattered100kColors() {
  Volume v;
  for (int i = 0; i < 100000; ++i)
    v.Set({(i % 1000) * 16, (i / 1000) * 16, 0},
          Rgba{uint8_t(i % 200), uint8_t(i % 7), 1, 255});
  return v;
}
void BM_ColorsAfterEdit(benchmark::State& state) {
  Volume v = Scattered100kColors();
  int i = 0;
  for (auto _ : state) {
    v.Set({1, 1, 1}, Rgba{uint8_t(i++), 1, 1, 255});
    benchmark::DoNotOptimize(v.Colors()->size());
  }
}
BENCHMARK(BM_ColorsAfterEdit)->Unit(benchmark::kMillisecond);
void BM_ColorsKept(benchmark::State& state) {
  Volume v = Scattered100kColors();
  v.Colors();
  for (auto _ : state) benchmark::DoNotOptimize(v.Colors()->size());
}
BENCHMARK(BM_ColorsKept);

}  // namespace
}  // namespace goxel::voxel
