#include "voxel/render/camera.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <string>

namespace goxel::render {
namespace {

// How much room framing leaves around the bounds (1.1 = 10% larger view).
constexpr double kFrameMargin = 1.1;

struct PresetRow {
  CameraPreset preset;
  const char* name;
  Vec3d forward;  // not necessarily unit.
  Vec3d up;
};

// The preset table; camera.h documents each direction.
constexpr std::array<PresetRow, 7> kPresets = {{
    {CameraPreset::kFront, "front", {0, 1, 0}, {0, 0, 1}},
    {CameraPreset::kBack, "back", {0, -1, 0}, {0, 0, 1}},
    {CameraPreset::kLeft, "left", {1, 0, 0}, {0, 0, 1}},
    {CameraPreset::kRight, "right", {-1, 0, 0}, {0, 0, 1}},
    {CameraPreset::kTop, "top", {0, 0, -1}, {0, 1, 0}},
    {CameraPreset::kBottom, "bottom", {0, 0, 1}, {0, -1, 0}},
    {CameraPreset::kIsometric, "isometric", {-1, 1, -1}, {0, 0, 1}},
}};

const PresetRow& Row(CameraPreset preset) {
  for (const PresetRow& row : kPresets) {
    if (row.preset == preset) return row;
  }
  return kPresets[0];
}

double Radians(double degrees) { return degrees * std::numbers::pi / 180.0; }

}  // namespace

Status ValidateCamera(const Camera& camera) {
  if (!IsFinite(camera.position)) {
    return Status::InvalidParams("camera position must be finite")
        .With("param", "camera_position");
  }
  if (!IsFinite(camera.target)) {
    return Status::InvalidParams("camera target must be finite")
        .With("param", "camera_target");
  }
  const Vec3d view = camera.target - camera.position;
  if (Length(view) < 1e-9) {
    return Status::InvalidParams("camera target must differ from its position")
        .With("param", "camera_target");
  }
  if (!IsFinite(camera.up) || Length(camera.up) < 1e-9 ||
      Length(Cross(Normalize(view), Normalize(camera.up))) < 1e-6) {
    return Status::InvalidParams(
               "camera up must be non-zero and not parallel to the view")
        .With("param", "camera_up");
  }
  if (camera.projection == Projection::kPerspective &&
      !(camera.fov_degrees > 0.0 && camera.fov_degrees < 180.0)) {
    return Status::InvalidParams("fov must be in (0, 180) degrees")
        .With("param", "fov");
  }
  if (camera.projection == Projection::kOrthographic &&
      !(camera.ortho_height > 0.0 && std::isfinite(camera.ortho_height))) {
    return Status::InvalidParams("ortho_height must be positive")
        .With("param", "ortho_height");
  }
  return Status::Ok();
}

Result<CameraPreset> ParseCameraPreset(std::string_view name) {
  if (name == "iso") return CameraPreset::kIsometric;
  for (const PresetRow& row : kPresets) {
    if (name == row.name) return row.preset;
  }
  return Status::InvalidParams("unknown camera preset '" + std::string(name) +
                               "' (front, back, left, right, top, bottom, "
                               "isometric)")
      .With("param", "camera");
}

const char* CameraPresetName(CameraPreset preset) { return Row(preset).name; }

ViewBasis MakeViewBasis(const Camera& camera) {
  ViewBasis basis;
  basis.forward = Normalize(camera.target - camera.position);
  basis.right = Normalize(Cross(basis.forward, camera.up));
  basis.up = Cross(basis.right, basis.forward);
  return basis;
}

Camera FrameBounds(CameraPreset preset, Projection projection,
                   const std::optional<voxel::Box>& bounds, int width,
                   int height, double fov_degrees) {
  const voxel::Box box = bounds.value_or(voxel::Box{});
  const Vec3d lo{double(box.min.x), double(box.min.y), double(box.min.z)};
  const Vec3d hi{box.max.x + 1.0, box.max.y + 1.0, box.max.z + 1.0};
  const Vec3d center = (lo + hi) * 0.5;
  const double radius = Length(hi - lo) * 0.5;
  const double aspect = double(std::max(width, 1)) / std::max(height, 1);

  const PresetRow& row = Row(preset);
  Camera camera;
  camera.projection = projection;
  camera.up = row.up;
  camera.target = center;
  camera.fov_degrees = fov_degrees;
  const Vec3d forward = Normalize(row.forward);
  if (projection == Projection::kOrthographic) {
    camera.position = center - forward * (radius + 1.0);
    const ViewBasis basis = MakeViewBasis(camera);
    double half_w = 0, half_h = 0;
    for (int i = 0; i < 8; ++i) {
      const Vec3d corner{(i & 1) ? hi.x : lo.x, (i & 2) ? hi.y : lo.y,
                         (i & 4) ? hi.z : lo.z};
      half_w = std::max(half_w, std::abs(Dot(corner - center, basis.right)));
      half_h = std::max(half_h, std::abs(Dot(corner - center, basis.up)));
    }
    camera.ortho_height =
        std::max(2.0 * half_h, 2.0 * half_w / aspect) * kFrameMargin;
  } else {
    const double half_v = Radians(fov_degrees) * 0.5;
    const double half_h = std::atan(std::tan(half_v) * aspect);
    const double distance =
        radius * kFrameMargin / std::sin(std::min(half_v, half_h));
    camera.position = center - forward * distance;
  }
  return camera;
}

}  // namespace goxel::render
