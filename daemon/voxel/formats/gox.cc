// .gox reader and writer. See gox.h for the layout.
#include "voxel/formats/gox.h"

#include <cmath>
#include <cstring>
#include <memory>
#include <string_view>
#include <unordered_map>

#include "voxel/formats/byte_io.h"
#include "voxel/formats/png_codec.h"

namespace goxel::voxel::formats {
namespace {

constexpr char kFormat[] = "gox";
constexpr int kVersion = 2;
constexpr size_t kTileBytes = kBlockVoxels * sizeof(Rgba);
static_assert(sizeof(Rgba) == 4, "Rgba must be 4 packed bytes");

using Tile = std::array<Rgba, kBlockVoxels>;

struct DictEntry {
  std::string_view key;
  std::span<const uint8_t> value;
};

// One chunk's bytes and where they start in the file (for error offsets).
struct Chunk {
  char type[4];
  std::span<const uint8_t> data;
  int64_t offset;
  bool Is(const char* t) const { return std::memcmp(type, t, 4) == 0; }
};

// Reads dict entries from r until a zero key size or the end of the chunk.
Status ReadDict(ByteReader& r, int64_t base, std::vector<DictEntry>* out) {
  while (!r.AtEnd()) {
    int32_t key_size = 0, value_size = 0;
    std::span<const uint8_t> key, value;
    const int64_t at = base + static_cast<int64_t>(r.offset());
    if (!r.ReadI32(&key_size))
      return FormatError(kFormat, at, "truncated dict");
    if (key_size == 0) break;
    if (key_size < 0 || !r.ReadSpan(key_size, &key) ||
        !r.ReadI32(&value_size) || value_size < 0 ||
        !r.ReadSpan(value_size, &value)) {
      return FormatError(kFormat, at, "dict entry overruns its chunk");
    }
    out->push_back({std::string_view(reinterpret_cast<const char*>(key.data()),
                                     key.size()),
                    value});
  }
  return Status::Ok();
}

template <typename T>
bool DictGet(const DictEntry& e, const char* key, T* v) {
  if (e.key != key || e.value.size() != sizeof(T)) return false;
  std::memcpy(v, e.value.data(), sizeof(T));
  return true;
}

// A tile with at most this many voxels is also kept as its list of cells,
// which builds its blocks without a pass over all 4096 cells each.
constexpr int64_t kSparseTileVoxels = 512;

// Decoded tiles, decoded lazily on first reference and cached.
class TileCache {
 public:
  using Cells = std::vector<std::pair<uint16_t, Rgba>>;

  explicit TileCache(std::vector<Chunk> chunks) : chunks_(std::move(chunks)) {
    tiles_.resize(chunks_.size());
    counts_.resize(chunks_.size(), -1);
    cells_.resize(chunks_.size());
  }
  size_t size() const { return chunks_.size(); }
  // Returns the tile at `index`, decoding it on first use.
  Result<const Tile*> Get(size_t index) {
    if (tiles_[index]) return tiles_[index].get();
    const Chunk& c = chunks_[index];
    Result<PngImage> img = DecodePng(c.data, 64 * 64);
    if (!img.ok() || img->width != 64 || img->height != 64) {
      return FormatError(kFormat, c.offset, "BL16 is not a 64x64 PNG");
    }
    auto tile = std::make_unique<Tile>();
    std::memcpy(tile->data(), img->rgba.data(), kTileBytes);
    int64_t n = 0;
    for (const Rgba& v : *tile) n += v.a != 0;
    if (n <= kSparseTileVoxels) {
      for (int i = 0; i < kBlockVoxels; ++i)
        if ((*tile)[i].a) cells_[index].emplace_back(uint16_t(i), (*tile)[i]);
    }
    counts_[index] = n;
    tiles_[index] = std::move(tile);
    return tiles_[index].get();
  }
  int64_t Count(size_t index) const { return counts_[index]; }
  // The decoded tile's cells, when it is sparse (Count <= kSparseTileVoxels).
  const Cells& SparseCells(size_t index) const { return cells_[index]; }

