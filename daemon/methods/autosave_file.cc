#include "methods/autosave_file.h"

#include <zlib.h>

#include <cstring>

#include "rpc/json.h"

namespace goxel::methods {
namespace {

constexpr char kMagic[8] = {'G', 'X', 'A', 'U', 'T', 'O', 'S', 'V'};
constexpr uint16_t kRawBlock = 0xFFFF;
// Below this many voxels a block is written as (index, colour) pairs.
constexpr int kSparseMax = voxel::kBlockVoxels * 4 / 6;

uint32_t Crc(std::span<const uint8_t> b) {
  uLong c = crc32(0L, Z_NULL, 0);
  // zlib takes uInt lengths: feed it in pieces.
  size_t at = 0;
  while (at < b.size()) {
    const size_t n = std::min<size_t>(b.size() - at, 1u << 30);
    c = crc32(c, b.data() + at, static_cast<uInt>(n));
    at += n;
  }
  return static_cast<uint32_t>(c);
}

class Out {
 public:
  explicit Out(std::vector<uint8_t>* b) : b_(b) {}
  void Raw(const void* p, size_t n) {
    const auto* c = static_cast<const uint8_t*>(p);
    b_->insert(b_->end(), c, c + n);
  }
  template <typename T>
  void Put(T v) {
    Raw(&v, sizeof v);  // little-endian hosts only (x86-64, aarch64)
  }
  void Str(const std::string& s) {
    Put<uint32_t>(static_cast<uint32_t>(s.size()));
    Raw(s.data(), s.size());
  }
  void Rgba(voxel::Rgba c) { Put(c.r), Put(c.g), Put(c.b), Put(c.a); }

 private:
  std::vector<uint8_t>* b_;
};

class In {
 public:
  explicit In(std::span<const uint8_t> b) : b_(b) {}
  bool Raw(void* p, size_t n) {
    if (n > b_.size() - at_) return false;
    std::memcpy(p, b_.data() + at_, n);
    at_ += n;
    return true;
  }
  template <typename T>
  bool Get(T* v) {
    return Raw(v, sizeof *v);
  }
  bool Str(std::string* s) {
    uint32_t n;
    if (!Get(&n) || n > b_.size() - at_) return false;
    s->assign(reinterpret_cast<const char*>(b_.data() + at_), n);
    at_ += n;
    return true;
  }
  bool Rgba(voxel::Rgba* c) {
    return Get(&c->r) && Get(&c->g) && Get(&c->b) && Get(&c->a);
  }
  size_t offset() const { return at_; }
  size_t left() const { return b_.size() - at_; }

