#include "voxel/render/renderer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>

namespace goxel::render {
namespace {

using voxel::Rgba;
using voxel::Vec3i;

// Light factor at a face corner by its ambient-occlusion level (0 = most
// occluded: both side neighbours present; 3 = open).
constexpr double kAoFactor[4] = {0.5, 2.0 / 3.0, 5.0 / 6.0, 1.0};

// How far shadow rays start off the surface, in voxels.
constexpr double kShadowBias = 1e-4;

Vec3i Offset(Vec3i p, int axis, int delta) {
  if (axis == 0) p.x += delta;
  if (axis == 1) p.y += delta;
  if (axis == 2) p.z += delta;
  return p;
}

int Component(Vec3i p, int axis) {
  return axis == 0 ? p.x : (axis == 1 ? p.y : p.z);
}

Status CheckSide(const char* param, int value) {
  if (value < 1 || value > kMaxSide) {
    return Status::InvalidParams(std::string(param) + " must be 1.." +
                                 std::to_string(kMaxSide) + ", got " +
                                 std::to_string(value))
        .With("param", param)
        .With("limit", int64_t{kMaxSide});
  }
  return Status::Ok();
}

Status CheckLight(const char* param, double value) {
  if (!std::isfinite(value) || value < 0.0) {
    return Status::InvalidParams(std::string(param) +
                                 " must be a finite number >= 0")
        .With("param", param);
  }
  return Status::Ok();
}

// Everything a sample needs, derived once per render.
class Tracer {
 public:
  Tracer(const VoxelGrid& grid, const RenderOptions& options)
      : grid_(grid), options_(options), basis_(MakeViewBasis(options.camera)) {
    const double aspect = double(options.width) / options.height;
    const Camera& camera = options.camera;
    perspective_ = camera.projection == Projection::kPerspective;
    half_h_ = perspective_
                  ? std::tan(camera.fov_degrees * std::numbers::pi / 360.0)
                  : camera.ortho_height * 0.5;
    half_w_ = half_h_ * aspect;
    sun_ = Normalize(options.sun_direction);
  }

  // Shades the sample at image-plane coordinates (u, v) in [-1, 1] (u to
  // the right, v up). Returns false when the ray hits nothing.
  bool Sample(double u, double v, double rgb[3]) const {
    const Camera& camera = options_.camera;
    const Vec3d offset =
        basis_.right * (u * half_w_) + basis_.up * (v * half_h_);
    const Vec3d origin =
        perspective_ ? camera.position : camera.position + offset;
    const Vec3d dir = perspective_ ? basis_.forward + offset : basis_.forward;
    VoxelGrid::Hit hit;
    if (!grid_.Trace(origin, dir, 0.0, std::numeric_limits<double>::infinity(),
                     &hit)) {
      return false;
    }
    const Vec3d point = origin + dir * hit.t;
    const double n_dot_l = sun_[hit.axis] * hit.normal;
    double light = options_.ambient;
    if (n_dot_l > 0 && !(options_.shadows && InShadow(hit, point))) {
      light += options_.diffuse * n_dot_l;
    }
    if (options_.ambient_occlusion) light *= Occlusion(hit, point);
    light = std::min(light, 1.0);
    const Rgba c = hit.color;
    rgb[0] = c.r * light;
    rgb[1] = c.g * light;
    rgb[2] = c.b * light;
    return true;
  }

 private:
  // True when a ray from the hit face toward the sun meets a voxel. It
  // starts just off the face, inside the face's own square, so it begins in
  // the empty cell in front of the face.
  bool InShadow(const VoxelGrid::Hit& hit, Vec3d point) const {
    double p[3] = {point.x, point.y, point.z};
    for (int a = 0; a < 3; ++a) {
      const double lo = Component(hit.cell, a);
      if (a == hit.axis) {
        p[a] += hit.normal * kShadowBias;
      } else {
        p[a] = std::clamp(p[a], lo + kShadowBias, lo + 1.0 - kShadowBias);
      }
    }
    VoxelGrid::Hit blocker;
    return grid_.Trace({p[0], p[1], p[2]}, sun_, 0.0,
                       std::numeric_limits<double>::infinity(), &blocker);
  }

  // Voxel-editor ambient occlusion: a factor per face corner from the three
  // cells around that corner in the layer in front of the face, blended
  // bilinearly at the hit point.
  double Occlusion(const VoxelGrid::Hit& hit, Vec3d point) const {
    const int ua = (hit.axis + 1) % 3, va = (hit.axis + 2) % 3;
    const Vec3i front = Offset(hit.cell, hit.axis, hit.normal);
    const uint32_t mask = grid_.PlaneMask(front, ua, va);
    auto occupied = [mask](int du, int dv) {
      return int(mask >> ((du + 1) + 3 * (dv + 1))) & 1;
    };
    double corner[2][2];
    for (int i = 0; i < 2; ++i) {
      for (int j = 0; j < 2; ++j) {
        const int du = i ? 1 : -1, dv = j ? 1 : -1;
        const int side_u = occupied(du, 0), side_v = occupied(0, dv);
        const int level =
            (side_u && side_v) ? 0 : 3 - (side_u + side_v + occupied(du, dv));
        corner[i][j] = kAoFactor[level];
      }
    }
    const double fu = std::clamp(point[ua] - Component(hit.cell, ua), 0.0, 1.0);
    const double fv = std::clamp(point[va] - Component(hit.cell, va), 0.0, 1.0);
    const double low = corner[0][0] + (corner[1][0] - corner[0][0]) * fu;
    const double high = corner[0][1] + (corner[1][1] - corner[0][1]) * fu;
    return low + (high - low) * fv;
  }

