#include "voxel/shapes.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace goxel::voxel {
namespace {

using i128 = __int128;

int32_t Clamp32(int64_t v) {
  return static_cast<int32_t>(
      std::clamp<int64_t>(v, std::numeric_limits<int32_t>::min(),
                          std::numeric_limits<int32_t>::max()));
}

Box BoxAround(Vec3i c, int64_t rx, int64_t ry, int64_t rz) {
  return {{Clamp32(c.x - rx), Clamp32(c.y - ry), Clamp32(c.z - rz)},
          {Clamp32(c.x + rx), Clamp32(c.y + ry), Clamp32(c.z + rz)}};
}

int64_t Comp(Vec3i p, int axis) {
  return axis == 0 ? p.x : axis == 1 ? p.y : p.z;
}

// floor(sqrt(v)) for v >= 0, exact.
int64_t SqrtFloor(i128 v) {
  if (v <= 0) return 0;
  int64_t s = static_cast<int64_t>(std::sqrt(static_cast<long double>(v)));
  while (s > 0 && i128{s} * s > v) --s;
  while (i128{s + 1} * (s + 1) <= v) ++s;
  return s;
}

// Appends [c - half, c + half] clamped to int32 when half >= 0.
void AddCentred(int64_t c, int64_t half, std::vector<Span>* out) {
  if (half < 0) return;
  out->push_back({Clamp32(c - half), Clamp32(c + half)});
}

class BoxShape final : public Shape {
 public:
  explicit BoxShape(const Box& b) : b_(b) {}
  Box Bounds() const override { return b_; }
  bool Contains(Vec3i p) const override { return b_.Contains(p); }
  const Box* AsBox() const override { return &b_; }
  void Row(int32_t y, int32_t z, std::vector<Span>* out) const override {
    if (b_.min.x <= b_.max.x && y >= b_.min.y && y <= b_.max.y &&
        z >= b_.min.z && z <= b_.max.z)
      out->push_back({b_.min.x, b_.max.x});
  }

 private:
  Box b_;
};

class EllipsoidShape final : public Shape {
 public:
  EllipsoidShape(Vec3i c, Vec3i r) : c_(c) {
    for (int i = 0; i < 3; ++i) r_[i] = std::max<int64_t>(0, Comp(r, i));
    // An axis with radius 0 uses 1 in the products and requires d == 0.
    const i128 e[3] = {std::max<int64_t>(r_[0], 1), std::max<int64_t>(r_[1], 1),
                       std::max<int64_t>(r_[2], 1)};
    w_[0] = e[1] * e[1] * e[2] * e[2];
    w_[1] = e[0] * e[0] * e[2] * e[2];
    w_[2] = e[0] * e[0] * e[1] * e[1];
    limit_ = w_[0] * e[0] * e[0];
  }
  Box Bounds() const override { return BoxAround(c_, r_[0], r_[1], r_[2]); }
  bool Contains(Vec3i p) const override {
    i128 sum = 0;
    for (int i = 0; i < 3; ++i) {
      const i128 d = Comp(p, i) - Comp(c_, i);
      if (r_[i] == 0 && d != 0) return false;
      sum += d * d * w_[i];
    }
    return sum <= limit_;
  }
  void Row(int32_t y, int32_t z, std::vector<Span>* out) const override {
    const i128 dy = int64_t{y} - c_.y, dz = int64_t{z} - c_.z;
    if ((r_[1] == 0 && dy != 0) || (r_[2] == 0 && dz != 0)) return;
    const i128 rem = limit_ - dy * dy * w_[1] - dz * dz * w_[2];
    if (rem < 0) return;
    AddCentred(c_.x, r_[0] == 0 ? 0 : SqrtFloor(rem / w_[0]), out);
  }

