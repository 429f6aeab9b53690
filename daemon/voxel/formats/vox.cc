// .vox reader and writer. See vox.h for the axis mapping and placement.
#include "voxel/formats/vox.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <string_view>
#include <unordered_map>

#include "voxel/formats/byte_io.h"
#include "voxel/formats/palette.h"

namespace goxel::voxel::formats {
namespace {

constexpr char kFormat[] = "vox";
constexpr int kMaxModelSide = 256;
constexpr int kMaxGraphDepth = 64;

// MagicaVoxel's default palette (index 0 unused), 0xAABBGGRR.
constexpr uint32_t kDefaultPalette[256] = {
    0x00000000u, 0xffffffffu, 0xffccffffu, 0xff99ffffu, 0xff66ffffu,
    0xff33ffffu, 0xff00ffffu, 0xffffccffu, 0xffccccffu, 0xff99ccffu,
    0xff66ccffu, 0xff33ccffu, 0xff00ccffu, 0xffff99ffu, 0xffcc99ffu,
    0xff9999ffu, 0xff6699ffu, 0xff3399ffu, 0xff0099ffu, 0xffff66ffu,
    0xffcc66ffu, 0xff9966ffu, 0xff6666ffu, 0xff3366ffu, 0xff0066ffu,
    0xffff33ffu, 0xffcc33ffu, 0xff9933ffu, 0xff6633ffu, 0xff3333ffu,
    0xff0033ffu, 0xffff00ffu, 0xffcc00ffu, 0xff9900ffu, 0xff6600ffu,
    0xff3300ffu, 0xff0000ffu, 0xffffffccu, 0xffccffccu, 0xff99ffccu,
    0xff66ffccu, 0xff33ffccu, 0xff00ffccu, 0xffffccccu, 0xffccccccu,
    0xff99ccccu, 0xff66ccccu, 0xff33ccccu, 0xff00ccccu, 0xffff99ccu,
    0xffcc99ccu, 0xff9999ccu, 0xff6699ccu, 0xff3399ccu, 0xff0099ccu,
    0xffff66ccu, 0xffcc66ccu, 0xff9966ccu, 0xff6666ccu, 0xff3366ccu,
    0xff0066ccu, 0xffff33ccu, 0xffcc33ccu, 0xff9933ccu, 0xff6633ccu,
    0xff3333ccu, 0xff0033ccu, 0xffff00ccu, 0xffcc00ccu, 0xff9900ccu,
    0xff6600ccu, 0xff3300ccu, 0xff0000ccu, 0xffffff99u, 0xffccff99u,
    0xff99ff99u, 0xff66ff99u, 0xff33ff99u, 0xff00ff99u, 0xffffcc99u,
    0xffcccc99u, 0xff99cc99u, 0xff66cc99u, 0xff33cc99u, 0xff00cc99u,
    0xffff9999u, 0xffcc9999u, 0xff999999u, 0xff669999u, 0xff339999u,
    0xff009999u, 0xffff6699u, 0xffcc6699u, 0xff996699u, 0xff666699u,
    0xff336699u, 0xff006699u, 0xffff3399u, 0xffcc3399u, 0xff993399u,
    0xff663399u, 0xff333399u, 0xff003399u, 0xffff0099u, 0xffcc0099u,
    0xff990099u, 0xff660099u, 0xff330099u, 0xff000099u, 0xffffff66u,
    0xffccff66u, 0xff99ff66u, 0xff66ff66u, 0xff33ff66u, 0xff00ff66u,
    0xffffcc66u, 0xffcccc66u, 0xff99cc66u, 0xff66cc66u, 0xff33cc66u,
    0xff00cc66u, 0xffff9966u, 0xffcc9966u, 0xff999966u, 0xff669966u,
    0xff339966u, 0xff009966u, 0xffff6666u, 0xffcc6666u, 0xff996666u,
    0xff666666u, 0xff336666u, 0xff006666u, 0xffff3366u, 0xffcc3366u,
    0xff993366u, 0xff663366u, 0xff333366u, 0xff003366u, 0xffff0066u,
    0xffcc0066u, 0xff990066u, 0xff660066u, 0xff330066u, 0xff000066u,
    0xffffff33u, 0xffccff33u, 0xff99ff33u, 0xff66ff33u, 0xff33ff33u,
    0xff00ff33u, 0xffffcc33u, 0xffcccc33u, 0xff99cc33u, 0xff66cc33u,
    0xff33cc33u, 0xff00cc33u, 0xffff9933u, 0xffcc9933u, 0xff999933u,
    0xff669933u, 0xff339933u, 0xff009933u, 0xffff6633u, 0xffcc6633u,
    0xff996633u, 0xff666633u, 0xff336633u, 0xff006633u, 0xffff3333u,
    0xffcc3333u, 0xff993333u, 0xff663333u, 0xff333333u, 0xff003333u,
    0xffff0033u, 0xffcc0033u, 0xff990033u, 0xff660033u, 0xff330033u,
    0xff000033u, 0xffffff00u, 0xffccff00u, 0xff99ff00u, 0xff66ff00u,
    0xff33ff00u, 0xff00ff00u, 0xffffcc00u, 0xffcccc00u, 0xff99cc00u,
    0xff66cc00u, 0xff33cc00u, 0xff00cc00u, 0xffff9900u, 0xffcc9900u,
    0xff999900u, 0xff669900u, 0xff339900u, 0xff009900u, 0xffff6600u,
    0xffcc6600u, 0xff996600u, 0xff666600u, 0xff336600u, 0xff006600u,
    0xffff3300u, 0xffcc3300u, 0xff993300u, 0xff663300u, 0xff333300u,
    0xff003300u, 0xffff0000u, 0xffcc0000u, 0xff990000u, 0xff660000u,
    0xff330000u, 0xff0000eeu, 0xff0000ddu, 0xff0000bbu, 0xff0000aau,
    0xff000088u, 0xff000077u, 0xff000055u, 0xff000044u, 0xff000022u,
    0xff000011u, 0xff00ee00u, 0xff00dd00u, 0xff00bb00u, 0xff00aa00u,
    0xff008800u, 0xff007700u, 0xff005500u, 0xff004400u, 0xff002200u,
    0xff001100u, 0xffee0000u, 0xffdd0000u, 0xffbb0000u, 0xffaa0000u,
    0xff880000u, 0xff770000u, 0xff550000u, 0xff440000u, 0xff220000u,
    0xff110000u, 0xffeeeeeeu, 0xffddddddu, 0xffbbbbbbu, 0xffaaaaaau,
    0xff888888u, 0xff777777u, 0xff555555u, 0xff444444u, 0xff222222u,
    0xff111111u,
};

using Dict = std::map<std::string, std::string, std::less<>>;

struct Model {
  Vec3i size;
  std::span<const uint8_t> xyzi;  // 4 bytes per voxel.
  int64_t offset;
};

// A 3x3 signed permutation matrix: row i has sign[i] at column col[i].
struct Rot {
  int col[3] = {0, 1, 2};
  int sign[3] = {1, 1, 1};
  Vec3i Apply(Vec3i v) const {
    const int32_t a[3] = {v.x, v.y, v.z};
    return {sign[0] * a[col[0]], sign[1] * a[col[1]], sign[2] * a[col[2]]};
  }
  Rot Then(const Rot& child) const {  // this * child
    Rot r;
    for (int i = 0; i < 3; ++i) {
      r.col[i] = child.col[col[i]];
      r.sign[i] = sign[i] * child.sign[col[i]];
    }
    return r;
  }
};

struct Node {
  char kind = 0;  // 'T', 'G' or 'S'.
  Dict attrs;
  int32_t layer_id = -1;
  Vec3i t;
  Rot r;
  std::vector<int32_t> children;  // T: one child; G: children; S: models.
};

struct Parsed {
  std::vector<Model> models;
  Rgba palette[256];
  std::map<int32_t, Node> nodes;
  std::map<int32_t, Dict> vox_layers;
  int64_t voxels = 0;
};

class ChunkReader {
 public:
  ChunkReader(std::span<const uint8_t> data, int64_t base)
      : r_(data), base_(base) {}
  int64_t at() const { return base_ + static_cast<int64_t>(r_.offset()); }
  Status I32(int32_t* v) {
    return r_.ReadI32(v) ? Status::Ok()
                         : FormatError(kFormat, at(), "truncated");
  }
  Status String(std::string* s) {
    int32_t n = 0;
    std::span<const uint8_t> b;
    GOXEL_RETURN_IF_ERROR(I32(&n));
    if (n < 0 || !r_.ReadSpan(n, &b)) {
      return FormatError(kFormat, at(), "string overruns its chunk");
    }
    s->assign(b.begin(), b.end());
    return Status::Ok();
  }
  Status ReadDict(Dict* d) {
    int32_t n = 0;
    GOXEL_RETURN_IF_ERROR(I32(&n));
    if (n < 0 || static_cast<size_t>(n) > r_.remaining() / 8) {
      return FormatError(kFormat, at(), "dict size exceeds chunk");
    }
    for (int32_t i = 0; i < n; ++i) {
      std::string k, v;
      GOXEL_RETURN_IF_ERROR(String(&k));
      GOXEL_RETURN_IF_ERROR(String(&v));
      (*d)[k] = std::move(v);
    }
    return Status::Ok();
  }
  ByteReader& raw() { return r_; }

