// Load/save of menger.vox and a 1M-voxel model in every read/write format,
// and each mesh export. Bytes/s counters give MB/s of the file format.
#include <benchmark/benchmark.h>

#include "base/file_io.h"
#include "voxel/formats/registry.h"

namespace goxel::voxel::formats {
namespace {

Scene Menger() {
  auto bytes = ReadFileBytes(
      std::string(GOXEL_TESTDATA_DIR) + "/vox/menger.vox", int64_t{1} << 30);
  auto scene = FindFormat("vox")->read(*bytes, ReadLimits());
  return *scene;
}

// 100^3 = 1,000,000 voxels, 64 colours in 3D bands (a solid cube).
Scene Million() {
  Scene s;
  Layer l;
  l.id = 1;
  l.name = "million";
  for (int z = 0; z < 100; ++z)
    for (int y = 0; y < 100; ++y)
      for (int x = 0; x < 100; ++x)
        l.volume.Set({x, y, z}, Rgba{static_cast<uint8_t>(x / 25 * 60),
                                     static_cast<uint8_t>(y / 25 * 60),
                                     static_cast<uint8_t>(z / 25 * 60), 255});
  s.layers.push_back(l);
  return s;
}

const Scene& Model(int which) {
  static const Scene menger = Menger();
  static const Scene million = Million();
  return which == 0 ? menger : million;
}

void BM_Save(benchmark::State& state, const char* fmt) {
  const Scene& s = Model(static_cast<int>(state.range(0)));
  const FormatInfo* f = FindFormat(fmt);
  size_t bytes = 0;
  for (auto _ : state) {
    auto out = f->write(s, WriteOptions());
    bytes = out->size();
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes) * state.iterations());
  state.counters["file_bytes"] = static_cast<double>(bytes);
}

void BM_Load(benchmark::State& state, const char* fmt) {
  const Scene& s = Model(static_cast<int>(state.range(0)));
  const FormatInfo* f = FindFormat(fmt);
  const std::vector<uint8_t> bytes = *f->write(s, WriteOptions());
  for (auto _ : state) {
    auto scene = f->read(bytes, ReadLimits());
    if (!scene.ok()) state.SkipWithError(scene.status().ToString().c_str());
    benchmark::DoNotOptimize(scene);
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes.size()) *
                          state.iterations());
}

// range(0): 0 = menger.vox (160,000 voxels), 1 = 1M-voxel cube.
#define MODELS ->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)
BENCHMARK_CAPTURE(BM_Load, vox, "vox") MODELS;
BENCHMARK_CAPTURE(BM_Save, vox, "vox") MODELS;
BENCHMARK_CAPTURE(BM_Load, gox, "gox") MODELS;
BENCHMARK_CAPTURE(BM_Save, gox, "gox") MODELS;
BENCHMARK_CAPTURE(BM_Load, qb, "qb") MODELS;
BENCHMARK_CAPTURE(BM_Save, qb, "qb") MODELS;
BENCHMARK_CAPTURE(BM_Load, txt, "txt") MODELS;
BENCHMARK_CAPTURE(BM_Save, txt, "txt") MODELS;
BENCHMARK_CAPTURE(BM_Save, obj, "obj") MODELS;
BENCHMARK_CAPTURE(BM_Save, ply, "ply") MODELS;
BENCHMARK_CAPTURE(BM_Save, stl, "stl") MODELS;
BENCHMARK_CAPTURE(BM_Save, gltf, "gltf") MODELS;
BENCHMARK_CAPTURE(BM_Save, glb, "glb") MODELS;

}  // namespace
}  // namespace goxel::voxel::formats
