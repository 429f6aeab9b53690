// glTF 2.0 writers (.gltf with an embedded base64 buffer, and .glb).
#include <algorithm>
#include <cfloat>
#include <cstdio>
#include <string>

#include "base/base64.h"
#include "voxel/formats/byte_io.h"
#include "voxel/formats/mesh.h"

namespace goxel::voxel::formats {
namespace {

constexpr uint32_t kArrayBuffer = 34962, kElementArrayBuffer = 34963;

struct Packed {
  std::vector<uint8_t> bin;  // positions, colours, indices; 4-byte aligned.
  size_t pos_len = 0, col_len = 0, idx_len = 0;
  size_t vertices = 0, indices = 0;
  float min[3] = {FLT_MAX, FLT_MAX, FLT_MAX};
  float max[3] = {-FLT_MAX, -FLT_MAX, -FLT_MAX};
};

Packed Pack(const Mesh& m) {
  Packed p;
  p.vertices = m.VertexCount();
  p.indices = m.QuadCount() * 6;
  ByteWriter w(&p.bin);
  for (size_t i = 0; i < m.positions.size(); ++i) {
    const float v = m.positions[i];
    w.F32(v);
    p.min[i % 3] = std::min(p.min[i % 3], v);
    p.max[i % 3] = std::max(p.max[i % 3], v);
  }
  p.pos_len = w.size();
  for (const Rgba& c : m.colors) w.U8(c.r), w.U8(c.g), w.U8(c.b), w.U8(255);
  p.col_len = w.size() - p.pos_len;
  for (size_t q = 0; q < m.QuadCount(); ++q) {
    const uint32_t* i = &m.quads[q * 4];
    for (int k : {0, 1, 2, 0, 2, 3}) w.U32(i[k]);
  }
  p.idx_len = w.size() - p.pos_len - p.col_len;
  return p;
}

std::string Json(const Packed& p, const std::string& uri) {
  std::string j =
      "{\"asset\":{\"version\":\"2.0\",\"generator\":\"goxel-daemon\"},";
  j += "\"scene\":0,\"scenes\":[{\"nodes\":[0]}],";
  if (p.indices == 0) return j + "\"nodes\":[{\"name\":\"goxel\"}]}";
  char buf[512];
  j += "\"nodes\":[{\"name\":\"goxel\",\"mesh\":0}],";
  j += "\"meshes\":[{\"primitives\":[{\"attributes\":{\"POSITION\":0,"
       "\"COLOR_0\":1},\"indices\":2,\"material\":0,\"mode\":4}]}],";
  j += "\"materials\":[{\"pbrMetallicRoughness\":{\"metallicFactor\":0,"
       "\"roughnessFactor\":1}}],";
  std::snprintf(buf, sizeof(buf),
                "\"accessors\":[{\"bufferView\":0,\"componentType\":5126,"
                "\"count\":%zu,\"type\":\"VEC3\",\"min\":[%.9g,%.9g,%.9g],"
                "\"max\":[%.9g,%.9g,%.9g]},{\"bufferView\":1,"
                "\"componentType\":5121,\"normalized\":true,\"count\":%zu,"
                "\"type\":\"VEC4\"},{\"bufferView\":2,\"componentType\":5125,"
                "\"count\":%zu,\"type\":\"SCALAR\"}],",
                p.vertices, p.min[0], p.min[1], p.min[2], p.max[0], p.max[1],
                p.max[2], p.vertices, p.indices);
  j += buf;
  std::snprintf(buf, sizeof(buf),
                "\"bufferViews\":[{\"buffer\":0,\"byteOffset\":0,"
                "\"byteLength\":%zu,\"target\":%u},{\"buffer\":0,"
                "\"byteOffset\":%zu,\"byteLength\":%zu,\"target\":%u},"
                "{\"buffer\":0,\"byteOffset\":%zu,\"byteLength\":%zu,"
                "\"target\":%u}],",
                p.pos_len, kArrayBuffer, p.pos_len, p.col_len, kArrayBuffer,
                p.pos_len + p.col_len, p.idx_len, kElementArrayBuffer);
  j += buf;
  j += "\"buffers\":[{\"byteLength\":" + std::to_string(p.bin.size());
  if (!uri.empty()) j += ",\"uri\":\"" + uri + "\"";
  return j + "}]}";
}

}  // namespace

Result<std::vector<uint8_t>> WriteGltf(const Scene& s, const WriteOptions& o) {
  const Packed p = Pack(BuildMesh(FlattenScene(s, o.visible_only), o, true));
  const std::string j =
      Json(p, "data:application/octet-stream;base64," + Base64Encode(p.bin));
  return std::vector<uint8_t>(j.begin(), j.end());
}

Result<std::vector<uint8_t>> WriteGlb(const Scene& s, const WriteOptions& o) {
  const Packed p = Pack(BuildMesh(FlattenScene(s, o.visible_only), o, true));
  std::string j = Json(p, "");
  while (j.size() % 4) j += ' ';
  const bool has_bin = p.indices != 0;
  std::vector<uint8_t> out;
  ByteWriter w(&out);
  const size_t total = 12 + 8 + j.size() + (has_bin ? 8 + p.bin.size() : 0);
  w.U32(0x46546C67), w.U32(2), w.U32(static_cast<uint32_t>(total));
  w.U32(static_cast<uint32_t>(j.size())), w.U32(0x4E4F534A), w.Str(j);
  if (has_bin) {
    w.U32(static_cast<uint32_t>(p.bin.size())), w.U32(0x004E4942);
    w.Bytes(p.bin);
  }
  return out;
}

}  // namespace goxel::voxel::formats