 private:
  ByteReader r_;
  int64_t base_;
};

Rgba FromAbgr(uint32_t v) {
  return {static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8),
          static_cast<uint8_t>(v >> 16), static_cast<uint8_t>(v >> 24)};
}

Rot DecodeRotation(const std::string& s) {
  Rot r;
  int v = std::atoi(s.c_str()) & 0x7f;
  const int c0 = v & 3, c1 = (v >> 2) & 3;
  if (c0 > 2 || c1 > 2 || c0 == c1) return r;  // invalid: keep identity.
  r.col[0] = c0;
  r.col[1] = c1;
  r.col[2] = 3 - c0 - c1;
  for (int i = 0; i < 3; ++i) r.sign[i] = (v >> (4 + i)) & 1 ? -1 : 1;
  return r;
}

Vec3i DecodeTranslation(const std::string& s) {
  Vec3i t;
  long a = 0, b = 0, c = 0;
  if (std::sscanf(s.c_str(), "%ld %ld %ld", &a, &b, &c) == 3) {
    auto clamp = [](long x) {
      return static_cast<int32_t>(std::clamp<long>(x, -(1 << 24), 1 << 24));
    };
    t = {clamp(a), clamp(b), clamp(c)};
  }
  return t;
}

Status ReadSize(ChunkReader& r, Parsed* p, const ReadLimits& limits) {
  Model m;
  m.offset = r.at();
  GOXEL_RETURN_IF_ERROR(r.I32(&m.size.x));
  GOXEL_RETURN_IF_ERROR(r.I32(&m.size.y));
  GOXEL_RETURN_IF_ERROR(r.I32(&m.size.z));
  if (m.size.x < 0 || m.size.y < 0 || m.size.z < 0 || m.size.x > 4096 ||
      m.size.y > 4096 || m.size.z > 4096) {
    return FormatError(kFormat, m.offset, "model size out of range");
  }
  if (static_cast<int64_t>(p->models.size()) >= limits.max_layers) {
    return LimitError(kFormat, m.offset, "too many models", limits.max_layers);
  }
  p->models.push_back(m);
  return Status::Ok();
}

Status ReadXyzi(ChunkReader& r, Parsed* p, const ReadLimits& limits) {
  const int64_t at = r.at();
  if (p->models.empty() || !p->models.back().xyzi.empty()) {
    return FormatError(kFormat, at, "XYZI without a SIZE");
  }
  int32_t n = 0;
  GOXEL_RETURN_IF_ERROR(r.I32(&n));
  if (n < 0 || static_cast<size_t>(n) > r.raw().remaining() / 4) {
    return FormatError(kFormat, at, "XYZI voxel count exceeds chunk");
  }
  p->voxels += n;
  if (p->voxels > limits.max_voxels) {
    return LimitError(kFormat, at, "too many voxels", limits.max_voxels);
  }
  r.raw().ReadSpan(static_cast<size_t>(n) * 4, &p->models.back().xyzi);
  return Status::Ok();
}

Status ReadTransform(ChunkReader& r, Parsed* p) {
  const int64_t at = r.at();
  int32_t id, child, reserved, frames;
  Node n;
  n.kind = 'T';
  GOXEL_RETURN_IF_ERROR(r.I32(&id));
  GOXEL_RETURN_IF_ERROR(r.ReadDict(&n.attrs));
  GOXEL_RETURN_IF_ERROR(r.I32(&child));
  GOXEL_RETURN_IF_ERROR(r.I32(&reserved));
  GOXEL_RETURN_IF_ERROR(r.I32(&n.layer_id));
  GOXEL_RETURN_IF_ERROR(r.I32(&frames));
  if (frames < 0 || static_cast<size_t>(frames) > r.raw().remaining() / 4) {
    return FormatError(kFormat, at, "nTRN frame count exceeds chunk");
  }
  for (int32_t f = 0; f < frames; ++f) {
    Dict d;
    GOXEL_RETURN_IF_ERROR(r.ReadDict(&d));
    if (f != 0) continue;  // frame 0 only.
    if (auto it = d.find("_t"); it != d.end())
      n.t = DecodeTranslation(it->second);
    if (auto it = d.find("_r"); it != d.end()) n.r = DecodeRotation(it->second);
  }
  n.children.push_back(child);
  p->nodes[id] = std::move(n);
  return Status::Ok();
}

// nGRP and nSHP: id, attributes, then a list of child or model ids (a model
// entry is followed by a dict).
Status ReadListNode(ChunkReader& r, Parsed* p, char kind) {
  const int64_t at = r.at();
  int32_t id, count;
  Node n;
  n.kind = kind;
  GOXEL_RETURN_IF_ERROR(r.I32(&id));
  GOXEL_RETURN_IF_ERROR(r.ReadDict(&n.attrs));
  GOXEL_RETURN_IF_ERROR(r.I32(&count));
  if (count < 0 || static_cast<size_t>(count) > r.raw().remaining() / 4) {
    return FormatError(kFormat, at, "node child count exceeds chunk");
  }
  for (int32_t i = 0; i < count; ++i) {
    int32_t child;
    GOXEL_RETURN_IF_ERROR(r.I32(&child));
    if (kind == 'S') {
      Dict d;
      GOXEL_RETURN_IF_ERROR(r.ReadDict(&d));
      if (i > 0) continue;  // frame 0's model only.
    }
    n.children.push_back(child);
  }
  p->nodes[id] = std::move(n);
  return Status::Ok();
}

Status ReadChunk(const char* tag, ChunkReader& r, Parsed* p,
                 const ReadLimits& limits) {
  const std::string_view t(tag, 4);
  if (t == "SIZE") return ReadSize(r, p, limits);
  if (t == "XYZI") return ReadXyzi(r, p, limits);
  if (t == "nTRN") return ReadTransform(r, p);
  if (t == "nGRP") return ReadListNode(r, p, 'G');
  if (t == "nSHP") return ReadListNode(r, p, 'S');
  if (t == "RGBA") {
    for (int i = 0; i < 255; ++i) {
      uint32_t v;
      if (!r.raw().ReadU32(&v))
        return FormatError(kFormat, r.at(), "short RGBA");
      p->palette[i + 1] = FromAbgr(v);
    }
    return Status::Ok();
  }
  if (t == "LAYR") {
    int32_t id;
    Dict d;
    GOXEL_RETURN_IF_ERROR(r.I32(&id));
    GOXEL_RETURN_IF_ERROR(r.ReadDict(&d));
    p->vox_layers[id] = std::move(d);
  }
  return Status::Ok();  // PACK, MATL, rOBJ, ...: not needed.
}

// Walks the chunks inside MAIN (which hold no children of their own).
Status ReadChunks(std::span<const uint8_t> bytes, Parsed* p,
                  const ReadLimits& limits) {
  ByteReader r(bytes);
  r.Skip(8);
  char tag[4];
  int32_t content = 0, children = 0;
  if (!r.ReadTag(tag) || std::memcmp(tag, "MAIN", 4) != 0 ||
      !r.ReadI32(&content) || !r.ReadI32(&children) || content < 0 ||
      !r.Skip(content)) {
    return FormatError(kFormat, 8, "missing MAIN chunk");
  }
  int64_t chunks = 0;
  while (!r.AtEnd()) {
    const int64_t at = static_cast<int64_t>(r.offset());
    std::span<const uint8_t> data, kids;
    if (!r.ReadTag(tag) || !r.ReadI32(&content) || !r.ReadI32(&children) ||
        content < 0 || children < 0 || !r.ReadSpan(content, &data) ||
        !r.ReadSpan(children, &kids)) {
      return FormatError(kFormat, at, "chunk overruns the file");
    }
    if (++chunks > limits.max_blocks + limits.max_layers * 8) {
      return LimitError(kFormat, at, "too many chunks",
                        limits.max_blocks + limits.max_layers * 8);
    }
    ChunkReader cr(data, at + 12);
    GOXEL_RETURN_IF_ERROR(ReadChunk(tag, cr, p, limits));
  }
  return Status::Ok();
}

struct Instance {
  int32_t model;
  Vec3i t;
  Rot r;
  std::string name;
  bool hidden;
  int32_t group;  // the group node that holds it (-1: none).
};

// Bounds of one walk of the scene graph. A graph may share nodes (a DAG), so
// the number of paths can grow exponentially with its depth: visits and the
// voxels the instances place are bounded, not only the depth.
constexpr int64_t kMaxGraphVisits = int64_t{1} << 20;

struct WalkState {
  const Parsed& p;
  const ReadLimits& limits;
  std::vector<int32_t> path;  // node ids from the root: finds cycles
  int64_t visits = 0;
  int64_t placed_voxels = 0;
  std::vector<Instance>* out;
};

Status Walk(WalkState& st, int32_t id, Vec3i t, Rot r, std::string name,
            bool hidden, int32_t group) {
  const Parsed& p = st.p;
  auto it = p.nodes.find(id);
  if (it == p.nodes.end()) return Status::Ok();
  if (std::find(st.path.begin(), st.path.end(), id) != st.path.end()) {
    return FormatError(
        kFormat, 8,
        "scene graph cycle: node " + std::to_string(id) + " contains itself");
  }
  if (static_cast<int>(st.path.size()) >= kMaxGraphDepth) {
    return LimitError(kFormat, 8, "scene graph nested too deep",
                      kMaxGraphDepth);
  }
  if (++st.visits > kMaxGraphVisits) {
    return LimitError(kFormat, 8, "too many scene graph nodes visited",
                      kMaxGraphVisits);
  }
  st.path.push_back(id);
  const Node& n = it->second;
  if (n.kind == 'T') {
    const Vec3i d = r.Apply(n.t);
    t = {t.x + d.x, t.y + d.y, t.z + d.z};
    r = r.Then(n.r);
    auto nm = n.attrs.find("_name");
    if (nm != n.attrs.end()) name = nm->second;
    auto hd = n.attrs.find("_hidden");
    hidden = hidden || (hd != n.attrs.end() && hd->second == "1");
    auto vl = p.vox_layers.find(n.layer_id);
    if (vl != p.vox_layers.end()) {
      auto lh = vl->second.find("_hidden");
      hidden = hidden || (lh != vl->second.end() && lh->second == "1");
    }
    GOXEL_RETURN_IF_ERROR(Walk(st, n.children[0], t, r, name, hidden, group));
  } else if (n.kind == 'G') {
    for (int32_t c : n.children) {
      GOXEL_RETURN_IF_ERROR(Walk(st, c, t, r, name, hidden, id));
    }
  } else {
    for (int32_t m : n.children) {
      if (m >= 0 && static_cast<size_t>(m) < p.models.size()) {
        st.placed_voxels += static_cast<int64_t>(p.models[m].xyzi.size() / 4);
        if (st.placed_voxels > st.limits.max_voxels) {
          return LimitError(kFormat, 8, "too many voxels placed by instances",
                            st.limits.max_voxels);
        }
      }
      st.out->push_back({m, t, r, name, hidden, group});
    }
  }
  st.path.pop_back();
  return Status::Ok();
}

Status PlaceModel(const Parsed& p, const Instance& in, int64_t max_blocks,
                  Volume* v) {
  const Model& m = p.models[in.model];
  const Vec3i half{m.size.x / 2, m.size.y / 2, m.size.z / 2};
  for (size_t i = 0; i + 3 < m.xyzi.size(); i += 4) {
    const uint8_t* q = m.xyzi.data() + i;
    if (q[3] == 0) continue;  // index 0 is "no colour".
    const Vec3i d = in.r.Apply({q[0] - half.x, q[1] - half.y, q[2] - half.z});
    Rgba c = p.palette[q[3]];
    c.a = 255;
    v->Set({in.t.x + d.x, in.t.y + d.y, in.t.z + d.z}, c);
    if ((i & 0xffff) == 0 && static_cast<int64_t>(v->BlockCount()) > max_blocks)
      return LimitError(kFormat, m.offset, "too many blocks", max_blocks);
  }
  return Status::Ok();
}

}  // namespace

