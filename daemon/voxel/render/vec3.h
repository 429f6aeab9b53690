// Vec3d: the small double-precision vector the renderer's maths uses.
//
// Doubles, not floats: rays cross scenes whose coordinates reach millions of
// voxels, and single precision would misplace hits there.
//
// Thread contract: a value type.
#ifndef GOXEL_VOXEL_RENDER_VEC3_H_
#define GOXEL_VOXEL_RENDER_VEC3_H_

#include <cmath>

namespace goxel::render {

struct Vec3d {
  double x = 0, y = 0, z = 0;

  double operator[](int axis) const {
    return axis == 0 ? x : (axis == 1 ? y : z);
  }
  friend Vec3d operator+(Vec3d a, Vec3d b) {
    return {a.x + b.x, a.y + b.y, a.z + b.z};
  }
  friend Vec3d operator-(Vec3d a, Vec3d b) {
    return {a.x - b.x, a.y - b.y, a.z - b.z};
  }
  friend Vec3d operator*(Vec3d a, double s) {
    return {a.x * s, a.y * s, a.z * s};
  }
  friend Vec3d operator*(double s, Vec3d a) { return a * s; }
  friend bool operator==(const Vec3d&, const Vec3d&) = default;
};

inline double Dot(Vec3d a, Vec3d b) {
  return a.x * b.x + a.y * b.y + a.z * b.z;
}

inline Vec3d Cross(Vec3d a, Vec3d b) {
  return {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}

inline double Length(Vec3d a) { return std::sqrt(Dot(a, a)); }

// a / |a|; the caller makes sure |a| > 0.
inline Vec3d Normalize(Vec3d a) { return a * (1.0 / Length(a)); }

// True when every component is finite.
inline bool IsFinite(Vec3d a) {
  return std::isfinite(a.x) && std::isfinite(a.y) && std::isfinite(a.z);
}

}  // namespace goxel::render

#endif  // GOXEL_VOXEL_RENDER_VEC3_H_
