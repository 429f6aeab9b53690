// Cameras for the software renderer: explicit (position, target, up, fov or
// orthographic height) or framed from a preset view of the model's bounds.
//
// World axes follow Goxel: +z is up. Voxel (x, y, z) fills the unit cube
// [x, x+1] x [y, y+1] x [z, z+1]. The presets, with where the camera stands,
// where it looks, and what the picture shows:
//   front:     at -y, looks along +y; +x to the right, +z up.
//   back:      at +y, looks along -y; -x to the right, +z up.
//   left:      at -x, looks along +x; -y to the right, +z up.
//   right:     at +x, looks along -x; +y to the right, +z up.
//   top:       at +z, looks along -z; +x to the right, +y up.
//   bottom:    at -z, looks along +z; +x to the right, -y up.
//   isometric: at the (+x, -y, +z) corner, looks along (-1, 1, -1); the front,
//              right and top faces show; +z up.
//
// Thread contract: value types and pure functions; thread-safe.
#ifndef GOXEL_VOXEL_RENDER_CAMERA_H_
#define GOXEL_VOXEL_RENDER_CAMERA_H_

#include <optional>
#include <string_view>

#include "base/status.h"
#include "voxel/render/vec3.h"
#include "voxel/volume.h"

namespace goxel::render {

enum class Projection { kPerspective, kOrthographic };

// A camera in world space. The image's vertical axis is `up` made
// perpendicular to the view direction; its horizontal axis is
// view direction x up ("right").
struct Camera {
  Projection projection = Projection::kPerspective;
  Vec3d position{0, -10, 0};
  Vec3d target{0, 0, 0};
  Vec3d up{0, 0, 1};
  // Perspective: vertical field of view in degrees, in (0, 180).
  double fov_degrees = 45.0;
  // Orthographic: world units spanned by the image's height, > 0. The width
  // spans ortho_height * width / height.
  double ortho_height = 10.0;
};

// Checks a camera: finite numbers, position != target, up not parallel to
// the view direction, fov in (0, 180) for perspective, ortho_height > 0 for
// orthographic. InvalidParams with detail "param" (camera_position,
// camera_target, camera_up, fov, ortho_height) otherwise.
Status ValidateCamera(const Camera& camera);

enum class CameraPreset {
  kFront,
  kBack,
  kLeft,
  kRight,
  kTop,
  kBottom,
  kIsometric
};

// "front", "back", "left", "right", "top", "bottom", "isometric" (also "iso").
// InvalidParams naming param "camera" for anything else.
Result<CameraPreset> ParseCameraPreset(std::string_view name);
// The preset's canonical name, e.g. "isometric".
const char* CameraPresetName(CameraPreset preset);

// A camera that shows the whole of `bounds` (voxel bounds, inclusive, as
// Volume::Bounds() gives them) from the preset's direction, with a small
// margin, in a width x height picture. Perspective uses `fov_degrees` and
// backs off until the bounds' enclosing sphere fits; orthographic sets
// ortho_height so the projected bounds fit. nullopt (an empty scene) frames
// the single cell at the origin. width and height must be > 0.
Camera FrameBounds(CameraPreset preset, Projection projection,
                   const std::optional<voxel::Box>& bounds, int width,
                   int height, double fov_degrees = 45.0);

// An orthonormal view basis derived from a valid camera.
struct ViewBasis {
  Vec3d forward;  // unit, from position toward target.
  Vec3d right;    // unit, forward x up.
  Vec3d up;       // unit, right x forward.
};
ViewBasis MakeViewBasis(const Camera& camera);

}  // namespace goxel::render

#endif  // GOXEL_VOXEL_RENDER_CAMERA_H_
