// The software renderer: voxels in, an RGBA8 picture out.
//
// Render() ray casts one ray per sample through a VoxelGrid built from the
// visible volumes (see voxel_grid.h), then shades the face it hits:
//   light = (ambient + diffuse * max(0, n . sun) * shadow) * ao
//   pixel = voxel colour * min(light, 1)
// where n is the face normal, sun the unit direction toward the sun, shadow
// 0 when a ray toward the sun is blocked (shadows on) else 1, and ao the
// voxel-editor ambient occlusion (per face corner, from the occupancy of the
// two side neighbours and the diagonal neighbour in front of the face,
// interpolated bilinearly across the face; 1 when off). Pixels whose samples
// miss show the background. With antialias = N each pixel averages an N x N
// grid of samples (coverage-weighted alpha, straight colour).
//
// Thread contract: Render* are pure functions of their inputs; callers may
// render from several threads at once. The inputs are only read, and must
// not be written during the call (render a copy-on-write snapshot).
#ifndef GOXEL_VOXEL_RENDER_RENDERER_H_
#define GOXEL_VOXEL_RENDER_RENDERER_H_

#include <atomic>
#include <cstdint>
#include <optional>
#include <vector>

#include "base/status.h"
#include "voxel/layer.h"
#include "voxel/render/camera.h"
#include "voxel/render/vec3.h"
#include "voxel/render/voxel_grid.h"
#include "voxel/volume.h"

namespace goxel::render {

// Limits on the picture: each side at most kMaxSide, and at most kMaxPixels
// pixels in all.
inline constexpr int kMaxSide = 8192;
inline constexpr int64_t kMaxPixels = int64_t{16} * 1024 * 1024;
inline constexpr int kMaxAntialias = 4;

// An RGBA8 picture: row-major, top row first, 4 bytes per pixel, straight
// (not premultiplied) alpha. rgba.size() == width * height * 4.
struct Image {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgba;

  // The pixel at column x, row y (0, 0 is the top-left).
  voxel::Rgba At(int x, int y) const {
    const uint8_t* p = &rgba[(size_t(y) * width + x) * 4];
    return {p[0], p[1], p[2], p[3]};
  }
};

struct RenderOptions {
  int width = 512;   // 1..kMaxSide
  int height = 512;  // 1..kMaxSide, width * height <= kMaxPixels
  Camera camera;     // see camera.h; FrameBounds() builds one from a preset.
  // Colour of pixels that show no voxel; alpha 0 makes them transparent
  // (written as 0, 0, 0, 0).
  voxel::Rgba background{64, 64, 64, 255};
  double ambient = 0.35;  // >= 0
  double diffuse = 0.65;  // >= 0
  // Direction toward the sun, world space (z up); need not be unit, must be
  // non-zero.
  Vec3d sun_direction{0.3, -0.5, 1.0};
  bool ambient_occlusion = false;
  bool shadows = false;
  int antialias = 1;  // samples per pixel side, 1 (off) .. kMaxAntialias.
  // When set and it becomes true, the render stops at the next row and
  // fails with kServerError "render cancelled" (the daemon is stopping).
  const std::atomic<bool>* cancel = nullptr;
};

// Checks every option (and the camera). InvalidParams naming the offending
// param in detail "param" (width, height, antialias, ambient, diffuse,
// sun_direction, or a camera param), with "limit" where a limit applies.
Status ValidateRenderOptions(const RenderOptions& options);

// Renders the voxels of `volumes`, listed bottom first: where several hold
// a voxel at one position, the last one's colour shows. Null entries are
// skipped. Errors: those of ValidateRenderOptions (checked before any work).
Result<Image> Render(const std::vector<const voxel::Volume*>& volumes,
                     const RenderOptions& options);

// Renders the visible layers of `scene` (bottom first, as above).
Result<Image> RenderScene(const voxel::Scene& scene,
                          const RenderOptions& options);

// Renders an already built grid; for callers that render several views of
// the same voxels.
Result<Image> RenderGrid(const VoxelGrid& grid, const RenderOptions& options);

// The union of the volumes' bounds (nullopt when all are empty); what
// FrameBounds() needs to frame a preset view.
std::optional<voxel::Box> SceneBounds(
    const std::vector<const voxel::Volume*>& volumes);

}  // namespace goxel::render

#endif  // GOXEL_VOXEL_RENDER_RENDERER_H_
