// The render methods through the real daemon: PNG files and base64 images,
// and a picture check of a known box against its silhouette.
#include <cmath>

#include "files/files_fixture.h"
#include "voxel/formats/png_codec.h"

namespace goxel::testing {
namespace {

using voxel::formats::DecodePng;
using voxel::formats::PngImage;

std::vector<uint8_t> DecodeBase64(const std::string& s) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::vector<uint8_t> out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : s) {
    if (c == '=') break;
    int v = value(c);
    EXPECT_GE(v, 0) << "not base64: " << c;
    if (v < 0) return {};
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>(acc >> bits));
    }
  }
  return out;
}

// Checks the PNG signature and the IHDR size.
void ExpectPng(const std::vector<uint8_t>& b, uint32_t w, uint32_t h) {
  ASSERT_GT(b.size(), 24u);
  EXPECT_EQ(std::string(b.begin(), b.begin() + 8), "\x89PNG\r\n\x1a\n");
  EXPECT_EQ(std::string(b.begin() + 12, b.begin() + 16), "IHDR");
  auto be32 = [&](size_t i) {
    return uint32_t(b[i]) << 24 | uint32_t(b[i + 1]) << 16 |
           uint32_t(b[i + 2]) << 8 | b[i + 3];
  };
  EXPECT_EQ(be32(16), w);
  EXPECT_EQ(be32(20), h);
}

class RenderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    daemon_ = new FilesDaemon();
    CopyFile(TestData("vox/menger.vox"), daemon_->File("menger.vox"));
    ASSERT_TRUE(daemon_->Start()) << daemon_->process().Log();
  }
  static void TearDownTestSuite() {
    delete daemon_;
    daemon_ = nullptr;
  }
  static FilesDaemon* daemon_;
};

FilesDaemon* RenderTest::daemon_ = nullptr;

TEST_F(RenderTest, RenderSceneWritesAPngFileOrReturnsBase64) {
  daemon_->Ok("goxel.load_project", R"(["menger.vox"])");
  Reply to_file =
      daemon_->Ok("goxel.render_scene", R"([512, 512, "png", "menger.png"])");
  EXPECT_EQ(to_file.Str("path"), daemon_->File("menger.png"));
  EXPECT_EQ(to_file.Int("width"), 512);
  EXPECT_EQ(to_file.Int("height"), 512);
  EXPECT_EQ(to_file.Str("format"), "png");
  EXPECT_GT(to_file.result()["render_time_ms"].GetDouble(), 0.0);
  EXPECT_FALSE(to_file.result().HasMember("image"));
  const auto file = ReadBytes(daemon_->File("menger.png"));
  ExpectPng(file, 512, 512);

  Reply inline_image = daemon_->Ok("goxel.render_scene", "{}");
  EXPECT_FALSE(inline_image.result().HasMember("path"));
  const auto decoded = DecodeBase64(inline_image.Str("image"));
  ExpectPng(decoded, 512, 512);
  EXPECT_EQ(decoded, file) << "same voxels and options, same bytes";

  Reply image = daemon_->Ok("goxel.render_image",
                            R"({"width":64,"height":48,"camera":"front"})");
  const auto small = DecodeBase64(image.Str("image"));
  ExpectPng(small, 64, 48);
  EXPECT_GE(image.result()["render_time_ms"].GetDouble(), 0.0);
}

TEST_F(RenderTest, TransparentBackgroundAndBadParams) {
  daemon_->Ok("goxel.create_project", "{}");
  daemon_->Ok("goxel.add_voxel", R"([0, 0, 0, 255, 0, 0, 255])");
  Reply r = daemon_->Ok("goxel.render_image",
                        R"({"width":16,"height":16,"background":"transparent",
                            "camera":"top","ortho_height":4,"antialias":2,"shadows":true,
                            "ambient_occlusion":true})");
  auto png = DecodePng(DecodeBase64(r.Str("image")), 1 << 20);
  ASSERT_TRUE(png.ok());
  EXPECT_EQ(png->rgba[3], 0) << "corner is transparent";
  const size_t centre = (8 * 16 + 8) * 4;
  EXPECT_EQ(png->rgba[centre + 3], 255);
  EXPECT_GT(png->rgba[centre], png->rgba[centre + 1]) << "red voxel";
  for (const char* bad :
       {R"({"format":"jpg"})", R"({"width":0})", R"({"camera":"sideways"})",
        R"({"antialias":9})", R"({"projection":"fisheye"})",
        R"({"camera_position":[0,0,0],"camera_target":[0,0,0]})"}) {
    Reply e = daemon_->Call("goxel.render_scene", bad);
    EXPECT_EQ(e.code(), -32602) << bad << " " << e.text;
  }
}

// The box x in [-3, 5), z in [-1, 6), seen from the front by an
// orthographic camera: pixels whose centre falls inside the box's front
// face show the face's shade; all others the background (the mask comes
// from the camera maths here, as in tests/render).
TEST_F(RenderTest, OrthographicFrontViewOfABoxMatchesItsSilhouette) {
  daemon_->Ok("goxel.create_project", "{}");
  daemon_->Ok("goxel.fill_region",
              R"({"min":[-3,2,-1],"max":[4,6,5],"color":[200,150,100,255]})");
  const int w = 97, h = 83;
  Reply r = daemon_->Ok("goxel.render_image",
                        R"({"width":97,"height":83,"projection":"orthographic",
          "camera_position":[0.37,-12,1.21],"camera_target":[0.37,0,1.21],
          "camera_up":[0,0,1],"ortho_height":11.3,
          "background":[10,20,30,255],"sun_direction":[0.2,-1.0,0.4]})");
  auto png = DecodePng(DecodeBase64(r.Str("image")), 1 << 20);
  ASSERT_TRUE(png.ok()) << png.status().ToString();
  ASSERT_EQ(png->width, w);
  ASSERT_EQ(png->height, h);
  const double half_h = 11.3 / 2, aspect = double(w) / h;
  const double light = 0.35 + 0.65 * (1.0 / std::sqrt(0.04 + 1.0 + 0.16));
  auto shade = [&](int c) {
    return int(std::lround(c * std::min(light, 1.0)));
  };
  int inside_count = 0;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const double wx = 0.37 + ((x + 0.5) / w * 2 - 1) * half_h * aspect;
      const double wz = 1.21 + (1 - (y + 0.5) / h * 2) * half_h;
      const bool inside = wx > -3 && wx < 5 && wz > -1 && wz < 6;
      const uint8_t* px = &png->rgba[(size_t(y) * w + x) * 4];
      if (inside) {
        ++inside_count;
        EXPECT_LE(std::abs(px[0] - shade(200)), 1) << x << "," << y;
        EXPECT_LE(std::abs(px[1] - shade(150)), 1) << x << "," << y;
        EXPECT_LE(std::abs(px[2] - shade(100)), 1) << x << "," << y;
        EXPECT_EQ(px[3], 255);
      } else {
        EXPECT_EQ(px[0], 10) << x << "," << y;
        EXPECT_EQ(px[1], 20) << x << "," << y;
        EXPECT_EQ(px[2], 30) << x << "," << y;
        EXPECT_EQ(px[3], 255) << x << "," << y;
      }
    }
  }
  EXPECT_GT(inside_count, w * h / 10);
  EXPECT_LT(inside_count, w * h);
}

}  // namespace
}  // namespace goxel::testing
