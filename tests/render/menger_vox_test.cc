// A picture check on a file nobody here wrote: testdata/vox/menger.vox (a
// level-4 Menger sponge from MagicaVoxel's samples), rendered from the front
// at one pixel per voxel, must show the Sierpinski carpet: a pixel is
// background exactly where a tunnel runs through the whole sponge.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <vector>

#include "voxel/formats/vox.h"
#include "voxel/render/renderer.h"

namespace goxel::render {
namespace {

std::vector<uint8_t> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Column (x, z) of the sponge, seen along y, is a tunnel when at some base-3
// digit both x and z have a 1.
bool CarpetHole(int x, int z) {
  for (; x || z; x /= 3, z /= 3) {
    if (x % 3 == 1 && z % 3 == 1) return true;
  }
  return false;
}

TEST(MengerVox, FrontViewIsTheSierpinskiCarpetPixelForPixel) {
  const std::vector<uint8_t> bytes =
      ReadFile(std::string(GOXEL_TESTDATA_DIR) + "/vox/menger.vox");
  ASSERT_FALSE(bytes.empty());
  Result<voxel::Scene> scene =
      voxel::formats::ReadVox(bytes, voxel::formats::ReadLimits{});
  ASSERT_TRUE(scene.ok()) << scene.status().ToString();
  std::vector<const voxel::Volume*> volumes;
  int64_t voxels = 0;
  for (const voxel::Layer& layer : scene->layers) {
    volumes.push_back(&layer.volume);
    voxels += layer.volume.CountVoxels();
  }
  ASSERT_EQ(voxels, 160000);
  const std::optional<voxel::Box> bounds = SceneBounds(volumes);
  ASSERT_TRUE(bounds.has_value());
  ASSERT_EQ(bounds->max.x - bounds->min.x, 80);
  ASSERT_EQ(bounds->max.z - bounds->min.z, 80);

  // 81 x 81 pixels over the 81 x 81 front: pixel centres at voxel centres.
  RenderOptions o;
  o.width = o.height = 81;
  o.background = {0, 0, 0, 0};
  o.camera.projection = Projection::kOrthographic;
  const Vec3d center{bounds->min.x + 40.5, bounds->min.y + 40.5,
                     bounds->min.z + 40.5};
  o.camera.position = center - Vec3d{0, 100, 0};
  o.camera.target = center;
  o.camera.ortho_height = 81;
  Result<Image> image = Render(volumes, o);
  ASSERT_TRUE(image.ok());
  int holes = 0;
  for (int row = 0; row < 81; ++row) {
    for (int col = 0; col < 81; ++col) {
      const bool hole = CarpetHole(col, 80 - row);
      holes += hole;
      EXPECT_EQ(image->At(col, row).a, hole ? 0 : 255) << col << "," << row;
    }
  }
  // 81^2 - 64^2 columns of a level-4 carpet are open.
  EXPECT_EQ(holes, 81 * 81 - 64 * 64);
}

}  // namespace
}  // namespace goxel::render