Result<Scene> ReadVox(std::span<const uint8_t> bytes,
                      const ReadLimits& limits) {
  if (static_cast<int64_t>(bytes.size()) > limits.max_bytes) {
    return LimitError(kFormat, 0, "file too large", limits.max_bytes);
  }
  if (bytes.size() < 8 || std::memcmp(bytes.data(), "VOX ", 4) != 0) {
    return FormatError(kFormat, 0, "missing VOX magic");
  }
  Parsed p;
  for (int i = 0; i < 256; ++i) p.palette[i] = FromAbgr(kDefaultPalette[i]);
  GOXEL_RETURN_IF_ERROR(ReadChunks(bytes, &p, limits));
  std::vector<Instance> instances;
  if (p.nodes.count(0)) {
    WalkState st{p, limits, {}, 0, 0, &instances};
    GOXEL_RETURN_IF_ERROR(Walk(st, 0, {}, Rot{}, "", false, -1));
  } else {
    for (size_t i = 0; i < p.models.size(); ++i) {
      const Vec3i s = p.models[i].size;
      instances.push_back({static_cast<int32_t>(i),
                           {s.x / 2, s.y / 2, s.z / 2},
                           Rot{},
                           "",
                           false,
                           -1});
    }
  }
  Scene scene;
  int64_t blocks = 0;
  for (size_t i = 0; i < instances.size(); ++i) {
    const Instance& in = instances[i];
    if (in.model < 0 || static_cast<size_t>(in.model) >= p.models.size()) {
      return FormatError(kFormat, 8, "shape refers to a missing model");
    }
    const bool merge = i > 0 && !in.name.empty() &&
                       instances[i - 1].name == in.name &&
                       instances[i - 1].group == in.group;
    if (!merge) {
      if (static_cast<int64_t>(scene.layers.size()) >= limits.max_layers) {
        return LimitError(kFormat, 8, "too many layers", limits.max_layers);
      }
      Layer l;
      l.id = static_cast<int32_t>(scene.layers.size()) + 1;
      l.name = in.name.empty() ? "model " + std::to_string(in.model) : in.name;
      l.visible = !in.hidden;
      scene.layers.push_back(std::move(l));
    }
    Volume& v = scene.layers.back().volume;
    const int64_t before = static_cast<int64_t>(v.BlockCount());
    GOXEL_RETURN_IF_ERROR(PlaceModel(p, in, limits.max_blocks - blocks, &v));
    blocks += static_cast<int64_t>(v.BlockCount()) - before;
    if (blocks > limits.max_blocks) {
      return LimitError(kFormat, 8, "too many blocks", limits.max_blocks);
    }
  }
  return scene;
}

