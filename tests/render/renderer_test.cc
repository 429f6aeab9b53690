// The renderer: pictures checked pixel for pixel against geometry computed
// here from the camera maths, plus lighting, shadows, AO, presets, limits.
#include "voxel/render/renderer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <vector>

namespace goxel::render {
namespace {

using voxel::Box;
using voxel::Rgba;

constexpr Rgba kGrey{10, 20, 30, 255};
constexpr Rgba kClear{0, 0, 0, 0};

voxel::Volume BoxVolume(const Box& box, Rgba color) {
  voxel::Volume v;
  (void)v.FillBox(box, color);
  return v;
}

Image MustRender(const std::vector<const voxel::Volume*>& volumes,
                 const RenderOptions& options) {
  Result<Image> image = Render(volumes, options);
  EXPECT_TRUE(image.ok()) << image.status().ToString();
  if (!image.ok()) return Image{};
  EXPECT_EQ(image->rgba.size(), size_t(options.width) * options.height * 4);
  return std::move(image).value();
}

voxel::Layer MakeLayer(int32_t id, voxel::Volume volume) {
  voxel::Layer layer;
  layer.id = id;
  layer.volume = std::move(volume);
  return layer;
}

// The expected shade of colour channel c under light l (renderer.h).
int Shade(int c, double light) {
  return int(std::lround(c * std::min(light, 1.0)));
}

void ExpectColorNear(Rgba got, int r, int g, int b, const char* what, int x,
                     int y) {
  EXPECT_LE(std::abs(got.r - r), 1) << what << " at " << x << "," << y;
  EXPECT_LE(std::abs(got.g - g), 1) << what << " at " << x << "," << y;
  EXPECT_LE(std::abs(got.b - b), 1) << what << " at " << x << "," << y;
  EXPECT_EQ(got.a, 255) << what << " at " << x << "," << y;
}

// Image-plane coordinates of the centre of pixel (x, y): u right, v up.
double PixelU(int x, int width) { return (x + 0.5) / width * 2.0 - 1.0; }
double PixelV(int y, int height) { return 1.0 - (y + 0.5) / height * 2.0; }

// The box x in [-3, 5), y in [2, 7), z in [-1, 6) (voxels -3..4, 2..6,
// -1..5), seen from the front. Inside its front face every pixel has the
// front face's shade; outside, the background. The mask comes from the
// camera maths here, not from the renderer.
struct SilhouetteCase {
  Projection projection;
  int width, height;
};

class Silhouette : public ::testing::TestWithParam<SilhouetteCase> {};

TEST_P(Silhouette, FrontViewOfABoxMatchesPixelForPixel) {
  const SilhouetteCase param = GetParam();
  const Rgba color{200, 150, 100, 255};
  const voxel::Volume box = BoxVolume({{-3, 2, -1}, {4, 6, 5}}, color);
  RenderOptions o;
  o.width = param.width;
  o.height = param.height;
  o.background = kGrey;
  o.sun_direction = {0.2, -1.0, 0.4};
  o.camera.projection = param.projection;
  o.camera.position = {0.37, -12, 1.21};
  o.camera.target = {0.37, 0, 1.21};
  o.camera.up = {0, 0, 1};
  o.camera.fov_degrees = 40;
  o.camera.ortho_height = 11.3;
  const Image image = MustRender({&box}, o);

  // Where the ray through each pixel centre meets the plane y = 2.
  const double aspect = double(o.width) / o.height;
  const double half_h =
      param.projection == Projection::kOrthographic
          ? o.camera.ortho_height / 2
          : (2 - o.camera.position.y) * std::tan(20.0 * M_PI / 180.0);
  const double light = 0.35 + 0.65 * (1.0 / std::sqrt(0.04 + 1.0 + 0.16));
  int inside_count = 0;
  for (int y = 0; y < o.height; ++y) {
    for (int x = 0; x < o.width; ++x) {
      const double wx = 0.37 + PixelU(x, o.width) * half_h * aspect;
      const double wz = 1.21 + PixelV(y, o.height) * half_h;
      // No pixel centre sits on an edge, so the mask is unambiguous.
      ASSERT_GT(std::min(std::abs(wx + 3), std::abs(wx - 5)), 1e-6);
      ASSERT_GT(std::min(std::abs(wz + 1), std::abs(wz - 6)), 1e-6);
      const bool inside = wx > -3 && wx < 5 && wz > -1 && wz < 6;
      const Rgba got = image.At(x, y);
      if (inside) {
        ++inside_count;
        ExpectColorNear(got, Shade(200, light), Shade(150, light),
                        Shade(100, light), "box", x, y);
      } else {
        EXPECT_EQ(got, kGrey) << "background at " << x << "," << y;
      }
    }
  }
  EXPECT_GT(inside_count, o.width * o.height / 10);
  EXPECT_LT(inside_count, o.width * o.height);
}

INSTANTIATE_TEST_SUITE_P(
    Renderer, Silhouette,
    ::testing::Values(SilhouetteCase{Projection::kOrthographic, 97, 83},
                      SilhouetteCase{Projection::kPerspective, 101, 77}));

RenderOptions FrontOrtho(Box box, int size) {
  RenderOptions o;
  o.width = o.height = size;
  const voxel::Volume v;
  o.camera = FrameBounds(CameraPreset::kFront, Projection::kOrthographic, box,
                         size, size);
  return o;
}

TEST(Renderer, TransparentBackgroundHasAlphaZeroOutsideTheModel) {
  const Box box{{0, 0, 0}, {3, 3, 3}};
  const voxel::Volume v = BoxVolume(box, {255, 255, 255, 255});
  RenderOptions o = FrontOrtho(box, 40);
  o.background = {90, 90, 90, 0};
  const Image image = MustRender({&v}, o);
  int opaque = 0, clear = 0;
  for (int y = 0; y < o.height; ++y) {
    for (int x = 0; x < o.width; ++x) {
      const Rgba p = image.At(x, y);
      if (p.a == 255) {
        ++opaque;
      } else {
        EXPECT_EQ(p, kClear) << x << "," << y;
        ++clear;
      }
    }
  }
  EXPECT_GT(opaque, 0);
  EXPECT_GT(clear, 0);
  EXPECT_EQ(image.At(0, 0), kClear);
  EXPECT_EQ(image.At(20, 20).a, 255);
}

TEST(Renderer, FaceTowardTheSunIsBrighterThanFaceAway) {
  const Box box{{0, 0, 0}, {3, 3, 3}};
  const voxel::Volume v = BoxVolume(box, {200, 100, 50, 255});
  RenderOptions o = FrontOrtho(box, 32);
  o.sun_direction = {0, -1, 0};  // toward the viewer: lights the front face.
  const Rgba lit = MustRender({&v}, o).At(16, 16);
  o.sun_direction = {0, 1, 0};  // behind the box.
  const Rgba unlit = MustRender({&v}, o).At(16, 16);
  EXPECT_GT(lit.r, unlit.r);
  ExpectColorNear(lit, Shade(200, 1.0), Shade(100, 1.0), Shade(50, 1.0), "lit",
                  16, 16);
  ExpectColorNear(unlit, Shade(200, 0.35), Shade(100, 0.35), Shade(50, 0.35),
                  "unlit", 16, 16);
}

// A 21x21 floor and a 3x3x3 block floating above its middle, seen from the
// top, lit from (1, 0, 1): the block's shadow falls toward -x. Each floor
// pixel's shadow is decided here by a ray/box test.
TEST(Renderer, ShadowsDarkenTheFloorUnderABlock) {
  voxel::Volume scene;
  const Rgba floor_color{180, 170, 160, 255}, block_color{50, 200, 60, 255};
  (void)scene.FillBox({{-10, -10, 0}, {10, 10, 0}}, floor_color);
  (void)scene.FillBox({{-1, -1, 6}, {1, 1, 8}}, block_color);
  RenderOptions o;
  o.width = o.height = 96;
  o.background = kGrey;
  o.sun_direction = {1, 0, 1};
  o.camera.projection = Projection::kOrthographic;
  o.camera.position = {0.5, 0.5, 50};
  o.camera.target = {0.5, 0.5, 0};
  o.camera.up = {0, 1, 0};
  o.camera.ortho_height = 24;
  const double lit = 0.35 + 0.65 / std::sqrt(2.0);
  for (bool shadows : {false, true}) {
    o.shadows = shadows;
    const Image image = MustRender({&scene}, o);
    int shadowed = 0;
    for (int y = 0; y < o.height; ++y) {
      for (int x = 0; x < o.width; ++x) {
        const double wx = 0.5 + PixelU(x, o.width) * 12;
        const double wy = 0.5 + PixelV(y, o.height) * 12;
        const Rgba got = image.At(x, y);
        if (wx > -1 && wx < 2 && wy > -1 && wy < 2) {
          ExpectColorNear(got, Shade(50, lit), Shade(200, lit), Shade(60, lit),
                          "block top", x, y);
          continue;
        }
        if (!(wx > -10 && wx < 11 && wy > -10 && wy < 11)) {
          EXPECT_EQ(got, kGrey) << x << "," << y;
          continue;
        }
        // The ray (wx + s, wy, 1 + s), s >= 0, meets the block's box
        // [-1, 2] x [-1, 2] x [6, 9] iff wy is inside and some s in [5, 8]
        // puts wx + s in [-1, 2].
        const bool in_shadow =
            shadows && wy > -1 && wy < 2 && wx + 8 > -1 && wx + 5 < 2;
        shadowed += in_shadow;
        const double light = in_shadow ? 0.35 : lit;
        ExpectColorNear(got, Shade(180, light), Shade(170, light),
                        Shade(160, light), in_shadow ? "shadow" : "floor", x,
                        y);
      }
    }
    EXPECT_EQ(shadowed > 0, shadows);
  }
}

// A floor with a wall along its back edge (y = 9), from the top, sun
// straight up. Floor cells next to the wall darken toward it (the wall is
// a side neighbour of their top face's far corners); others stay at full
// light. With AO off every floor pixel has the same shade.
TEST(Renderer, AmbientOcclusionDarkensTheInnerCorner) {
  voxel::Volume scene;
  (void)scene.FillBox({{0, 0, 0}, {9, 9, 0}}, {200, 200, 200, 255});
  (void)scene.FillBox({{0, 9, 1}, {9, 9, 3}}, {200, 200, 200, 255});
  RenderOptions o;
  o.width = o.height = 96;
  o.sun_direction = {0, 0, 1};
  o.camera.projection = Projection::kOrthographic;
  o.camera.position = {5, 5, 50};
  o.camera.target = {5, 5, 0};
  o.camera.up = {0, 1, 0};
  o.camera.ortho_height = 12;
  for (bool ao : {false, true}) {
    o.ambient_occlusion = ao;
    const Image image = MustRender({&scene}, o);
    int darkened = 0;
    for (int y = 0; y < o.height; ++y) {
      for (int x = 0; x < o.width; ++x) {
        const double wx = 5 + PixelU(x, o.width) * 6;
        const double wy = 5 + PixelV(y, o.height) * 6;
        // Floor cells x = 2..7, y = 0..8: away from the floor's own ends.
        if (!(wx > 2 && wx < 8 && wy > 0 && wy < 9)) continue;
        // Top face corners next to the wall: side neighbour and diagonal
        // occupied -> level 1 (factor 2/3); the far corners are open.
        const double fv = wy - std::floor(wy);
        const double factor = (ao && wy > 8) ? 1.0 + (2.0 / 3.0 - 1.0) * fv : 1;
        darkened += factor < 1;
        ExpectColorNear(image.At(x, y), Shade(200, factor), Shade(200, factor),
                        Shade(200, factor), "floor", x, y);
      }
    }
    EXPECT_EQ(darkened > 0, ao);
  }
}

// Red at +x, green at +y, blue at +z: each preset must show them where
// camera.h says (e.g. front: red right of centre, blue above).
TEST(Renderer, PresetsShowTheModelFromTheDocumentedSide) {
  voxel::Volume v;
  (void)v.Set({6, 0, 0}, {255, 0, 0, 255});
  (void)v.Set({0, 6, 0}, {0, 255, 0, 255});
  (void)v.Set({0, 0, 6}, {0, 0, 255, 255});
  const Vec3d center{3.5, 3.5, 3.5};
  const Vec3d voxels[3] = {{6.5, 0.5, 0.5}, {0.5, 6.5, 0.5}, {0.5, 0.5, 6.5}};
  struct View {
    CameraPreset preset;
    Vec3d right, up;  // as documented in camera.h.
  };
  const View views[] = {
      {CameraPreset::kFront, {1, 0, 0}, {0, 0, 1}},
      {CameraPreset::kBack, {-1, 0, 0}, {0, 0, 1}},
      {CameraPreset::kLeft, {0, -1, 0}, {0, 0, 1}},
      {CameraPreset::kRight, {0, 1, 0}, {0, 0, 1}},
      {CameraPreset::kTop, {1, 0, 0}, {0, 1, 0}},
      {CameraPreset::kBottom, {1, 0, 0}, {0, -1, 0}},
      {CameraPreset::kIsometric, {1, 1, 0}, {-1, 1, 2}},
  };
  for (const View& view : views) {
    for (Projection projection :
         {Projection::kOrthographic, Projection::kPerspective}) {
      SCOPED_TRACE(CameraPresetName(view.preset));
      RenderOptions o;
      o.width = o.height = 80;
      o.background = kClear;
      o.camera = FrameBounds(view.preset, projection, v.Bounds(), 80, 80);
      const Image image = MustRender({&v}, o);
      for (int c = 0; c < 3; ++c) {
        double sum_x = 0, sum_y = 0;
        int n = 0;
        for (int y = 0; y < o.height; ++y) {
          for (int x = 0; x < o.width; ++x) {
            const Rgba p = image.At(x, y);
            const uint8_t ch[3] = {p.r, p.g, p.b};
            if (p.a == 0 || ch[c] == 0 || ch[(c + 1) % 3] || ch[(c + 2) % 3])
              continue;
            sum_x += x + 0.5 - o.width / 2.0;
            sum_y += o.height / 2.0 - (y + 0.5);
            ++n;
          }
        }
        ASSERT_GT(n, 0) << "colour " << c << " not visible";
        const double want_x = Dot(voxels[c] - center, view.right);
        const double want_y = Dot(voxels[c] - center, view.up);
        if (std::abs(want_x) > 0.5) {
          EXPECT_EQ(sum_x / n > 0, want_x > 0) << "colour " << c;
        }
        if (std::abs(want_y) > 0.5) {
          EXPECT_EQ(sum_y / n > 0, want_y > 0) << "colour " << c;
        }
      }
    }
  }
}

TEST(Renderer, PresetFramingKeepsTheModelInsideThePicture) {
  const Box box{{-4, 10, 2}, {15, 14, 9}};
  const voxel::Volume v = BoxVolume(box, {255, 255, 255, 255});
  for (int p = 0; p <= int(CameraPreset::kIsometric); ++p) {
    for (Projection projection :
         {Projection::kOrthographic, Projection::kPerspective}) {
      SCOPED_TRACE(CameraPresetName(CameraPreset(p)));
      RenderOptions o;
      o.width = 90;
      o.height = 60;
      o.background = kClear;
      o.camera = FrameBounds(CameraPreset(p), projection, box, 90, 60);
      const Image image = MustRender({&v}, o);
      int min_x = o.width, max_x = -1, min_y = o.height, max_y = -1;
      for (int y = 0; y < o.height; ++y) {
        for (int x = 0; x < o.width; ++x) {
          if (image.At(x, y).a == 0) continue;
          min_x = std::min(min_x, x);
          max_x = std::max(max_x, x);
          min_y = std::min(min_y, y);
          max_y = std::max(max_y, y);
        }
      }
      EXPECT_GT(min_x, 0);
      EXPECT_LT(max_x, o.width - 1);
      EXPECT_GT(min_y, 0);
      EXPECT_LT(max_y, o.height - 1);
      // And it is not a speck: it spans a good part of one dimension.
      EXPECT_TRUE(max_x - min_x > o.width / 3 || max_y - min_y > o.height / 3);
    }
  }
}

std::string ParamOf(const Status& status) {
  const DetailValue* v = status.Find("param");
  return v ? std::get<std::string>(*v) : "";
}

TEST(Renderer, InvalidOptionsGiveInvalidParamsNamingTheParam) {
  const voxel::Volume v = BoxVolume({{0, 0, 0}, {1, 1, 1}}, {1, 2, 3, 255});
  struct Case {
    void (*change)(RenderOptions*);
    const char* param;
  };
  const Case cases[] = {
      {[](RenderOptions* o) { o->width = 0; }, "width"},
      {[](RenderOptions* o) { o->width = 8193; }, "width"},
      {[](RenderOptions* o) { o->height = -1; }, "height"},
      {[](RenderOptions* o) { o->height = 8193; }, "height"},
      {[](RenderOptions* o) { o->width = 8192, o->height = 2049; }, "width"},
      {[](RenderOptions* o) { o->antialias = 0; }, "antialias"},
      {[](RenderOptions* o) { o->antialias = 5; }, "antialias"},
      {[](RenderOptions* o) { o->ambient = -0.1; }, "ambient"},
      {[](RenderOptions* o) { o->diffuse = NAN; }, "diffuse"},
      {[](RenderOptions* o) {
         o->sun_direction = {0, 0, 0};
       },
       "sun_direction"},
      {[](RenderOptions* o) { o->camera.fov_degrees = 0; }, "fov"},
  };
  for (const Case& c : cases) {
    RenderOptions o;
    c.change(&o);
    Result<Image> image = Render({&v}, o);
    ASSERT_FALSE(image.ok()) << c.param;
    EXPECT_EQ(image.status().code(), StatusCode::kInvalidParams);
    EXPECT_EQ(ParamOf(image.status()), c.param);
  }
  // The limits themselves are allowed (checked without rendering them).
  RenderOptions o;
  o.width = 8192;
  o.height = 2048;
  EXPECT_TRUE(ValidateRenderOptions(o).ok());
}

TEST(Renderer, EmptySceneRendersBackgroundOnly) {
  const voxel::Volume empty;
  RenderOptions o;
  o.width = 33;
  o.height = 17;
  o.background = {1, 2, 3, 255};
  o.ambient_occlusion = o.shadows = true;
  o.antialias = 2;
  for (const auto& volumes : {std::vector<const voxel::Volume*>{},
                              std::vector<const voxel::Volume*>{&empty}}) {
    const Image image = MustRender(volumes, o);
    ASSERT_EQ(image.width, 33);
    ASSERT_EQ(image.height, 17);
    for (int y = 0; y < o.height; ++y)
      for (int x = 0; x < o.width; ++x)
        ASSERT_EQ(image.At(x, y), (Rgba{1, 2, 3, 255})) << x << "," << y;
  }
}

TEST(Renderer, SameInputGivesSameBytes) {
  voxel::Volume sponge;
  for (int z = 0; z < 27; ++z)
    for (int y = 0; y < 27; ++y)
      for (int x = 0; x < 27; ++x) {
        bool solid = true;
        for (int a = x, b = y, c = z; a || b || c; a /= 3, b /= 3, c /= 3)
          if ((a % 3 == 1) + (b % 3 == 1) + (c % 3 == 1) >= 2) solid = false;
        if (solid) (void)sponge.Set({x, y, z}, {uint8_t(x * 9), 120, 200, 255});
      }
  RenderOptions o;
  o.width = o.height = 64;
  o.ambient_occlusion = o.shadows = true;
  o.antialias = 2;
  o.camera = FrameBounds(CameraPreset::kIsometric, Projection::kPerspective,
                         sponge.Bounds(), 64, 64);
  const Image first = MustRender({&sponge}, o);
  voxel::Volume copy = sponge;  // a different object with the same voxels.
  voxel::Scene scene;
  scene.layers.push_back(MakeLayer(1, copy));
  Result<Image> second = RenderScene(scene, o);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(first.rgba, second->rgba);
  int model = 0;
  for (int i = 0; i < 64 * 64; ++i)
    model += first.rgba[i * 4] != o.background.r;
  EXPECT_GT(model, 64 * 64 / 8);
}

TEST(Renderer, TopLayerWinsAndHiddenLayersAreSkipped) {
  const Box box{{0, 0, 0}, {3, 3, 3}};
  voxel::Scene scene;
  scene.layers.push_back(MakeLayer(1, BoxVolume(box, {255, 0, 0, 255})));
  scene.layers.push_back(MakeLayer(2, BoxVolume(box, {0, 0, 255, 255})));
  RenderOptions o = FrontOrtho(box, 20);
  Result<Image> both = RenderScene(scene, o);
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->At(10, 10).r, 0);
  EXPECT_GT(both->At(10, 10).b, 0);
  scene.layers[1].visible = false;
  Result<Image> bottom = RenderScene(scene, o);
  ASSERT_TRUE(bottom.ok());
  EXPECT_GT(bottom->At(10, 10).r, 0);
  EXPECT_EQ(bottom->At(10, 10).b, 0);
}

// A box edge through the middle of a pixel column: with 2x2 samples that
// column is half covered (alpha 128 on a transparent background) and keeps
// the model's colour; its neighbours are fully in or out.
TEST(Renderer, AntialiasingBlendsEdgePixels) {
  const voxel::Volume v =
      BoxVolume({{0, 0, 0}, {3, 3, 3}}, {240, 120, 60, 255});
  RenderOptions o;
  o.width = o.height = 16;
  o.background = kClear;
  o.sun_direction = {0, -1, 0};
  o.antialias = 2;
  o.camera.projection = Projection::kOrthographic;
  o.camera.position = {0.25, -20, 2.1};  // pixel 7's centre is at x = 0.
  o.camera.target = {0.25, 0, 2.1};
  o.camera.ortho_height = 8;
  const Image image = MustRender({&v}, o);
  EXPECT_EQ(image.At(6, 8), kClear);
  EXPECT_EQ(image.At(7, 8), (Rgba{240, 120, 60, 128}));
  EXPECT_EQ(image.At(8, 8), (Rgba{240, 120, 60, 255}));
}

}  // namespace
}  // namespace goxel::render
