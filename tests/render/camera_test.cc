// Cameras: preset names, validation, and the directions camera.h documents.
#include "voxel/render/camera.h"

#include <gtest/gtest.h>

#include <cmath>

namespace goxel::render {
namespace {

void ExpectVec(Vec3d got, Vec3d want) {
  EXPECT_NEAR(got.x, want.x, 1e-12);
  EXPECT_NEAR(got.y, want.y, 1e-12);
  EXPECT_NEAR(got.z, want.z, 1e-12);
}

std::string ParamOf(const Status& status) {
  const DetailValue* v = status.Find("param");
  return v ? std::get<std::string>(*v) : "";
}

TEST(Camera, ParsesEveryPresetNameAndRejectsOthers) {
  for (const char* name :
       {"front", "back", "left", "right", "top", "bottom", "isometric"}) {
    Result<CameraPreset> preset = ParseCameraPreset(name);
    ASSERT_TRUE(preset.ok()) << name;
    EXPECT_STREQ(CameraPresetName(*preset), name);
  }
  EXPECT_EQ(ParseCameraPreset("iso").value(), CameraPreset::kIsometric);
  Result<CameraPreset> bad = ParseCameraPreset("sideways");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidParams);
  EXPECT_EQ(ParamOf(bad.status()), "camera");
}

TEST(Camera, PresetsLookAndOrientAsDocumented) {
  const voxel::Box box{{-2, -2, -2}, {1, 1, 1}};  // centred on the origin.
  struct Want {
    CameraPreset preset;
    Vec3d forward, right, up;
  };
  const double s = 1 / std::sqrt(3.0);
  const Want wants[] = {
      {CameraPreset::kFront, {0, 1, 0}, {1, 0, 0}, {0, 0, 1}},
      {CameraPreset::kBack, {0, -1, 0}, {-1, 0, 0}, {0, 0, 1}},
      {CameraPreset::kLeft, {1, 0, 0}, {0, -1, 0}, {0, 0, 1}},
      {CameraPreset::kRight, {-1, 0, 0}, {0, 1, 0}, {0, 0, 1}},
      {CameraPreset::kTop, {0, 0, -1}, {1, 0, 0}, {0, 1, 0}},
      {CameraPreset::kBottom, {0, 0, 1}, {1, 0, 0}, {0, -1, 0}},
      {CameraPreset::kIsometric,
       {-s, s, -s},
       {1 / std::sqrt(2.0), 1 / std::sqrt(2.0), 0},
       {-1 / std::sqrt(6.0), 1 / std::sqrt(6.0), 2 / std::sqrt(6.0)}},
  };
  for (const Want& want : wants) {
    for (Projection projection :
         {Projection::kPerspective, Projection::kOrthographic}) {
      SCOPED_TRACE(CameraPresetName(want.preset));
      const Camera camera = FrameBounds(want.preset, projection, box, 64, 48);
      ASSERT_TRUE(ValidateCamera(camera).ok());
      ExpectVec(camera.target, {0, 0, 0});
      const ViewBasis basis = MakeViewBasis(camera);
      ExpectVec(basis.forward, want.forward);
      ExpectVec(basis.right, want.right);
      ExpectVec(basis.up, want.up);
    }
  }
}

// Every corner of the bounds projects inside the orthographic view, and
// the view is no more than the margin larger than needed.
TEST(Camera, OrthographicFramingFitsTheBounds) {
  const voxel::Box box{{3, -7, 0}, {12, 4, 30}};
  const Camera camera = FrameBounds(CameraPreset::kFront,
                                    Projection::kOrthographic, box, 200, 100);
  // Front view: x spans 10 world units, z spans 31; the picture is 2:1, so
  // the height (31) decides: ortho_height = 31 * margin.
  EXPECT_GT(camera.ortho_height, 31.0);
  EXPECT_LT(camera.ortho_height, 31.0 * 1.25);
  // The camera stands in front of the whole box.
  EXPECT_LT(camera.position.y, -7.0);
  ExpectVec(camera.target, {8, -1, 15.5});
}

TEST(Camera, PerspectiveFramingStandsOutsideTheBounds) {
  const voxel::Box box{{0, 0, 0}, {80, 80, 80}};
  for (CameraPreset preset :
       {CameraPreset::kFront, CameraPreset::kTop, CameraPreset::kIsometric}) {
    const Camera camera =
        FrameBounds(preset, Projection::kPerspective, box, 512, 512);
    const double distance = Length(camera.position - camera.target);
    EXPECT_GT(distance, Length(Vec3d{81, 81, 81}) / 2);
  }
}

TEST(Camera, EmptyBoundsFrameTheOrigin) {
  const Camera camera = FrameBounds(
      CameraPreset::kFront, Projection::kOrthographic, std::nullopt, 10, 10);
  EXPECT_TRUE(ValidateCamera(camera).ok());
  ExpectVec(camera.target, {0.5, 0.5, 0.5});
}

TEST(Camera, ValidationNamesTheBadParam) {
  Camera camera;
  camera.target = camera.position;
  EXPECT_EQ(ParamOf(ValidateCamera(camera)), "camera_target");
  camera = Camera{};
  camera.up = {0, 1, 0};  // parallel to the default view direction.
  EXPECT_EQ(ParamOf(ValidateCamera(camera)), "camera_up");
  camera = Camera{};
  camera.fov_degrees = 180;
  EXPECT_EQ(ParamOf(ValidateCamera(camera)), "fov");
  camera = Camera{};
  camera.projection = Projection::kOrthographic;
  camera.ortho_height = 0;
  EXPECT_EQ(ParamOf(ValidateCamera(camera)), "ortho_height");
  camera = Camera{};
  camera.position.x = std::nan("");
  EXPECT_EQ(ParamOf(ValidateCamera(camera)), "camera_position");
  EXPECT_TRUE(ValidateCamera(Camera{}).ok());
}

}  // namespace
}  // namespace goxel::render