namespace {

struct OutModel {
  Vec3i min, size;
  std::vector<uint8_t> xyzi;
  const Layer* layer;
};

// Splits a layer into models of at most 256 voxels per axis.
void SplitLayer(const Layer& layer, const Quantized& q,
                std::vector<OutModel>* out) {
  std::optional<Box> bounds = layer.volume.Bounds();
  if (!bounds) return;
  struct Part {
    Box box{{INT32_MAX, INT32_MAX, INT32_MAX},
            {INT32_MIN, INT32_MIN, INT32_MIN}};
    std::vector<std::pair<Vec3i, uint8_t>> voxels;
  };
  std::map<std::tuple<int, int, int>, Part> parts;
  const Vec3i o = bounds->min;
  layer.volume.ForEachVoxel([&](Vec3i p, Rgba c) {
    Part& part =
        parts[{(p.x - o.x) / kMaxModelSide, (p.y - o.y) / kMaxModelSide,
               (p.z - o.z) / kMaxModelSide}];
    part.box.min = {std::min(part.box.min.x, p.x),
                    std::min(part.box.min.y, p.y),
                    std::min(part.box.min.z, p.z)};
    part.box.max = {std::max(part.box.max.x, p.x),
                    std::max(part.box.max.y, p.y),
                    std::max(part.box.max.z, p.z)};
    part.voxels.push_back(
        {p, static_cast<uint8_t>(q.index_of.at(PackRgb(c)) + 1)});
  });
  for (auto& [key, part] : parts) {
    OutModel m;
    m.layer = &layer;
    m.min = part.box.min;
    m.size = {part.box.max.x - m.min.x + 1, part.box.max.y - m.min.y + 1,
              part.box.max.z - m.min.z + 1};
    m.xyzi.reserve(part.voxels.size() * 4);
    for (const auto& [p, index] : part.voxels) {
      m.xyzi.push_back(static_cast<uint8_t>(p.x - m.min.x));
      m.xyzi.push_back(static_cast<uint8_t>(p.y - m.min.y));
      m.xyzi.push_back(static_cast<uint8_t>(p.z - m.min.z));
      m.xyzi.push_back(index);
    }
    out->push_back(std::move(m));
  }
}

class VoxWriter {
 public:
  explicit VoxWriter(std::vector<uint8_t>* out) : out_(out), w_(out) {}
  // Starts a chunk with no children; End() patches its content size.
  void Begin(const char* tag) {
    w_.Tag(tag);
    start_ = w_.size();
    w_.I32(0);
    w_.I32(0);
  }
  void End() {
    w_.PatchI32(start_, static_cast<int32_t>(w_.size() - start_ - 8));
  }
  void String(std::string_view s) {
    w_.I32(static_cast<int32_t>(s.size()));
    w_.Str(s);
  }
  void WriteDict(const std::vector<std::pair<std::string, std::string>>& d) {
    w_.I32(static_cast<int32_t>(d.size()));
    for (const auto& [k, v] : d) String(k), String(v);
  }
  ByteWriter& w() { return w_; }
  std::vector<uint8_t>* out() { return out_; }