  const VoxelGrid& grid_;
  const RenderOptions& options_;
  ViewBasis basis_;
  bool perspective_ = true;
  double half_w_ = 1, half_h_ = 1;  // image-plane half extents.
  Vec3d sun_;
};

uint8_t ToByte(double v) { return uint8_t(std::clamp(v + 0.5, 0.0, 255.0)); }

// Averages the N x N samples of pixel (x, y), blending misses with the
// background by alpha, and writes the pixel.
void ShadePixel(const Tracer& tracer, const RenderOptions& o, int x, int y,
                uint8_t* out) {
  const int n = o.antialias;
  const double bg_alpha = o.background.a / 255.0;
  double sum[3] = {0, 0, 0}, alpha = 0;
  for (int sy = 0; sy < n; ++sy) {
    for (int sx = 0; sx < n; ++sx) {
      const double px = x + (sx + 0.5) / n, py = y + (sy + 0.5) / n;
      double rgb[3];
      if (tracer.Sample(px / o.width * 2.0 - 1.0, 1.0 - py / o.height * 2.0,
                        rgb)) {
        for (int c = 0; c < 3; ++c) sum[c] += rgb[c];
        alpha += 1.0;
      } else {
        sum[0] += o.background.r * bg_alpha;
        sum[1] += o.background.g * bg_alpha;
        sum[2] += o.background.b * bg_alpha;
        alpha += bg_alpha;
      }
    }
  }
  if (alpha <= 0.0) {
    out[0] = out[1] = out[2] = out[3] = 0;
    return;
  }
  for (int c = 0; c < 3; ++c) out[c] = ToByte(sum[c] / alpha);
  out[3] = ToByte(alpha / (n * n) * 255.0);
}

}  // namespace

Status ValidateRenderOptions(const RenderOptions& options) {
  GOXEL_RETURN_IF_ERROR(CheckSide("width", options.width));
  GOXEL_RETURN_IF_ERROR(CheckSide("height", options.height));
  const int64_t pixels = int64_t{options.width} * options.height;
  if (pixels > kMaxPixels) {
    return Status::InvalidParams("width x height = " + std::to_string(pixels) +
                                 " pixels exceeds the limit of " +
                                 std::to_string(kMaxPixels))
        .With("param", "width")
        .With("limit", kMaxPixels);
  }
  if (options.antialias < 1 || options.antialias > kMaxAntialias) {
    return Status::InvalidParams("antialias must be 1.." +
                                 std::to_string(kMaxAntialias))
        .With("param", "antialias")
        .With("limit", int64_t{kMaxAntialias});
  }
  GOXEL_RETURN_IF_ERROR(CheckLight("ambient", options.ambient));
  GOXEL_RETURN_IF_ERROR(CheckLight("diffuse", options.diffuse));
  if (!IsFinite(options.sun_direction) ||
      Length(options.sun_direction) < 1e-9) {
    return Status::InvalidParams("sun_direction must be a non-zero vector")
        .With("param", "sun_direction");
  }
  return ValidateCamera(options.camera);
}

Result<Image> RenderGrid(const VoxelGrid& grid, const RenderOptions& options) {
  GOXEL_RETURN_IF_ERROR(ValidateRenderOptions(options));
  Image image;
  image.width = options.width;
  image.height = options.height;
  image.rgba.resize(size_t(options.width) * options.height * 4);
  const Tracer tracer(grid, options);
  uint8_t* out = image.rgba.data();
  for (int y = 0; y < options.height; ++y) {
    if (options.cancel != nullptr &&
        options.cancel->load(std::memory_order_relaxed)) {
      return Status::ServerError("render cancelled: the daemon is stopping")
          .With("reason", std::string("shutting_down"));
    }
    for (int x = 0; x < options.width; ++x, out += 4) {
      ShadePixel(tracer, options, x, y, out);
    }
  }
  return image;
}

Result<Image> Render(const std::vector<const voxel::Volume*>& volumes,
                     const RenderOptions& options) {
  GOXEL_RETURN_IF_ERROR(ValidateRenderOptions(options));
  return RenderGrid(VoxelGrid::Build(volumes), options);
}

Result<Image> RenderScene(const voxel::Scene& scene,
                          const RenderOptions& options) {
  std::vector<const voxel::Volume*> volumes;
  for (const voxel::Layer& layer : scene.layers) {
    if (layer.visible) volumes.push_back(&layer.volume);
  }
  return Render(volumes, options);
}

std::optional<voxel::Box> SceneBounds(
    const std::vector<const voxel::Volume*>& volumes) {
  std::optional<voxel::Box> bounds;
  for (const voxel::Volume* volume : volumes) {
    if (volume == nullptr) continue;
    const std::optional<voxel::Box> b = volume->Bounds();
    if (!b) continue;
    if (!bounds) {
      bounds = b;
      continue;
    }
    bounds->min = {std::min(bounds->min.x, b->min.x),
                   std::min(bounds->min.y, b->min.y),
                   std::min(bounds->min.z, b->min.z)};
    bounds->max = {std::max(bounds->max.x, b->max.x),
                   std::max(bounds->max.y, b->max.y),
                   std::max(bounds->max.z, b->max.z)};
  }
  return bounds;
}

}  // namespace goxel::render