 private:
  std::vector<Chunk> chunks_;
  std::vector<std::unique_ptr<Tile>> tiles_;
  std::vector<int64_t> counts_;
  std::vector<Cells> cells_;
};

// Copies a 16^3 tile to `origin`. Aligned tiles replace their block; tiles
// at other offsets (version 1 files, some third-party writers) overlap their
// neighbours, and only their non-empty cells are written, so that overlapping
// tiles add up instead of erasing each other.
void Blit(Volume* v, Vec3i o, const Tile& t) {
  if (o.x % kBlockSize == 0 && o.y % kBlockSize == 0 && o.z % kBlockSize == 0) {
    v->SetBlock(o, t.data());
    return;
  }
  for (int z = 0; z < kBlockSize; ++z)
    for (int y = 0; y < kBlockSize; ++y)
      for (int x = 0; x < kBlockSize; ++x) {
        const Rgba c = t[BlockIndex(x, y, z)];
        if (c.a) v->Set({o.x + x, o.y + y, o.z + z}, c);
      }
}

struct ReadState {
  const ReadLimits& limits;
  int version = 0;
  int64_t voxels = 0;  // upper bound: sum of referenced tiles' counts.
  int64_t refs = 0;
  std::vector<int32_t> base_ids;
};

Status ReadLayerBlocks(ByteReader& r, const Chunk& c, ReadState& st,
                       TileCache& tiles, Layer* layer) {
  int32_t count = 0;
  if (!r.ReadI32(&count) || count < 0 ||
      static_cast<size_t>(count) > r.remaining() / 20) {
    return FormatError(kFormat, c.offset, "LAYR block count exceeds chunk");
  }
  st.refs += count;
  if (st.refs > st.limits.max_blocks) {
    return LimitError(kFormat, c.offset, "too many blocks",
                      st.limits.max_blocks);
  }
  // Every reference is checked and its tile decoded first, in file order;
  // then the blocks are placed.
  struct Ref {
    Vec3i origin;
    int32_t tile;
  };
  std::vector<Ref> refs;
  refs.reserve(static_cast<size_t>(count));
  bool aligned = true;
  for (int32_t i = 0; i < count; ++i) {
    int32_t idx, x, y, z, zero;
    const int64_t at = c.offset + static_cast<int64_t>(r.offset());
    if (!r.ReadI32(&idx) || !r.ReadI32(&x) || !r.ReadI32(&y) ||
        !r.ReadI32(&z) || !r.ReadI32(&zero)) {
      return FormatError(kFormat, at, "truncated block reference");
    }
    if (idx < 0 || static_cast<size_t>(idx) >= tiles.size()) {
      return FormatError(kFormat, at, "block reference to a missing tile");
    }
    if (st.version == 1) x -= 8, y -= 8, z -= 8;
    Result<const Tile*> tile = tiles.Get(idx);
    if (!tile.ok()) return tile.status();
    st.voxels += tiles.Count(idx);
    if (st.voxels > st.limits.max_voxels) {
      return LimitError(kFormat, at, "too many voxels", st.limits.max_voxels);
    }
    refs.push_back({{x, y, z}, idx});
    aligned = aligned && x % kBlockSize == 0 && y % kBlockSize == 0 &&
              z % kBlockSize == 0;
  }
  if (!aligned) {
    // Overlapping tiles add up in file order: one voxel at a time.
    for (const Ref& ref : refs)
      Blit(&layer->volume, ref.origin, **tiles.Get(ref.tile));
    return Status::Ok();
  }
  // Whole blocks, each in its final form; the trie is built once.
  VolumeBuilder builder;
  builder.Reserve(refs.size());
  for (const Ref& ref : refs) {
    if (tiles.Count(ref.tile) <= kSparseTileVoxels) {
      builder.AddBlockCells(ref.origin, tiles.SparseCells(ref.tile));
    } else {
      builder.AddBlock(ref.origin, (**tiles.Get(ref.tile)).data());
    }
  }
  layer->volume = builder.Finish();
  return Status::Ok();
}

Status ReadLayer(const Chunk& c, ReadState& st, TileCache& tiles,
                 Scene* scene) {
  if (static_cast<int64_t>(scene->layers.size()) >= st.limits.max_layers) {
    return LimitError(kFormat, c.offset, "too many layers",
                      st.limits.max_layers);
  }
  Layer layer;
  ByteReader r(c.data);
  GOXEL_RETURN_IF_ERROR(ReadLayerBlocks(r, c, st, tiles, &layer));
  std::vector<DictEntry> dict;
  GOXEL_RETURN_IF_ERROR(ReadDict(r, c.offset, &dict));
  int32_t base_id = 0;
  for (const DictEntry& e : dict) {
    if (e.key == "name") layer.name.assign(e.value.begin(), e.value.end());
    DictGet(e, "id", &layer.id);
    DictGet(e, "base_id", &base_id);
    uint8_t b;
    if (DictGet(e, "visible", &b)) layer.visible = b != 0;
    DictGet(e, "color", &layer.color);
  }
  st.base_ids.push_back(base_id);
  scene->layers.push_back(std::move(layer));
  return Status::Ok();
}

// Width, height and depth from an IMG "box" (a 4x4 column-major matrix whose
// first three columns are half extents).
void ReadImageBox(const Chunk& c, Scene* scene) {
  ByteReader r(c.data);
  std::vector<DictEntry> dict;
  if (!ReadDict(r, c.offset, &dict).ok()) return;
  for (const DictEntry& e : dict) {
    float m[16];
    if (!DictGet(e, "box", &m)) continue;
    auto extent = [&](int col) {
      const float* v = m + col * 4;
      const double len = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
      return std::isfinite(len) && len < 1e6
                 ? static_cast<int32_t>(std::lround(2 * len))
                 : 0;
    };
    scene->width = extent(0);
    scene->height = extent(1);
    scene->depth = extent(2);
  }
}

// Gives every layer a unique non-zero id and copies clone layers' voxels.
void FinishLayers(const std::vector<int32_t>& base_ids, Scene* scene) {
  int32_t next = 1;
  for (const Layer& l : scene->layers) next = std::max(next, l.id + 1);
  std::unordered_map<int32_t, size_t> by_id;
  for (size_t i = 0; i < scene->layers.size(); ++i) {
    Layer& l = scene->layers[i];
    if (l.id <= 0 || by_id.count(l.id)) l.id = next++;
    by_id[l.id] = i;
  }
  for (size_t i = 0; i < scene->layers.size(); ++i) {
    auto it = by_id.find(base_ids[i]);
    if (base_ids[i] != 0 && it != by_id.end() && it->second != i &&
        scene->layers[i].volume.Empty()) {
      scene->layers[i].volume = scene->layers[it->second].volume;
    }
  }
}

Status SplitChunks(std::span<const uint8_t> bytes, std::vector<Chunk>* out) {
  ByteReader r(bytes);
  r.Skip(8);
  while (!r.AtEnd()) {
    Chunk c;
    int32_t length = 0;
    const int64_t at = static_cast<int64_t>(r.offset());
    if (!r.ReadTag(c.type) || !r.ReadI32(&length)) {
      return FormatError(kFormat, at, "truncated chunk header");
    }
    c.offset = at + 8;
    if (length < 0 || !r.ReadSpan(length, &c.data)) {
      return FormatError(kFormat, at, "chunk length exceeds file");
    }
    uint32_t crc;
    if (!r.ReadU32(&crc)) return FormatError(kFormat, at, "missing chunk crc");
    out->push_back(c);
  }
  return Status::Ok();
}

bool IsKept(const Chunk& c) {
  return c.Is("IMG ") || c.Is("PREV") || c.Is("MATE") || c.Is("CAMR") ||
         c.Is("LIGH");
}

}  // namespace

Result<Scene> ReadGox(std::span<const uint8_t> bytes,
                      const ReadLimits& limits) {
  if (static_cast<int64_t>(bytes.size()) > limits.max_bytes) {
    return LimitError(kFormat, 0, "file too large", limits.max_bytes);
  }
  int32_t version = 0;
  if (bytes.size() < 8 || std::memcmp(bytes.data(), "GOX ", 4) != 0) {
    return FormatError(kFormat, 0, "missing GOX magic");
  }
  std::memcpy(&version, bytes.data() + 4, 4);
  if (version != 1 && version != 2) {
    return FormatError(kFormat, 4,
                       "unsupported version " + std::to_string(version));
  }
  std::vector<Chunk> chunks;
  GOXEL_RETURN_IF_ERROR(SplitChunks(bytes, &chunks));
  std::vector<Chunk> tile_chunks;
  for (const Chunk& c : chunks) {
    if (c.Is("BL16")) tile_chunks.push_back(c);
  }
  if (static_cast<int64_t>(tile_chunks.size()) > limits.max_blocks) {
    return LimitError(kFormat, 8, "too many BL16 tiles", limits.max_blocks);
  }
  TileCache tiles(std::move(tile_chunks));
  ReadState st{limits, version, 0, 0, {}};
  Scene scene;
  for (const Chunk& c : chunks) {
    if (c.Is("LAYR")) {
      GOXEL_RETURN_IF_ERROR(ReadLayer(c, st, tiles, &scene));
    } else if (IsKept(c)) {
      if (c.Is("IMG ")) ReadImageBox(c, &scene);
      scene.kept_chunks.push_back(
          {kFormat, std::string(c.type, 4), {c.data.begin(), c.data.end()}});
    }
  }
  FinishLayers(st.base_ids, &scene);
  return scene;
}

namespace {

class GoxWriter {
 public:
  explicit GoxWriter(std::vector<uint8_t>* out) : w_(out) {}