 private:
  Vec3i c_;
  int64_t r_[3];
  i128 w_[3], limit_;
};

class CylinderShape final : public Shape {
 public:
  CylinderShape(Vec3i c, int64_t r, int64_t h, Axis axis)
      : c_(c),
        r_(std::max<int64_t>(r, 0)),
        h_(std::max<int64_t>(h, 0)),
        a_(static_cast<int>(axis)) {}
  Box Bounds() const override {
    int64_t e[3] = {r_, r_, r_};
    e[a_] = h_;
    return BoxAround(c_, e[0], e[1], e[2]);
  }
  bool Contains(Vec3i p) const override {
    i128 cross = 0;
    for (int i = 0; i < 3; ++i) {
      const i128 d = Comp(p, i) - Comp(c_, i);
      if (i == a_) {
        if (d > h_ || d < -h_) return false;
      } else {
        cross += d * d;
      }
    }
    return cross <= i128{r_} * r_;
  }
  void Row(int32_t y, int32_t z, std::vector<Span>* out) const override {
    const int64_t dy = int64_t{y} - c_.y, dz = int64_t{z} - c_.z;
    const i128 r2 = i128{r_} * r_;
    if (a_ == 0) {
      if (i128{dy} * dy + i128{dz} * dz <= r2) AddCentred(c_.x, h_, out);
      return;
    }
    const int64_t axial = a_ == 1 ? dy : dz, other = a_ == 1 ? dz : dy;
    if (axial > h_ || axial < -h_) return;
    const i128 rem = r2 - i128{other} * other;
    if (rem >= 0) AddCentred(c_.x, SqrtFloor(rem), out);
  }

 private:
  Vec3i c_;
  int64_t r_, h_;
  int a_;
};

class ConeShape final : public Shape {
 public:
  ConeShape(Vec3i c, int64_t r, int64_t h, Axis axis)
      : c_(c),
        r_(std::max<int64_t>(r, 0)),
        h_(std::max<int64_t>(h, 1)),
        a_(static_cast<int>(axis)) {}
  Box Bounds() const override {
    Box b = BoxAround(c_, r_, r_, r_);
    int32_t* lo[3] = {&b.min.x, &b.min.y, &b.min.z};
    int32_t* hi[3] = {&b.max.x, &b.max.y, &b.max.z};
    *lo[a_] = Clamp32(Comp(c_, a_));
    *hi[a_] = Clamp32(Comp(c_, a_) + h_ - 1);
    return b;
  }
  bool Contains(Vec3i p) const override {
    i128 cross = 0, t = 0;
    for (int i = 0; i < 3; ++i) {
      const i128 d = Comp(p, i) - Comp(c_, i);
      if (i == a_) {
        t = d;
      } else {
        cross += d * d;
      }
    }
    if (t < 0 || t >= h_) return false;
    const i128 m = h_ - t;
    return cross * h_ * h_ <= i128{r_} * r_ * m * m;
  }

 private:
  Vec3i c_;
  int64_t r_, h_;
  int a_;
};

class TorusShape final : public Shape {
 public:
  TorusShape(Vec3i c, int64_t major, int64_t minor, Axis axis)
      : c_(c),
        R_(std::max<int64_t>(major, 0)),
        r_(std::max<int64_t>(minor, 0)),
        a_(static_cast<int>(axis)) {}
  Box Bounds() const override {
    int64_t e[3] = {R_ + r_, R_ + r_, R_ + r_};
    e[a_] = r_;
    return BoxAround(c_, e[0], e[1], e[2]);
  }
  bool Contains(Vec3i p) const override {
    i128 q = 0, t = 0;
    for (int i = 0; i < 3; ++i) {
      const i128 d = Comp(p, i) - Comp(c_, i);
      if (i == a_) {
        t = d;
      } else {
        q += d * d;
      }
    }
    // (sqrt(q) - R)^2 <= s, with s = r^2 - t^2, in integers.
    const i128 s = i128{r_} * r_ - t * t;
    if (s < 0) return false;
    const i128 R2 = i128{R_} * R_, four_r2s = 4 * R2 * s;
    const i128 lower = R2 + s - q;  // sqrt(q) >= R - sqrt(s)
    if (lower > 0 && lower * lower > four_r2s) return false;
    const i128 upper = q - R2 - s;  // sqrt(q) <= R + sqrt(s)
    return upper <= 0 || upper * upper <= four_r2s;
  }

 private:
  Vec3i c_;
  int64_t R_, r_;
  int a_;
};

std::vector<Span> Intersect(const std::vector<Span>& a,
                            const std::vector<Span>& b) {
  std::vector<Span> out;
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const int32_t lo = std::max(a[i].x0, b[j].x0);
    const int32_t hi = std::min(a[i].x1, b[j].x1);
    if (lo <= hi) out.push_back({lo, hi});
    (a[i].x1 < b[j].x1) ? ++i : ++j;
  }
  return out;
}

// a minus b; both sorted and disjoint.
void Subtract(const std::vector<Span>& a, const std::vector<Span>& b,
              std::vector<Span>* out) {
  size_t j = 0;
  for (Span s : a) {
    int64_t lo = s.x0;
    while (j < b.size() && b[j].x1 < lo) ++j;
    for (size_t k = j; k < b.size() && b[k].x0 <= s.x1; ++k) {
      if (b[k].x0 > lo) out->push_back({static_cast<int32_t>(lo), b[k].x0 - 1});
      lo = int64_t{b[k].x1} + 1;
    }
    if (lo <= s.x1) out->push_back({static_cast<int32_t>(lo), s.x1});
  }
}

