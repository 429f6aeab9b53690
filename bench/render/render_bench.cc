// Benchmarks of the software renderer on a procedural level-4 Menger sponge
// (81^3 cells, 160,000 voxels, like testdata/vox/menger.vox), 512x512, one
// thread.
//
//   build-render/bench/render/render_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "voxel/formats/vox.h"
#include "voxel/render/camera.h"
#include "voxel/render/renderer.h"
#include "voxel/render/voxel_grid.h"
#include "voxel/volume.h"

namespace goxel::render {
namespace {

// A cell of a level-`level` sponge is solid unless, at some base-3 digit,
// at least two of its coordinates have the digit 1.
bool MengerSolid(int x, int y, int z, int level) {
  for (int i = 0; i < level; ++i, x /= 3, y /= 3, z /= 3) {
    if ((x % 3 == 1) + (y % 3 == 1) + (z % 3 == 1) >= 2) return false;
  }
  return true;
}

const voxel::Volume& Menger() {
  static const voxel::Volume* volume = [] {
    auto* v = new voxel::Volume();
    for (int z = 0; z < 81; ++z)
      for (int y = 0; y < 81; ++y)
        for (int x = 0; x < 81; ++x)
          if (MengerSolid(x, y, z, 4)) {
            (void)v->Set({x, y, z}, {uint8_t(80 + x * 2), uint8_t(80 + y * 2),
                                     uint8_t(80 + z * 2), 255});
          }
    return v;
  }();
  return *volume;
}

RenderOptions Options(CameraPreset preset, bool ao, bool shadows, int aa) {
  const std::vector<const voxel::Volume*> volumes = {&Menger()};
  RenderOptions options;
  options.width = options.height = 512;
  const Projection projection = preset == CameraPreset::kIsometric
                                    ? Projection::kOrthographic
                                    : Projection::kPerspective;
  options.camera =
      FrameBounds(preset, projection, SceneBounds(volumes), 512, 512);
  if (preset != CameraPreset::kIsometric) {
    // A three-quarter perspective view: holes seen at an angle.
    options.camera.position = options.camera.target + Vec3d{120, -160, 110};
  }
  options.ambient_occlusion = ao;
  options.shadows = shadows;
  options.antialias = aa;
  return options;
}

// Args: preset (0 perspective 3/4 view, 1 isometric), ao, shadows, aa.
void BM_RenderMenger512(benchmark::State& state) {
  const CameraPreset preset =
      state.range(0) ? CameraPreset::kIsometric : CameraPreset::kFront;
  const RenderOptions options =
      Options(preset, state.range(1), state.range(2), int(state.range(3)));
  const std::vector<const voxel::Volume*> volumes = {&Menger()};
  for (auto _ : state) {
    Result<Image> image = Render(volumes, options);
    if (!image.ok()) state.SkipWithError(image.status().ToString().c_str());
    benchmark::DoNotOptimize(image.value().rgba.data());
  }
  state.SetLabel(state.range(0) ? "isometric" : "perspective");
}
BENCHMARK(BM_RenderMenger512)
    ->ArgNames({"iso", "ao", "shadows", "aa"})
    ->Args({0, 0, 0, 1})
    ->Args({1, 0, 0, 1})
    ->Args({0, 1, 0, 1})
    ->Args({0, 0, 1, 1})
    ->Args({0, 1, 1, 1})
    ->Args({1, 1, 1, 1})
    ->Args({0, 0, 0, 2})
    ->Args({1, 1, 1, 2})
    ->Unit(benchmark::kMillisecond);

// The real file: testdata/vox/menger.vox read through goxel_formats.
const voxel::Scene& MengerVox() {
  static const voxel::Scene* scene = [] {
    std::ifstream in(std::string(GOXEL_TESTDATA_DIR) + "/vox/menger.vox",
                     std::ios::binary);
    const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in),
                                     std::istreambuf_iterator<char>()};
    Result<voxel::Scene> read =
        voxel::formats::ReadVox(bytes, voxel::formats::ReadLimits{});
    return new voxel::Scene(read.ok() ? std::move(read).value()
                                      : voxel::Scene{});
  }();
  return *scene;
}

// Args: iso, ao+shadows. Perspective uses the front preset's framing.
void BM_RenderMengerVox512(benchmark::State& state) {
  const voxel::Scene& scene = MengerVox();
  std::vector<const voxel::Volume*> volumes;
  for (const voxel::Layer& layer : scene.layers)
    volumes.push_back(&layer.volume);
  if (volumes.empty()) state.SkipWithError("menger.vox did not load");
  RenderOptions options;
  options.camera = FrameBounds(
      state.range(0) ? CameraPreset::kIsometric : CameraPreset::kFront,
      state.range(0) ? Projection::kOrthographic : Projection::kPerspective,
      SceneBounds(volumes), 512, 512);
  options.ambient_occlusion = options.shadows = state.range(1);
  for (auto _ : state) {
    Result<Image> image = RenderScene(scene, options);
    if (!image.ok()) state.SkipWithError(image.status().ToString().c_str());
    benchmark::DoNotOptimize(image.value().rgba.data());
  }
}
BENCHMARK(BM_RenderMengerVox512)
    ->ArgNames({"iso", "ao_shadows"})
    ->Args({0, 0})
    ->Args({1, 0})
    ->Args({0, 1})
    ->Args({1, 1})
    ->Unit(benchmark::kMillisecond);

// Building the merged grid alone (part of every Render call).
void BM_BuildGridMenger(benchmark::State& state) {
  const std::vector<const voxel::Volume*> volumes = {&Menger()};
  for (auto _ : state) {
    VoxelGrid grid = VoxelGrid::Build(volumes);
    benchmark::DoNotOptimize(grid.block_count());
  }
}
BENCHMARK(BM_BuildGridMenger)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace goxel::render