  void Chunk(const char* type, std::span<const uint8_t> data) {
    w_.Tag(type);
    w_.I32(static_cast<int32_t>(data.size()));
    w_.Bytes(data);
    w_.I32(0);  // crc: Goxel writes 0 and never checks it.
  }
  void KeptChunks(const Scene& scene, const char* type) {
    for (const KeptChunk& k : scene.kept_chunks) {
      if (k.format == kFormat && k.type == type) Chunk(type, k.data);
    }
  }

 private:
  ByteWriter w_;
};

void DictValue(ByteWriter& w, std::string_view key, const void* v, size_t n) {
  w.I32(static_cast<int32_t>(key.size()));
  w.Str(key);
  w.I32(static_cast<int32_t>(n));
  w.Raw(v, n);
}

struct BlockRef {
  int32_t index;
  Vec3i origin;
};

// Assigns tile indices to distinct block contents, in first-use order.
class TileTable {
 public:
  int32_t Add(const Rgba* data) {
    std::string_view key(reinterpret_cast<const char*>(data), kTileBytes);
    auto [it, inserted] = index_.try_emplace(
        std::string(key), static_cast<int32_t>(tiles_.size()));
    if (inserted) tiles_.push_back(&it->first);
    return it->second;
  }
  const std::vector<const std::string*>& tiles() const { return tiles_; }

