// Qubicle .qb reader and writer (declared in txt.h beside the other simple
// voxel formats).
#include <cstring>

#include "voxel/formats/byte_io.h"
#include "voxel/formats/txt.h"

namespace goxel::voxel::formats {
namespace {

constexpr char kFormat[] = "qb";
constexpr int64_t kMaxAxis = 65536;              // the reader's matrix bound.
constexpr int64_t kMaxCells = int64_t{1} << 28;  // 1 GiB of raw RGBA.
constexpr uint32_t kCodeFlag = 2;
constexpr uint32_t kNextSliceFlag = 6;

struct Header {
  uint32_t version, color_format, orientation, compressed, vmask, count;
};

struct Matrix {
  Vec3i size, pos;
  bool bgra, right_handed;
};

Rgba Color(uint32_t v, bool bgra) {
  Rgba c{static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8),
         static_cast<uint8_t>(v >> 16), static_cast<uint8_t>(v >> 24)};
  if (bgra) std::swap(c.r, c.b);
  c.a = c.a ? 255 : 0;
  return c;
}

// Qubicle (x, y, z) of a cell to Goxel's axes.
Vec3i ToGoxel(const Matrix& m, int x, int y, int z) {
  const int32_t gx = m.pos.x + x, qy = m.pos.y + y, qz = m.pos.z + z;
  return m.right_handed ? Vec3i{gx, qz, qy} : Vec3i{gx, -qz, qy};
}

Status ReadRaw(ByteReader& r, const Matrix& m, Volume* v) {
  const int64_t cells = int64_t{m.size.x} * m.size.y * m.size.z;
  if (cells > static_cast<int64_t>(r.remaining() / 4)) {
    return FormatError(kFormat, static_cast<int64_t>(r.offset()),
                       "matrix larger than the file");
  }
  // An empty matrix holds nothing; without this a 0 x 65536 x 65536 matrix
  // would spin through four billion empty rows.
  if (cells == 0) return Status::Ok();
  for (int z = 0; z < m.size.z; ++z)
    for (int y = 0; y < m.size.y; ++y)
      for (int x = 0; x < m.size.x; ++x) {
        uint32_t c = 0;
        r.ReadU32(&c);
        const Rgba col = Color(c, m.bgra);
        if (col.a) v->Set(ToGoxel(m, x, y, z), col);
      }
  return Status::Ok();
}

Status ReadRle(ByteReader& r, const Matrix& m, int64_t max_voxels, Volume* v) {
  int64_t filled = 0;
  const int64_t slice = int64_t{m.size.x} * m.size.y;
  for (int z = 0; z < m.size.z; ++z) {
    int64_t index = 0;
    while (true) {
      const int64_t at = static_cast<int64_t>(r.offset());
      uint32_t c, len = 1;
      if (!r.ReadU32(&c)) return FormatError(kFormat, at, "truncated RLE data");
      if (c == kNextSliceFlag) break;
      if (c == kCodeFlag && (!r.ReadU32(&len) || !r.ReadU32(&c))) {
        return FormatError(kFormat, at, "truncated RLE run");
      }
      if (index + len > slice) {
        return FormatError(kFormat, at, "RLE run overflows its slice");
      }
      const Rgba col = Color(c, m.bgra);
      if (col.a && (filled += len) > max_voxels) {
        return LimitError(kFormat, at, "too many voxels", max_voxels);
      }
      for (uint32_t j = 0; col.a && j < len; ++j) {
        const int64_t i = index + j;
        v->Set(ToGoxel(m, static_cast<int>(i % m.size.x),
                       static_cast<int>(i / m.size.x), z),
               col);
      }
      index += len;
    }
  }
  return Status::Ok();
}

Status ReadMatrix(ByteReader& r, const Header& h, const ReadLimits& limits,
                  Layer* layer) {
  const int64_t at = static_cast<int64_t>(r.offset());
  uint8_t name_len;
  std::span<const uint8_t> name;
  Matrix m{{}, {}, h.color_format == 1, h.orientation == 1};
  uint32_t sx, sy, sz;
  if (!r.ReadU8(&name_len) || !r.ReadSpan(name_len, &name) || !r.ReadU32(&sx) ||
      !r.ReadU32(&sy) || !r.ReadU32(&sz) || !r.ReadI32(&m.pos.x) ||
      !r.ReadI32(&m.pos.y) || !r.ReadI32(&m.pos.z)) {
    return FormatError(kFormat, at, "truncated matrix header");
  }
  if (sx > kMaxAxis || sy > kMaxAxis || sz > kMaxAxis ||
      int64_t{sx} * sy * sz > limits.max_voxels * 8 + 4096) {
    return LimitError(kFormat, at, "matrix too large", limits.max_voxels);
  }
  m.size = {static_cast<int32_t>(sx), static_cast<int32_t>(sy),
            static_cast<int32_t>(sz)};
  layer->name.assign(name.begin(), name.end());
  return h.compressed ? ReadRle(r, m, limits.max_voxels, &layer->volume)
                      : ReadRaw(r, m, &layer->volume);
}

}  // namespace