class HollowShape final : public Shape {
 public:
  explicit HollowShape(std::unique_ptr<Shape> inner)
      : inner_(std::move(inner)) {}
  Box Bounds() const override { return inner_->Bounds(); }
  bool Contains(Vec3i p) const override {
    if (!inner_->Contains(p)) return false;
    const int64_t n[6][3] = {{-1, 0, 0}, {1, 0, 0},  {0, -1, 0},
                             {0, 1, 0},  {0, 0, -1}, {0, 0, 1}};
    for (const auto& d : n) {
      const int64_t x = p.x + d[0], y = p.y + d[1], z = p.z + d[2];
      if (x != Clamp32(x) || y != Clamp32(y) || z != Clamp32(z)) return true;
      if (!inner_->Contains({int32_t(x), int32_t(y), int32_t(z)})) return true;
    }
    return false;
  }
  void Row(int32_t y, int32_t z, std::vector<Span>* out) const override {
    std::vector<Span> row;
    inner_->Row(y, z, &row);
    if (row.empty()) return;
    // Interior: inside with both x neighbours and the four row neighbours.
    std::vector<Span> interior;
    for (Span s : row)
      if (int64_t{s.x0} + 1 <= int64_t{s.x1} - 1)
        interior.push_back({s.x0 + 1, s.x1 - 1});
    const int64_t nb[4][2] = {
        {y - 1LL, z}, {y + 1LL, z}, {y, z - 1LL}, {y, z + 1LL}};
    for (const auto& n : nb) {
      if (interior.empty()) break;
      std::vector<Span> other;
      if (n[0] == Clamp32(n[0]) && n[1] == Clamp32(n[1]))
        inner_->Row(int32_t(n[0]), int32_t(n[1]), &other);
      interior = Intersect(interior, other);
    }
    Subtract(row, interior, out);
  }

 private:
  std::unique_ptr<Shape> inner_;
};

}  // namespace

void Shape::Row(int32_t y, int32_t z, std::vector<Span>* out) const {
  const Box b = Bounds();
  if (y < b.min.y || y > b.max.y || z < b.min.z || z > b.max.z) return;
  int64_t start = 0;
  bool in = false;
  for (int64_t x = b.min.x; x <= b.max.x; ++x) {
    const bool c = Contains({static_cast<int32_t>(x), y, z});
    if (c && !in) start = x;
    if (!c && in) out->push_back({int32_t(start), int32_t(x - 1)});
    in = c;
  }
  if (in) out->push_back({int32_t(start), b.max.x});
}

void Shape::ForEachSpan(
    const std::function<bool(int32_t y, int32_t z, Span s)>& f) const {
  const Box b = Bounds();
  std::vector<Span> row;
  for (int64_t z = b.min.z; z <= b.max.z; ++z)
    for (int64_t y = b.min.y; y <= b.max.y; ++y) {
      row.clear();
      Row(int32_t(y), int32_t(z), &row);
      for (Span s : row)
        if (!f(int32_t(y), int32_t(z), s)) return;
    }
}

std::unique_ptr<Shape> MakeBox(const Box& box) {
  return std::make_unique<BoxShape>(box);
}
std::unique_ptr<Shape> MakeEllipsoid(Vec3i center, Vec3i radii) {
  return std::make_unique<EllipsoidShape>(center, radii);
}
std::unique_ptr<Shape> MakeSphere(Vec3i center, int32_t radius) {
  return MakeEllipsoid(center, {radius, radius, radius});
}
std::unique_ptr<Shape> MakeCylinder(Vec3i center, int32_t radius,
                                    int32_t half_length, Axis axis) {
  return std::make_unique<CylinderShape>(center, radius, half_length, axis);
}
std::unique_ptr<Shape> MakeCone(Vec3i base_center, int32_t radius,
                                int32_t height, Axis axis) {
  return std::make_unique<ConeShape>(base_center, radius, height, axis);
}
std::unique_ptr<Shape> MakeTorus(Vec3i center, int32_t major, int32_t minor,
                                 Axis axis) {
  return std::make_unique<TorusShape>(center, major, minor, axis);
}
std::unique_ptr<Shape> MakeHollow(std::unique_ptr<Shape> inner) {
  return std::make_unique<HollowShape>(std::move(inner));
}

}  // namespace goxel::voxel