 private:
  std::span<const uint8_t> b_;
  size_t at_ = 0;
};

Status Bad(const std::string& reason, size_t offset) {
  return Status::InvalidParams("autosave file is not valid: " + reason)
      .With("format", "autosave")
      .With("reason", reason)
      .With("offset", static_cast<int64_t>(offset));
}

std::string MetaJson(const AutosaveMeta& m) {
  rapidjson::StringBuffer buf;
  rpc::JsonWriter w(buf);
  w.StartObject();
  w.Key("project_id");
  w.String(m.project_id.c_str(), static_cast<unsigned>(m.project_id.size()));
  w.Key("name");
  w.String(m.name.c_str(), static_cast<unsigned>(m.name.size()));
  w.Key("file_path");
  w.String(m.file_path.c_str(), static_cast<unsigned>(m.file_path.size()));
  w.Key("active");
  w.Bool(m.active);
  w.Key("saved_ms");
  w.Int64(m.saved_ms);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

void EncodeBody(const voxel::Scene& scene, std::vector<uint8_t>* body) {
  Out o(body);
  o.Put<uint32_t>(static_cast<uint32_t>(scene.layers.size()));
  for (const voxel::Layer& l : scene.layers) {
    o.Put<int32_t>(l.id);
    o.Put<uint8_t>(l.visible ? 1 : 0);
    o.Put<float>(l.opacity);
    o.Rgba(l.color);
    o.Str(l.name);
    const size_t count_at = body->size();
    o.Put<uint64_t>(0);
    uint64_t blocks = 0;
    // Voxels come block by block (ForEachVoxel visits a block's voxels
    // together, in index order), without decoding compact blocks: a block
    // is written when the next one starts.
    std::vector<std::pair<uint16_t, voxel::Rgba>> cells;
    cells.reserve(voxel::kBlockVoxels);
    voxel::Vec3i origin;
    auto flush = [&] {
      if (cells.empty()) return;
      ++blocks;
      o.Put<int32_t>(origin.x), o.Put<int32_t>(origin.y),
          o.Put<int32_t>(origin.z);
      if (int(cells.size()) < kSparseMax) {
        o.Put<uint16_t>(static_cast<uint16_t>(cells.size()));
        for (const auto& [i, c] : cells) {
          o.Put<uint16_t>(i);
          o.Rgba(c);
        }
      } else {
        voxel::Rgba data[voxel::kBlockVoxels] = {};
        for (const auto& [i, c] : cells) data[i] = c;
        o.Put<uint16_t>(kRawBlock);
        o.Raw(data, sizeof data);
      }
      cells.clear();
    };
    l.volume.ForEachVoxel([&](voxel::Vec3i p, voxel::Rgba c) {
      const voxel::Vec3i at{p.x & ~15, p.y & ~15, p.z & ~15};
      if (!cells.empty() && !(at == origin)) flush();
      origin = at;
      cells.emplace_back(static_cast<uint16_t>(
                             voxel::BlockIndex(p.x & 15, p.y & 15, p.z & 15)),
                         c);
    });
    flush();
    std::memcpy(body->data() + count_at, &blocks, sizeof blocks);
  }
  o.Put<uint32_t>(static_cast<uint32_t>(scene.kept_chunks.size()));
  for (const voxel::KeptChunk& k : scene.kept_chunks) {
    o.Str(k.format);
    o.Str(k.type);
    o.Str(std::string(k.data.begin(), k.data.end()));
  }
  o.Put<int32_t>(scene.width), o.Put<int32_t>(scene.height),
      o.Put<int32_t>(scene.depth);
}

bool Aligned(int32_t v) { return (v & (voxel::kBlockSize - 1)) == 0; }

Status DecodeBody(std::span<const uint8_t> body, voxel::Scene* scene) {
  In in(body);
  uint32_t layers;
  if (!in.Get(&layers)) return Bad("truncated layer count", in.offset());
  std::vector<voxel::Rgba> buf(voxel::kBlockVoxels, voxel::Rgba{0, 0, 0, 0});
  std::vector<std::pair<uint16_t, voxel::Rgba>> cells;
  cells.reserve(voxel::kBlockVoxels);
  for (uint32_t li = 0; li < layers; ++li) {
    voxel::Layer l;
    uint8_t visible;
    uint64_t blocks;
    if (!in.Get(&l.id) || !in.Get(&visible) || !in.Get(&l.opacity) ||
        !in.Rgba(&l.color) || !in.Str(&l.name) || !in.Get(&blocks)) {
      return Bad("truncated layer header", in.offset());
    }
    l.visible = visible != 0;
    // Each block takes at least 14 bytes: a count beyond that is a lie.
    if (blocks > in.left() / 14)
      return Bad("block count too large", in.offset());
    // Blocks go straight to their final form; the trie is built once.
    voxel::VolumeBuilder builder;
    builder.Reserve(blocks);
    for (uint64_t b = 0; b < blocks; ++b) {
      voxel::Vec3i origin;
      uint16_t n;
      if (!in.Get(&origin.x) || !in.Get(&origin.y) || !in.Get(&origin.z) ||
          !in.Get(&n)) {
        return Bad("truncated block", in.offset());
      }
      if (!Aligned(origin.x) || !Aligned(origin.y) || !Aligned(origin.z))
        return Bad("block origin not a multiple of 16", in.offset());
      if (n == kRawBlock) {
        if (!in.Raw(buf.data(), sizeof(voxel::Rgba) * voxel::kBlockVoxels))
          return Bad("truncated block data", in.offset());
        builder.AddBlock(origin, buf.data());
        continue;
      }
      if (n == 0 || n >= kSparseMax) return Bad("bad voxel count", in.offset());
      cells.clear();
      for (uint16_t i = 0; i < n; ++i) {
        uint16_t idx;
        voxel::Rgba c;
        if (!in.Get(&idx) || !in.Rgba(&c))
          return Bad("truncated block data", in.offset());
        if (idx >= voxel::kBlockVoxels)
          return Bad("bad voxel index", in.offset());
        cells.emplace_back(idx, c);
      }
      builder.AddBlockCells(origin, cells);
    }
    l.volume = builder.Finish();
    scene->layers.push_back(std::move(l));
  }
  uint32_t kept;
  if (!in.Get(&kept)) return Bad("truncated chunk count", in.offset());
  for (uint32_t i = 0; i < kept; ++i) {
    voxel::KeptChunk k;
    std::string data;
    if (!in.Str(&k.format) || !in.Str(&k.type) || !in.Str(&data))
      return Bad("truncated chunk", in.offset());
    k.data.assign(data.begin(), data.end());
    scene->kept_chunks.push_back(std::move(k));
  }
  if (!in.Get(&scene->width) || !in.Get(&scene->height) ||
      !in.Get(&scene->depth)) {
    return Bad("truncated canvas size", in.offset());
  }
  if (in.left() != 0) return Bad("bytes after the end", in.offset());
  return Status::Ok();
}

struct Header {
  uint32_t version, flags, meta_len, meta_crc;
  uint64_t body_len, body_raw_len;
  uint32_t body_crc;
};

Result<Header> ReadHeader(std::span<const uint8_t> bytes) {
  if (bytes.size() < kAutosaveHeaderBytes) return Bad("truncated header", 0);
  if (std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    return Bad("not an autosave file (magic)", 0);
  In in(bytes.subspan(8));
  Header h;
  uint32_t header_crc;
  in.Get(&h.version), in.Get(&h.flags), in.Get(&h.meta_len),
      in.Get(&h.meta_crc), in.Get(&h.body_len), in.Get(&h.body_raw_len),
      in.Get(&h.body_crc), in.Get(&header_crc);
  if (Crc(bytes.subspan(0, 44)) != header_crc)
    return Bad("header checksum mismatch", 44);
  if (h.version != kAutosaveVersion) {
    return Status(Bad("unknown version " + std::to_string(h.version) +
                          " (this daemon reads version " +
                          std::to_string(kAutosaveVersion) + ")",
                      8))
        .With("version", static_cast<int64_t>(h.version));
  }
  if ((h.flags & ~1u) != 0) return Bad("unknown flags", 12);
  return h;
}

Result<AutosaveMeta> ParseMeta(std::span<const uint8_t> bytes,
                               const Header& h) {
  if (h.meta_len > bytes.size() - kAutosaveHeaderBytes)
    return Bad("truncated meta", kAutosaveHeaderBytes);
  auto m = bytes.subspan(kAutosaveHeaderBytes, h.meta_len);
  if (Crc(m) != h.meta_crc) return Bad("meta checksum mismatch", 16);
  rpc::JsonDocument doc;
  doc.Parse(reinterpret_cast<const char*>(m.data()), m.size());
  if (doc.HasParseError() || !doc.IsObject())
    return Bad("meta is not a JSON object", kAutosaveHeaderBytes);
  AutosaveMeta meta;
  auto str = [&](const char* key, std::string* out) {
    if (doc.HasMember(key) && doc[key].IsString())
      out->assign(doc[key].GetString(), doc[key].GetStringLength());
  };
  str("project_id", &meta.project_id);
  str("name", &meta.name);
  str("file_path", &meta.file_path);
  if (doc.HasMember("active") && doc["active"].IsBool())
    meta.active = doc["active"].GetBool();
  if (doc.HasMember("saved_ms") && doc["saved_ms"].IsInt64())
    meta.saved_ms = doc["saved_ms"].GetInt64();
  return meta;
}

}  // namespace

Result<std::vector<uint8_t>> EncodeAutosave(const AutosaveMeta& meta,
                                            const voxel::Scene& scene) {
  std::vector<uint8_t> raw;
  EncodeBody(scene, &raw);
  uLongf stored_len = compressBound(raw.size());
  std::vector<uint8_t> out(kAutosaveHeaderBytes);
  const std::string m = MetaJson(meta);
  out.insert(out.end(), m.begin(), m.end());
  const size_t body_at = out.size();
  out.resize(body_at + stored_len);
  if (compress2(out.data() + body_at, &stored_len, raw.data(), raw.size(),
                Z_BEST_SPEED) != Z_OK) {
    return Status::Internal("cannot compress the autosave");
  }
  out.resize(body_at + stored_len);
  std::vector<uint8_t> header;
  Out h(&header);
  h.Raw(kMagic, sizeof kMagic);
  h.Put<uint32_t>(kAutosaveVersion);
  h.Put<uint32_t>(1);  // zlib
  h.Put<uint32_t>(static_cast<uint32_t>(m.size()));
  h.Put<uint32_t>(Crc({reinterpret_cast<const uint8_t*>(m.data()), m.size()}));
  h.Put<uint64_t>(stored_len);
  h.Put<uint64_t>(raw.size());
  h.Put<uint32_t>(Crc({out.data() + body_at, stored_len}));
  h.Put<uint32_t>(Crc(header));
  std::memcpy(out.data(), header.data(), kAutosaveHeaderBytes);
  return out;
}

Result<AutosaveMeta> DecodeAutosaveMeta(std::span<const uint8_t> bytes) {
  auto h = ReadHeader(bytes);
  if (!h.ok()) return h.status();
  return ParseMeta(bytes, *h);
}

Result<voxel::Scene> DecodeAutosave(std::span<const uint8_t> bytes,
                                    AutosaveMeta* meta) {
  auto h = ReadHeader(bytes);
  if (!h.ok()) return h.status();
  auto m = ParseMeta(bytes, *h);
  if (!m.ok()) return m.status();
  if (meta != nullptr) *meta = *m;
  const size_t body_at = kAutosaveHeaderBytes + h->meta_len;
  if (h->body_len != bytes.size() - body_at)
    return Bad("truncated body (or bytes after it)", body_at);
  auto stored = bytes.subspan(body_at);
  if (Crc(stored) != h->body_crc) return Bad("body checksum mismatch", body_at);
  std::vector<uint8_t> raw;
  std::span<const uint8_t> body = stored;
  if (h->flags & 1u) {
    // zlib expands at most ~1032:1; a larger claim is a lie.
    if (h->body_raw_len > stored.size() * 1040 + 64)
      return Bad("body size claim too large", 32);
    raw.resize(h->body_raw_len);
    uLongf len = raw.size();
    if (uncompress(raw.data(), &len, stored.data(), stored.size()) != Z_OK ||
        len != raw.size()) {
      return Bad("body does not decompress", body_at);
    }
    body = raw;
  }
  voxel::Scene scene;
  GOXEL_RETURN_IF_ERROR(DecodeBody(body, &scene));
  return scene;
}

}  // namespace goxel::methods