Result<Scene> ReadQb(std::span<const uint8_t> bytes, const ReadLimits& limits) {
  if (static_cast<int64_t>(bytes.size()) > limits.max_bytes) {
    return LimitError(kFormat, 0, "file too large", limits.max_bytes);
  }
  ByteReader r(bytes);
  Header h;
  if (!r.ReadU32(&h.version) || !r.ReadU32(&h.color_format) ||
      !r.ReadU32(&h.orientation) || !r.ReadU32(&h.compressed) ||
      !r.ReadU32(&h.vmask) || !r.ReadU32(&h.count)) {
    return FormatError(kFormat, 0, "truncated header");
  }
  if (h.version != 0x101 || h.color_format > 1 || h.orientation > 1) {
    return FormatError(kFormat, 0, "not a Qubicle 1.1 file");
  }
  if (h.count > static_cast<uint32_t>(limits.max_layers)) {
    return LimitError(kFormat, 20, "too many matrices", limits.max_layers);
  }
  Scene scene;
  int64_t voxels = 0, blocks = 0;
  for (uint32_t i = 0; i < h.count; ++i) {
    Layer layer;
    layer.id = static_cast<int32_t>(i) + 1;
    GOXEL_RETURN_IF_ERROR(ReadMatrix(r, h, limits, &layer));
    voxels += layer.volume.CountVoxels();
    blocks += static_cast<int64_t>(layer.volume.BlockCount());
    if (voxels > limits.max_voxels || blocks > limits.max_blocks) {
      return LimitError(kFormat, static_cast<int64_t>(r.offset()),
                        "too many voxels", limits.max_voxels);
    }
    scene.layers.push_back(std::move(layer));
  }
  return scene;
}

Result<std::vector<uint8_t>> WriteQb(const Scene& scene,
                                     const WriteOptions& /*options*/) {
  std::vector<uint8_t> out;
  ByteWriter w(&out);
  std::vector<const Layer*> layers;
  for (const Layer& l : scene.layers) {
    if (!l.volume.Empty()) layers.push_back(&l);
  }
  // Qubicle stores each layer as one dense matrix: refuse what the reader
  // would refuse (an axis past 65,536) or what would write more than 1 GiB.
  GOXEL_RETURN_IF_ERROR(CheckLayerCount(kFormat, layers.size()));
  int64_t cells = 0;
  for (const Layer* l : layers) {
    const Box b = *l->volume.Bounds();
    const int64_t sx = int64_t{b.max.x} - b.min.x + 1,
                  sy = int64_t{b.max.y} - b.min.y + 1,
                  sz = int64_t{b.max.z} - b.min.z + 1;
    if (sx > kMaxAxis || sy > kMaxAxis || sz > kMaxAxis)
      return CannotHold(kFormat,
                        "layer \"" + l->name + "\" spans more than " +
                            std::to_string(kMaxAxis) + " voxels on an axis",
                        kMaxAxis);
    cells += b.CellCount();
    if (cells > kMaxCells)
      return CannotHold(kFormat,
                        "the layers' bounding boxes hold more than " +
                            std::to_string(kMaxCells) + " cells",
                        kMaxCells);
  }
  for (uint32_t v : {0x101u, 0u, 1u, 0u, 0u}) w.U32(v);
  w.U32(static_cast<uint32_t>(layers.size()));
  for (const Layer* l : layers) {
    const Box b = *l->volume.Bounds();
    const std::string_view name = std::string_view(l->name).substr(0, 255);
    w.U8(static_cast<uint8_t>(name.size()));
    w.Str(name);
    w.U32(b.max.x - b.min.x + 1), w.U32(b.max.z - b.min.z + 1);
    w.U32(b.max.y - b.min.y + 1);
    w.I32(b.min.x), w.I32(b.min.z), w.I32(b.min.y);
    for (int y = b.min.y; y <= b.max.y; ++y)
      for (int z = b.min.z; z <= b.max.z; ++z)
        for (int x = b.min.x; x <= b.max.x; ++x) {
          const Rgba c = l->volume.Get({x, y, z});
          w.U8(c.r), w.U8(c.g), w.U8(c.b), w.U8(c.a);
        }
  }
  return out;
}

}  // namespace goxel::voxel::formats