 private:
  std::vector<uint8_t>* out_;
  ByteWriter w_;
  size_t start_ = 0;
};

void WriteGraph(VoxWriter& vw, const std::vector<OutModel>& models) {
  ByteWriter& w = vw.w();
  const int32_t n = static_cast<int32_t>(models.size());
  vw.Begin("nTRN");  // root transform 0 -> group 1.
  w.I32(0), vw.WriteDict({}), w.I32(1), w.I32(-1), w.I32(-1), w.I32(1);
  vw.WriteDict({});
  vw.End();
  vw.Begin("nGRP");
  w.I32(1), vw.WriteDict({}), w.I32(n);
  for (int32_t k = 0; k < n; ++k) w.I32(2 + 2 * k);
  vw.End();
  for (int32_t k = 0; k < n; ++k) {
    const OutModel& m = models[k];
    std::vector<std::pair<std::string, std::string>> attrs = {
        {"_name", m.layer->name}};
    if (!m.layer->visible) attrs.push_back({"_hidden", "1"});
    const Vec3i t{m.min.x + m.size.x / 2, m.min.y + m.size.y / 2,
                  m.min.z + m.size.z / 2};
    vw.Begin("nTRN");
    w.I32(2 + 2 * k), vw.WriteDict(attrs), w.I32(3 + 2 * k), w.I32(-1);
    w.I32(0), w.I32(1);
    vw.WriteDict({{"_t", std::to_string(t.x) + " " + std::to_string(t.y) + " " +
                             std::to_string(t.z)}});
    vw.End();
    vw.Begin("nSHP");
    w.I32(3 + 2 * k), vw.WriteDict({}), w.I32(1), w.I32(k), vw.WriteDict({});
    vw.End();
  }
  vw.Begin("LAYR");
  w.I32(0), vw.WriteDict({}), w.I32(-1);
  vw.End();
}

}  // namespace

