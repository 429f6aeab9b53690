// Surface meshes of a volume for the mesh exports (obj, ply, stl, gltf).
//
// Only faces between a voxel and an empty cell are emitted (hidden faces are
// culled). With optimize_mesh, coplanar adjacent faces of one colour are
// merged into rectangles (greedy meshing); merged meshes are closed but have
// T-junctions where rectangles of different sizes meet. Quads wind
// counter-clockwise seen from outside.
//
// Thread contract: pure functions, thread-safe.
#ifndef GOXEL_VOXEL_FORMATS_MESH_H_
#define GOXEL_VOXEL_FORMATS_MESH_H_

#include <cstdint>
#include <vector>

#include "voxel/formats/format.h"

namespace goxel::voxel::formats {

struct Mesh {
  std::vector<float> positions;  // 3 per vertex.
  std::vector<Rgba> colors;      // 1 per vertex.
  std::vector<uint32_t> quads;   // 4 vertex indices per quad.
  std::vector<uint8_t> normals;  // 1 per quad: index into kNormals.
  size_t VertexCount() const { return colors.size(); }
  size_t QuadCount() const { return normals.size(); }
};

// Unit normals, in the mesh's output axes, by index.
extern const float kNormals[6][3];

// Builds the mesh of `volume`. Positions are voxel corners times
// options.scale; with y_up, voxel (x, y, z) maps to (x, z, -y) as Goxel's
// exports do, else axes are kept (z up). merge_vertices shares vertices of
// equal position and colour; optimize_mesh enables greedy merging.
Mesh BuildMesh(const Volume& volume, const WriteOptions& options, bool y_up);

// The mesh exports. Each writes the flattened scene (visible layers).
// WriteObj: "v x y z r g b" vertex colours, six "vn", quads "f a//n ...".
// WritePly: binary little-endian, or ASCII with options.ascii; float x y z,
// uchar red green blue, quads. WriteStl: binary, triangles, z up.
// WriteGltf / WriteGlb: glTF 2.0, one mesh with POSITION and COLOR_0
// (normalized unsigned bytes), uint32 indices; .gltf embeds its buffer as a
// base64 data URI.
Result<std::vector<uint8_t>> WriteObj(const Scene& s, const WriteOptions& o);
Result<std::vector<uint8_t>> WritePly(const Scene& s, const WriteOptions& o);
Result<std::vector<uint8_t>> WriteStl(const Scene& s, const WriteOptions& o);
Result<std::vector<uint8_t>> WriteGltf(const Scene& s, const WriteOptions& o);
Result<std::vector<uint8_t>> WriteGlb(const Scene& s, const WriteOptions& o);

}  // namespace goxel::voxel::formats

#endif  // GOXEL_VOXEL_FORMATS_MESH_H_