 private:
  std::unordered_map<std::string, int32_t> index_;
  std::vector<const std::string*> tiles_;
};

std::vector<uint8_t> LayerChunk(const Layer& layer,
                                const std::vector<BlockRef>& refs) {
  std::vector<uint8_t> data;
  ByteWriter w(&data);
  w.I32(static_cast<int32_t>(refs.size()));
  for (const BlockRef& r : refs) {
    w.I32(r.index);
    w.I32(r.origin.x);
    w.I32(r.origin.y);
    w.I32(r.origin.z);
    w.I32(0);
  }
  // Goxel reads values into a 256-byte buffer: keep names shorter.
  std::string_view name(layer.name);
  name = name.substr(0, 255);
  DictValue(w, "name", name.data(), name.size());
  const float mat[16] = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
  DictValue(w, "mat", mat, sizeof(mat));
  const int32_t base_id = 0, material = 0;
  DictValue(w, "id", &layer.id, 4);
  DictValue(w, "base_id", &base_id, 4);
  DictValue(w, "material", &material, 4);
  DictValue(w, "color", &layer.color, 4);
  const uint8_t visible = layer.visible ? 1 : 0;
  DictValue(w, "visible", &visible, 1);
  return data;
}

std::vector<uint8_t> ImageChunk(const Scene& scene) {
  std::vector<uint8_t> data;
  if (scene.width > 0 && scene.height > 0 && scene.depth > 0) {
    ByteWriter w(&data);
    const float hw = scene.width / 2.0f, hh = scene.height / 2.0f,
                hd = scene.depth / 2.0f;
    const float box[16] = {hw, 0, 0, 0, 0, hh, 0, 0, 0, 0, hd, 0, 0, 0, hd, 1};
    DictValue(w, "box", box, sizeof(box));
  }
  return data;
}

bool HasKept(const Scene& scene, const char* type) {
  for (const KeptChunk& k : scene.kept_chunks) {
    if (k.format == kFormat && k.type == type) return true;
  }
  return false;
}

}  // namespace

Result<std::vector<uint8_t>> WriteGox(const Scene& scene,
                                      const WriteOptions& /*options*/) {
  GOXEL_RETURN_IF_ERROR(CheckLayerCount(kFormat, scene.layers.size()));
  TileTable table;
  std::vector<std::vector<BlockRef>> refs(scene.layers.size());
  for (size_t i = 0; i < scene.layers.size(); ++i) {
    scene.layers[i].volume.ForEachBlock([&](Vec3i origin, const Rgba* data) {
      refs[i].push_back({table.Add(data), origin});
    });
  }
  std::vector<uint8_t> out;
  ByteWriter header(&out);
  header.Str("GOX ");
  header.I32(kVersion);
  GoxWriter w(&out);
  if (HasKept(scene, "IMG ")) {
    w.KeptChunks(scene, "IMG ");
  } else {
    w.Chunk("IMG ", ImageChunk(scene));
  }
  w.KeptChunks(scene, "PREV");
  for (const std::string* tile : table.tiles()) {
    Result<std::vector<uint8_t>> png =
        EncodePng(reinterpret_cast<const uint8_t*>(tile->data()), 64, 64);
    if (!png.ok()) return png.status();
    w.Chunk("BL16", *png);
  }
  w.KeptChunks(scene, "MATE");
  for (size_t i = 0; i < scene.layers.size(); ++i) {
    w.Chunk("LAYR", LayerChunk(scene.layers[i], refs[i]));
  }
  w.KeptChunks(scene, "CAMR");
  w.KeptChunks(scene, "LIGH");
  return out;
}

}  // namespace goxel::voxel::formats