Result<std::vector<uint8_t>> WriteVox(const Scene& scene,
                                      const WriteOptions& /*options*/) {
  std::unordered_map<uint32_t, int64_t> histogram;
  for (const Layer& l : scene.layers) {
    for (const ColorTally& t : *l.volume.Colors())
      histogram[PackRgb(t.color)] += t.count;
  }
  const Quantized q = QuantizeColors(histogram, 255);
  // Model translations are read back clamped to +-2^24: refuse voxels a
  // model centred within that range cannot reach.
  constexpr int32_t kReach = (1 << 24) - kMaxModelSide;
  for (const Layer& l : scene.layers) {
    const std::optional<Box> b = l.volume.Bounds();
    if (b && (b->min.x < -kReach || b->min.y < -kReach || b->min.z < -kReach ||
              b->max.x > kReach || b->max.y > kReach || b->max.z > kReach))
      return CannotHold(kFormat,
                        "layer \"" + l.name +
                            "\" has voxels beyond the coordinates a model "
                            "can be placed at",
                        kReach);
  }
  std::vector<OutModel> models;
  for (const Layer& l : scene.layers) SplitLayer(l, q, &models);
  // One model per occupied 256^3 cell: the reader takes ReadLimits'
  // max_layers models.
  const int64_t max_models = ReadLimits{}.max_layers;
  if (static_cast<int64_t>(models.size()) > max_models)
    return CannotHold(kFormat,
                      std::to_string(models.size()) +
                          " models of at most 256^3 voxels needed",
                      max_models);

  std::vector<uint8_t> out;
  VoxWriter vw(&out);
  ByteWriter& w = vw.w();
  w.Str("VOX ");
  w.I32(150);
  w.Tag("MAIN");
  w.I32(0);
  const size_t children_at = w.size();
  w.I32(0);
  for (const OutModel& m : models) {
    vw.Begin("SIZE");
    w.I32(m.size.x), w.I32(m.size.y), w.I32(m.size.z);
    vw.End();
    vw.Begin("XYZI");
    w.I32(static_cast<int32_t>(m.xyzi.size() / 4));
    w.Bytes(m.xyzi);
    vw.End();
  }
  WriteGraph(vw, models);
  vw.Begin("RGBA");
  for (int i = 0; i < 256; ++i) {
    Rgba c = i < static_cast<int>(q.palette.size()) ? q.palette[i]
                                                    : Rgba{0, 0, 0, 255};
    w.U8(c.r), w.U8(c.g), w.U8(c.b), w.U8(c.a);
  }
  vw.End();
  w.PatchI32(children_at, static_cast<int32_t>(w.size() - children_at - 4));
  return out;
}

}  // namespace goxel::voxel::formats
