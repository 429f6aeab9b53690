// Face culling and greedy meshing.
#include "voxel/formats/mesh.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <unordered_map>

namespace goxel::voxel::formats {

// Direction d: axis d/2, sign + for even d. Output-axis normals follow the
// same mapping as positions; BuildMesh picks the row.
const float kNormals[6][3] = {{1, 0, 0},  {-1, 0, 0}, {0, 1, 0},
                              {0, -1, 0}, {0, 0, 1},  {0, 0, -1}};

namespace {

struct Face {
  int32_t u, v;
  Rgba c;
};

// Faces of one direction on one plane, keyed by (direction, plane).
using Planes = std::map<std::pair<int, int32_t>, std::vector<Face>>;

int32_t Coord(Vec3i p, int axis) {
  return axis == 0 ? p.x : axis == 1 ? p.y : p.z;
}

Planes CollectFaces(const Volume& volume) {
  Planes planes;
  volume.ForEachVoxel([&](Vec3i p, Rgba c) {
    for (int d = 0; d < 6; ++d) {
      const int axis = d / 2, s = d % 2 == 0 ? 1 : -1;
      Vec3i n = p;
      (axis == 0 ? n.x : axis == 1 ? n.y : n.z) += s;
      if (volume.Get(n).a) continue;
      planes[{d, Coord(p, axis)}].push_back(
          {Coord(p, (axis + 1) % 3), Coord(p, (axis + 2) % 3), c});
    }
  });
  return planes;
}

struct Rect {
  int32_t u0, v0, u1, v1;  // exclusive upper bounds.
  Rgba c;
};

// Greedy merge of one plane's faces into rectangles of one colour.
void Greedy(const std::vector<Face>& faces, bool optimize,
            std::vector<Rect>* out) {
  if (!optimize || faces.size() < 2) {
    for (const Face& f : faces)
      out->push_back({f.u, f.v, f.u + 1, f.v + 1, f.c});
    return;
  }
  int32_t u0 = INT32_MAX, v0 = INT32_MAX, u1 = INT32_MIN, v1 = INT32_MIN;
  for (const Face& f : faces) {
    u0 = std::min(u0, f.u), v0 = std::min(v0, f.v);
    u1 = std::max(u1, f.u), v1 = std::max(v1, f.v);
  }
  const int64_t w = int64_t{u1} - u0 + 1, h = int64_t{v1} - v0 + 1;
  if (w * h > 64 * static_cast<int64_t>(faces.size()) + 4096) {
    return Greedy(faces, false, out);  // too sparse for a dense grid.
  }
  std::vector<Rgba> grid(w * h);  // alpha 0: no face or already used.
  for (const Face& f : faces) grid[(f.v - v0) * w + (f.u - u0)] = f.c;
  for (int64_t y = 0; y < h; ++y) {
    for (int64_t x = 0; x < w; ++x) {
      const Rgba c = grid[y * w + x];
      if (!c.a) continue;
      int64_t rw = 1, rh = 1;
      while (x + rw < w && grid[y * w + x + rw] == c) ++rw;
      for (bool ok = true; ok && y + rh < h; rh += ok) {
        for (int64_t k = 0; k < rw && ok; ++k)
          ok = grid[(y + rh) * w + x + k] == c;
      }
      for (int64_t j = 0; j < rh; ++j)
        for (int64_t k = 0; k < rw; ++k) grid[(y + j) * w + x + k].a = 0;
      out->push_back({static_cast<int32_t>(u0 + x),
                      static_cast<int32_t>(v0 + y),
                      static_cast<int32_t>(u0 + x + rw),
                      static_cast<int32_t>(v0 + y + rh), c});
    }
  }
}

class MeshBuilder {
 public:
  MeshBuilder(const WriteOptions& o, bool y_up, Mesh* m)
      : scale_(o.scale), merge_(o.merge_vertices), y_up_(y_up), m_(m) {}

  // Adds the rectangle on plane `w` of direction d.
  void AddRect(int d, int32_t w, const Rect& r) {
    const int axis = d / 2;
    const bool pos = d % 2 == 0;
    const int32_t plane = w + (pos ? 1 : 0);
    int32_t uv[4][2] = {{r.u0, r.v0}, {r.u1, r.v0}, {r.u1, r.v1}, {r.u0, r.v1}};
    if (!pos) std::swap(uv[1], uv[3]);
    for (auto& c : uv) {
      int32_t p[3];
      p[axis] = plane;
      p[(axis + 1) % 3] = c[0];
      p[(axis + 2) % 3] = c[1];
      m_->quads.push_back(Vertex(p, r.c));
    }
    m_->normals.push_back(static_cast<uint8_t>(OutDirection(d)));
  }

 private:
  // Direction index in output axes.
  int OutDirection(int d) const {
    if (!y_up_) return d;
    static const int kMap[6] = {0, 1, 5, 4, 2, 3};  // y -> -z, z -> y.
    return kMap[d];
  }
  uint32_t Vertex(const int32_t p[3], Rgba c) {
    float f[3] = {static_cast<float>(p[0]), static_cast<float>(p[1]),
                  static_cast<float>(p[2])};
    if (y_up_)
      f[1] = static_cast<float>(p[2]), f[2] = -static_cast<float>(p[1]);
    for (float& v : f) v *= scale_;
    if (merge_) {
      Key k;
      std::memcpy(k.f, f, sizeof(f));
      k.c = c;
      auto [it, inserted] =
          index_.try_emplace(k, static_cast<uint32_t>(m_->colors.size()));
      if (!inserted) return it->second;
    }
    m_->positions.insert(m_->positions.end(), f, f + 3);
    m_->colors.push_back(c);
    return static_cast<uint32_t>(m_->colors.size() - 1);
  }
  struct Key {
    float f[3];
    Rgba c;
    bool operator==(const Key& o) const {
      return std::memcmp(f, o.f, sizeof(f)) == 0 && c == o.c;
    }
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      uint32_t b[4];
      std::memcpy(b, k.f, 12);
      std::memcpy(b + 3, &k.c, 4);
      size_t h = 1469598103934665603ull;
      for (uint32_t x : b) h = (h ^ x) * 1099511628211ull;
      return h;
    }
  };
  float scale_;
  bool merge_, y_up_;
  Mesh* m_;
  std::unordered_map<Key, uint32_t, KeyHash> index_;
};

}  // namespace

Mesh BuildMesh(const Volume& volume, const WriteOptions& options, bool y_up) {
  Mesh mesh;
  MeshBuilder b(options, y_up, &mesh);
  std::vector<Rect> rects;
  for (const auto& [key, faces] : CollectFaces(volume)) {
    rects.clear();
    Greedy(faces, options.optimize_mesh, &rects);
    for (const Rect& r : rects) b.AddRect(key.first, key.second, r);
  }
  return mesh;
}

}  // namespace goxel::voxel::formats
