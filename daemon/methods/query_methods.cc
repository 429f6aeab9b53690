// Query methods. Point reads (get_voxel, get_voxels) run under the
// project's reader lock. Region reads and statistics copy the volumes they
// need under the reader lock (O(layers), copy-on-write) and scan the copy
// after releasing it, so long reads never hold up edits; the copy is a
// consistent state (no torn reads). Listings are streamed (ListStream): the
// scan keeps the page compact, the reply's text is written in parts as the
// client reads it.
#include <algorithm>
#include <unordered_map>

#include "methods/args.h"
#include "methods/goxel_methods.h"
#include "methods/read_budget.h"
#include "voxel/tools.h"

namespace goxel::methods {

namespace {

using rpc::kPooled;
using rpc::kReadOnly;

constexpr uint32_t kRead = kPooled | kReadOnly;
constexpr int64_t kMaxPage = 1000000;
// The most voxels one reply lists (1 MiB as a compact page): a page
// that would hold more is -32006 and clients page with offset/limit. This
// bounds the memory of each read in flight, whatever the project holds; a
// large `limit` on a smaller result is fine.
constexpr int64_t kMaxReplyVoxels = 65536;
// A page is kept compact (16 bytes a voxel) and reserved in the read budget
// in steps of this many items as the scan collects it.
constexpr size_t kPageStep = 4096;

using ListWriter = rapidjson::Writer<rpc::StringSink>;

// A result {head..., "<list>": [items...], tail...} streamed (rpc/
// result_stream.h): `head` and `tail` are small DOM objects, the items a
// compact page written by WriteItem. The page is complete when the stream
// is made (the scan ran in the handler), so each Next is bounded work. It
// holds its read budget reservation (the page's capacity and the parts of
// text in flight, 2 * kStreamChunkBytes) until it is done or dropped.
template <typename Item, void (*WriteItem)(const Item&, ListWriter&)>
class ListStream final : public rpc::ResultStream {
 public:
  ListStream(const char* list_key, const char* what)
      : list_key_(list_key), what_(what) {}

  // Reserves the parts of text in flight.
  Status Start() {
    return reserved_.Reserve(2 * rpc::kStreamChunkBytes, what_);
  }
  // Adds an item, growing the page (and its reservation) by a step when it
  // is full: -32006 past the read budget.
  Status Add(const Item& item) {
    if (items_.size() == items_.capacity()) {
      GOXEL_RETURN_IF_ERROR(reserved_.Grow(kPageStep * sizeof(Item), what_));
      items_.reserve(items_.size() + kPageStep);
    }
    items_.push_back(item);
    return Status::Ok();
  }
  size_t size() const { return items_.size(); }
  JsonAllocator& alloc() { return alloc_; }
  JsonValue& head() { return head_; }
  JsonValue& tail() { return tail_; }

  bool Next(std::string* out, size_t max_bytes) override {
    sink_.Target(out);
    const size_t start = out->size();
    if (!started_) {
      writer_.StartObject();
      WriteMembers(head_);
      writer_.Key(list_key_);
      writer_.StartArray();
      started_ = true;
    }
    while (next_ < items_.size() && out->size() - start < max_bytes)
      WriteItem(items_[next_++], writer_);
    if (next_ < items_.size()) return false;
    writer_.EndArray();
    WriteMembers(tail_);
    writer_.EndObject();
    std::vector<Item>().swap(items_);
    reserved_.Release();
    return true;
  }

 private:
  void WriteMembers(const JsonValue& o) {
    for (const auto& m : o.GetObject()) {
      writer_.Key(m.name.GetString(), m.name.GetStringLength());
      m.value.Accept(writer_);
    }
  }

  const char* const list_key_;
  const char* const what_;
  // The head's and tail's few members: small chunks, not a Document's
  // default 64 KiB, which the reservation would not count.
  JsonAllocator alloc_{1024};
  JsonValue head_{rapidjson::kObjectType};
  JsonValue tail_{rapidjson::kObjectType};
  std::vector<Item> items_;
  ReadReservation reserved_;
  rpc::StringSink sink_;
  ListWriter writer_{sink_};
  size_t next_ = 0;
  bool started_ = false;
};

struct ListedVoxel {
  Vec3i p;
  Rgba c;
};

void WritePosition(const Vec3i& p, ListWriter& w) {
  w.Key("x");
  w.Int(p.x);
  w.Key("y");
  w.Int(p.y);
  w.Key("z");
  w.Int(p.z);
}

// As VoxelJson(p, c, false): {x, y, z, color: [r, g, b, a]}.
void WriteListedVoxel(const ListedVoxel& v, ListWriter& w) {
  w.StartObject();
  WritePosition(v.p, w);
  w.Key("color");
  w.StartArray();
  w.Uint(v.c.r);
  w.Uint(v.c.g);
  w.Uint(v.c.b);
  w.Uint(v.c.a);
  w.EndArray();
  w.EndObject();
}

// {x, y, z}.
void WriteLocation(const Vec3i& p, ListWriter& w) {
  w.StartObject();
  WritePosition(p, w);
  w.EndObject();
}

using VoxelListStream = ListStream<ListedVoxel, WriteListedVoxel>;
using LocationStream = ListStream<Vec3i, WriteLocation>;

// -32006 for a page of `page` voxels (asked for with `param`) above
// kMaxReplyVoxels.
Status PageTooLarge(const char* param, int64_t page) {
  return Status::ResourceExhausted(std::string("reply too large: this ") +
                                   param + " gives " + std::to_string(page) +
                                   " voxels, above the reply bound of " +
                                   std::to_string(kMaxReplyVoxels) +
                                   "; read in pages with offset and limit")
      .With("param", param)
      .With("limit", kMaxReplyVoxels)
      .With("requested", page);
}

JsonValue VoxelJson(Vec3i p, Rgba c, bool with_exists, JsonAllocator& a) {
  JsonValue o(rapidjson::kObjectType);
  Put(o, "x", p.x, a);
  Put(o, "y", p.y, a);
  Put(o, "z", p.z, a);
  if (with_exists) Put(o, "exists", !c.empty(), a);
  o.AddMember("color", ColorArray(c, a), a);
  return o;
}

Status GetVoxel(Workspace& ws, Call& call) {
  const Params& p = call.params();
  auto pos = ReadPosition(p);
  if (!pos.ok()) return pos.status();
  auto ref = ResolveProject(ws, p);
  if (!ref.ok()) return ref.status();
  OpenProject& op = **ref;
  Rgba c;
  {
    CallReaderLock lock(&op.mu, ws.Wait(call.caller().on_loop));
    if (!lock.held()) return lock.Busy(op.id);
    auto layer = ResolveLayer(p, op.project, "layer", true);
    if (!layer.ok()) return layer.status();
    c = *layer == kAllLayers ? ComposedGet(op.project, *pos)
                             : op.project.FindLayer(*layer)->volume.Get(*pos);
  }
  call.result() = VoxelJson(*pos, c, true, call.alloc());
  return Status::Ok();
}

Status GetVoxels(Workspace& ws, Call& call) {
  const Params& p = call.params();
  const JsonValue* list = p.Get("voxels");
  if (list == nullptr) return Params::Missing("voxels", "an array of [x,y,z]");
  if (!list->IsArray()) return Params::Wrong("voxels", "an array", *list);
  GOXEL_RETURN_IF_ERROR(CheckVoxelCap(
      list->Size(), ws.options().max_voxels_per_call, "get_voxels"));
  std::vector<Vec3i> pos(list->Size());
  for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
    auto v = Vec3FromJson((*list)[i], "voxels[" + std::to_string(i) + "]");
    if (!v.ok()) return v.status();
    pos[i] = *v;
  }
  auto ref = ResolveProject(ws, p);
  if (!ref.ok()) return ref.status();
  OpenProject& op = **ref;
  std::vector<Rgba> colors(pos.size());
  {
    CallReaderLock lock(&op.mu, ws.Wait());
    if (!lock.held()) return lock.Busy(op.id);
    auto layer = ResolveLayer(p, op.project, "layer", true);
    if (!layer.ok()) return layer.status();
    for (size_t i = 0; i < pos.size(); ++i) {
      colors[i] = *layer == kAllLayers
                      ? ComposedGet(op.project, pos[i])
                      : op.project.FindLayer(*layer)->volume.Get(pos[i]);
    }
  }
  auto& a = call.alloc();
  JsonValue out(rapidjson::kArrayType);
  out.Reserve(static_cast<rapidjson::SizeType>(pos.size()), a);
  int64_t found = 0;
  for (size_t i = 0; i < pos.size(); ++i) {
    found += !colors[i].empty();
    out.PushBack(VoxelJson(pos[i], colors[i], true, a), a);
  }
  JsonValue& r = call.result();
  r.SetObject();
  Put(r, "count", static_cast<uint64_t>(pos.size()), a);
  Put(r, "found", found, a);
  r.AddMember("voxels", out, a);
  return Status::Ok();
}

// What a region query reads: a composed snapshot and the box to scan
// (nullopt: the snapshot's bounds).
struct Snapshot {
  voxel::Volume volume;
  std::optional<Box> box;
};

enum class BoxSource {
  kRegion,             // optional `region` param
  kMinMaxOrSelection,  // min/max, region, or the selection (required)
};

Result<Snapshot> TakeSnapshot(Workspace& ws, const Params& p, bool default_all,
                              BoxSource source) {
  auto ref = ResolveProject(ws, p);
  if (!ref.ok()) return ref.status();
  OpenProject& op = **ref;
  Snapshot snap;
  std::vector<voxel::Volume> volumes;
  {
    CallReaderLock lock(&op.mu, ws.Wait());
    if (!lock.held()) return lock.Busy(op.id);
    const voxel::Project& pr = op.View();
    auto layer =
        default_all ? ResolveLayer(p, pr, "layer", true) : ResolveLayer(p, pr);
    if (!layer.ok()) return layer.status();
    const JsonValue* region = p.Get("region");
    const JsonValue* min = p.Get("min");
    const JsonValue* max = p.Get("max");
    if (region) {
      auto b = BoxFromJson(*region, "region", &pr);
      if (!b.ok()) return b.status();
      snap.box = *b;
    } else if (source == BoxSource::kMinMaxOrSelection) {
      if (min || max || !pr.selection()) {
        if (!min) return Params::Missing("min", "[x, y, z] (or a selection)");
        if (!max) return Params::Missing("max", "[x, y, z]");
        auto b = BoxFromCorners(*min, *max, "min", "max");
        if (!b.ok()) return b.status();
        snap.box = *b;
      } else {
        snap.box = *pr.selection();
      }
    }
    volumes = SnapshotVolumes(pr, *layer);
  }
  snap.volume = Compose(std::move(volumes));  // outside the lock.
  return snap;
}

// Calls f(p, c) for every voxel of the snapshot in its box, in a fixed order.
template <typename F>
void Scan(const Snapshot& s, F&& f) {
  std::optional<Box> box = s.box ? s.box : s.volume.Bounds();
  if (!box) return;
  voxel::ForEachVoxelInBox(s.volume, *box, std::forward<F>(f));
}

Status ListVoxels(Workspace& ws, Call& call, bool region_query) {
  const Params& p = call.params();
  auto offset = p.IntInRange("offset", 0, INT64_MAX, 0);
  if (!offset.ok()) return offset.status();
  auto limit = p.IntInRange("limit", 0, kMaxPage, 10000);
  if (!limit.ok()) return limit.status();
  std::optional<Rgba> filter;
  if (const JsonValue* f = p.Get("color_filter")) {
    auto c = ColorFromJson(*f, "color_filter");
    if (!c.ok()) return c.status();
    filter = *c;
  }
  // The page is collected compact and streamed (ListStream); the read
  // budget holds what it really keeps, grown as the scan collects it.
  const char* what = region_query ? "get_voxels_region" : "get_layer_voxels";
  auto stream = std::make_unique<VoxelListStream>("voxels", what);
  GOXEL_RETURN_IF_ERROR(stream->Start());
  auto snap = TakeSnapshot(
      ws, p, region_query,
      region_query ? BoxSource::kMinMaxOrSelection : BoxSource::kRegion);
  if (!snap.ok()) return snap.status();
  Status over_budget;
  int64_t total = 0;
  Box bbox{{INT32_MAX, INT32_MAX, INT32_MAX},
           {INT32_MIN, INT32_MIN, INT32_MIN}};
  Scan(*snap, [&](Vec3i q, Rgba c) {
    if (filter && !(c == *filter)) return true;
    if (total >= *offset && total - *offset < *limit &&
        static_cast<int64_t>(stream->size()) < kMaxReplyVoxels &&
        over_budget.ok()) {
      over_budget = stream->Add({q, c});  // past it: count on, list no more
    }
    ++total;
    bbox.min = {std::min(bbox.min.x, q.x), std::min(bbox.min.y, q.y),
                std::min(bbox.min.z, q.z)};
    bbox.max = {std::max(bbox.max.x, q.x), std::max(bbox.max.y, q.y),
                std::max(bbox.max.z, q.z)};
    return true;
  });
  const int64_t page = std::min(*limit, std::max<int64_t>(0, total - *offset));
  if (page > kMaxReplyVoxels) return PageTooLarge("limit", page);
  GOXEL_RETURN_IF_ERROR(over_budget);
  auto& a = stream->alloc();
  JsonValue& r = stream->head();
  const int64_t count = static_cast<int64_t>(stream->size());
  Put(r, "count", count, a);
  Put(r, "total", total, a);
  Put(r, "offset", *offset, a);
  Put(r, "truncated", *offset + count < total, a);
  if (total > 0) stream->tail().AddMember("bbox", BoxJson(bbox, a), a);
  call.SetStream(std::move(stream));
  return Status::Ok();
}

Status GetBoundingBox(Workspace& ws, Call& call) {
  const Params& p = call.params();
  auto exact = p.Bool("exact", true);  // bounds are always exact.
  if (!exact.ok()) return exact.status();
  auto ref = ResolveProject(ws, p);
  if (!ref.ok()) return ref.status();
  OpenProject& op = **ref;
  std::optional<Box> box;
  {
    CallReaderLock lock(&op.mu, ws.Wait());
    if (!lock.held()) return lock.Busy(op.id);
    auto layer = ResolveLayer(p, op.project, "layer", true);
    if (!layer.ok()) return layer.status();
    box = *layer == kAllLayers ? op.project.Bounds()
                               : op.project.FindLayer(*layer)->volume.Bounds();
  }
  auto& a = call.alloc();
  JsonValue& r = call.result();
  r.SetObject();
  Put(r, "empty", !box.has_value(), a);
  if (box) {
    r.AddMember("min", Vec3Array(box->min, a), a);
    r.AddMember("max", Vec3Array(box->max, a), a);
    JsonValue dims(rapidjson::kArrayType);
    dims.PushBack(int64_t{box->max.x} - box->min.x + 1, a)
        .PushBack(int64_t{box->max.y} - box->min.y + 1, a)
        .PushBack(int64_t{box->max.z} - box->min.z + 1, a);
    r.AddMember("dimensions", dims, a);
  }
  return Status::Ok();
}

uint32_t Key(Rgba c) {
  return uint32_t{c.r} << 24 | uint32_t{c.g} << 16 | uint32_t{c.b} << 8 | c.a;
}
Rgba FromKey(uint32_t k) {
  return Rgba{uint8_t(k >> 24), uint8_t(k >> 16), uint8_t(k >> 8), uint8_t(k)};
}

struct ColorCount {
  Rgba color;
  int64_t count;
};

// Counts of each colour (r, g, b quantized down to multiples of `bin`).
std::vector<ColorCount> CountColors(const Snapshot& s, int bin,
                                    int64_t* total) {
  std::unordered_map<uint32_t, int64_t> counts;
  *total = 0;
  auto add = [&](Rgba c, int64_t n) {
    if (bin > 1) {
      c.r = uint8_t(c.r / bin * bin);
      c.g = uint8_t(c.g / bin * bin);
      c.b = uint8_t(c.b / bin * bin);
    }
    counts[Key(c)] += n;
    *total += n;
  };
  if (!s.box) {
    // The whole volume: its kept histogram, O(colours) once counted.
    for (const voxel::ColorTally& t : *s.volume.Colors()) add(t.color, t.count);
  } else {
    Scan(s, [&](Vec3i, Rgba c) {
      add(c, 1);
      return true;
    });
  }
  std::vector<ColorCount> out;
  out.reserve(counts.size());
  for (auto [k, n] : counts) out.push_back({FromKey(k), n});
  std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) {
    return Key(x.color) < Key(y.color);
  });
  return out;
}

void SortByCount(std::vector<ColorCount>* v) {
  std::stable_sort(v->begin(), v->end(), [](const auto& x, const auto& y) {
    return x.count > y.count;
  });
}

Status ColorHistogram(Workspace& ws, Call& call) {
  const Params& p = call.params();
  auto bin = p.IntInRange("bin_size", 1, 256, 1);
  if (!bin.ok()) return bin.status();
  auto by_count = p.Bool("sort_by_count", true);
  if (!by_count.ok()) return by_count.status();
  auto top = p.IntInRange("top_n", 0, INT32_MAX, 0);
  if (!top.ok()) return top.status();
  auto snap = TakeSnapshot(ws, p, true, BoxSource::kRegion);
  if (!snap.ok()) return snap.status();
  int64_t total = 0;
  auto colors = CountColors(*snap, static_cast<int>(*bin), &total);
  if (*by_count) SortByCount(&colors);
  auto& a = call.alloc();
  JsonValue hist(rapidjson::kArrayType);
  for (size_t i = 0; i < colors.size(); ++i) {
    if (*top > 0 && static_cast<int64_t>(i) >= *top) break;
    JsonValue e(rapidjson::kObjectType);
    e.AddMember("color", ColorArray(colors[i].color, a), a);
    PutString(e, "hex", HexColor(colors[i].color, false), a);
    Put(e, "count", colors[i].count, a);
    Put(e, "percentage", 100.0 * colors[i].count / total, a);
    hist.PushBack(e, a);
  }
  JsonValue& r = call.result();
  r.SetObject();
  Put(r, "total_voxels", total, a);
  Put(r, "unique_colors", static_cast<uint64_t>(colors.size()), a);
  r.AddMember("histogram", hist, a);
  return Status::Ok();
}

bool Near(Rgba x, Rgba y, int tol) {
  return std::abs(x.r - y.r) <= tol && std::abs(x.g - y.g) <= tol &&
         std::abs(x.b - y.b) <= tol && std::abs(x.a - y.a) <= tol;
}

Status FindByColor(Workspace& ws, Call& call) {
  const Params& p = call.params();
  const JsonValue* cv = p.Get("color");
  Result<Rgba> target = cv ? ColorFromJson(*cv, "color") : ReadColor(p);
  if (!target.ok()) return target.status();
  auto tol = p.IntInRange("tolerance", 0, 255, 0);
  if (!tol.ok()) return tol.status();
  auto max_results = p.IntInRange("max_results", 0, kMaxPage, 1000);
  if (!max_results.ok()) return max_results.status();
  auto with_loc = p.Bool("include_locations", true);
  if (!with_loc.ok()) return with_loc.status();
  if (!*with_loc) {
    auto snap = TakeSnapshot(ws, p, true, BoxSource::kRegion);
    if (!snap.ok()) return snap.status();
    int64_t matches = 0;
    Scan(*snap, [&](Vec3i, Rgba c) {
      matches += Near(c, *target, static_cast<int>(*tol));
      return true;
    });
    auto& a = call.alloc();
    JsonValue& r = call.result();
    r.SetObject();
    Put(r, "match_count", matches, a);
    r.AddMember("color", ColorArray(*target, a), a);
    return Status::Ok();
  }
  // The locations are collected compact and streamed, as ListVoxels.
  auto stream =
      std::make_unique<LocationStream>("locations", "find_voxels_by_color");
  GOXEL_RETURN_IF_ERROR(stream->Start());
  auto snap = TakeSnapshot(ws, p, true, BoxSource::kRegion);
  if (!snap.ok()) return snap.status();
  Status over_budget;
  int64_t matches = 0;
  Scan(*snap, [&](Vec3i q, Rgba c) {
    if (!Near(c, *target, static_cast<int>(*tol))) return true;
    if (matches < *max_results && matches < kMaxReplyVoxels &&
        over_budget.ok()) {
      over_budget = stream->Add(q);
    }
    ++matches;
    return true;
  });
  if (std::min(*max_results, matches) > kMaxReplyVoxels)
    return PageTooLarge("max_results", std::min(*max_results, matches));
  GOXEL_RETURN_IF_ERROR(over_budget);
  auto& a = stream->alloc();
  JsonValue& r = stream->head();
  Put(r, "match_count", matches, a);
  r.AddMember("color", ColorArray(*target, a), a);
  Put(r, "truncated", matches > static_cast<int64_t>(stream->size()), a);
  call.SetStream(std::move(stream));
  return Status::Ok();
}

Status UniqueColors(Workspace& ws, Call& call) {
  const Params& p = call.params();
  auto merge = p.Bool("merge_similar", false);
  if (!merge.ok()) return merge.status();
  auto threshold = p.IntInRange("merge_threshold", 0, 255, 10);
  if (!threshold.ok()) return threshold.status();
  auto by_count = p.Bool("sort_by_count", true);
  if (!by_count.ok()) return by_count.status();
  auto snap = TakeSnapshot(ws, p, true, BoxSource::kRegion);
  if (!snap.ok()) return snap.status();
  int64_t total = 0;
  auto colors = CountColors(*snap, 1, &total);
  if (*merge) {
    // Greedy: most common colours first; each joins the first kept colour
    // within merge_threshold on every channel.
    SortByCount(&colors);
    std::vector<ColorCount> kept;
    for (const auto& c : colors) {
      auto it = std::find_if(kept.begin(), kept.end(), [&](const auto& k) {
        return Near(k.color, c.color, static_cast<int>(*threshold));
      });
      if (it == kept.end()) {
        kept.push_back(c);
      } else {
        it->count += c.count;
      }
    }
    colors = std::move(kept);
  }
  if (*by_count) SortByCount(&colors);
  auto& a = call.alloc();
  JsonValue list(rapidjson::kArrayType);
  for (const auto& c : colors) {
    JsonValue e(rapidjson::kObjectType);
    e.AddMember("color", ColorArray(c.color, a), a);
    PutString(e, "hex", HexColor(c.color, false), a);
    Put(e, "count", c.count, a);
    list.PushBack(e, a);
  }
  JsonValue& r = call.result();
  r.SetObject();
  Put(r, "count", list.Size(), a);
  Put(r, "total_voxels", total, a);
  r.AddMember("colors", list, a);
  return Status::Ok();
}

ParamSpec RegionParam() {
  return {"region", "region", false, "{min, max} or \"selection\""};
}
ParamSpec AllLayersParam() {
  return LayerIdParam("a layer; -1 or absent: all layers composed");
}

}  // namespace

Status RegisterQueryMethods(rpc::MethodTable* t, Workspace* ws) {
  Workspace& w = *ws;
  GOXEL_RETURN_IF_ERROR(t->Add(
      {"goxel.get_voxel",
       "The voxel at x,y,z seen through all layers (or in layer_id).",
       {{"x", "number", true, "x (or position)"},
        {"y", "number", true, "y"},
        {"z", "number", true, "z"},
        AllLayersParam(),
        ProjectIdParam(),
        {"position", "position", false, "[x, y, z]"}},
       "{x, y, z, exists, color: [r,g,b,a]} (empty: exists false, 0,0,0,0)",
       kRead | rpc::kInline,
       [&w](Call& c) { return GetVoxel(w, c); }}));
  GOXEL_RETURN_IF_ERROR(
      t->Add({"goxel.get_voxels",
              "Batch get_voxel.",
              {{"voxels", "array", true, "[[x,y,z] | {x,y,z}]"},
               AllLayersParam(),
               ProjectIdParam()},
              "{count, found, voxels: [{x, y, z, exists, color}]}",
              kRead,
              [&w](Call& c) { return GetVoxels(w, c); }}));
  const char* list_result =
      "{voxels: [{x, y, z, color: [r,g,b,a]}], count (returned), total "
      "(matching), offset, truncated, bbox?: {min, max} of the matches}";
  GOXEL_RETURN_IF_ERROR(t->Add(
      {"goxel.get_voxels_region",
       "Voxels inside a box (min/max, region or the selection), paged in a "
       "fixed order.",
       {{"min", "position", false, "[x, y, z]"},
        {"max", "position", false, "[x, y, z]"},
        AllLayersParam(),
        {"color_filter", "color", false, "only this exact colour"},
        {"offset", "integer", false, "skip this many (default 0)"},
        {"limit", "integer", false,
         "at most this many, 0..1000000 (10000); a page of more than 65536 is "
         "-32006"},
        ProjectIdParam(),
        RegionParam()},
       list_result,
       kRead,
       [&w](Call& c) { return ListVoxels(w, c, true); }}));
  GOXEL_RETURN_IF_ERROR(t->Add(
      {"goxel.get_layer_voxels",
       "Every voxel of one layer (default active), paged in a fixed order.",
       {LayerIdParam("the layer (default active)"),
        {"color_filter", "color", false, "only this exact colour"},
        {"offset", "integer", false, "skip this many (default 0)"},
        {"limit", "integer", false,
         "at most this many, 0..1000000 (10000); a page of more than 65536 is "
         "-32006"},
        ProjectIdParam(),
        RegionParam()},
       list_result,
       kRead,
       [&w](Call& c) { return ListVoxels(w, c, false); }}));
  GOXEL_RETURN_IF_ERROR(
      t->Add({"goxel.get_bounding_box",
              "Tight bounds of the voxels of a layer or of all layers.",
              {AllLayersParam(),
               {"exact", "boolean", false, "accepted; bounds are always exact"},
               ProjectIdParam()},
              "{empty, min?: [x,y,z], max?: [x,y,z], dimensions?: [w,h,d]}",
              kRead,
              [&w](Call& c) { return GetBoundingBox(w, c); }}));
  GOXEL_RETURN_IF_ERROR(t->Add(
      {"goxel.get_color_histogram",
       "Voxel counts per colour (r,g,b quantized down to bin_size).",
       {AllLayersParam(),
        RegionParam(),
        {"bin_size", "integer", false, "1..256 (default 1)"},
        {"sort_by_count", "boolean", false, "most common first (default)"},
        {"top_n", "integer", false, "at most this many bins (0: all)"},
        ProjectIdParam()},
       "{total_voxels, unique_colors, histogram: [{color: [r,g,b,a], "
       "hex: \"#rrggbb\", count, percentage}]}",
       kRead,
       [&w](Call& c) { return ColorHistogram(w, c); }}));
  GOXEL_RETURN_IF_ERROR(t->Add(
      {"goxel.find_voxels_by_color",
       "Voxels whose colour is within tolerance (per channel) of color.",
       {{"color", "color", true, "[r,g,b(,a)] or \"#rrggbb[aa]\""},
        {"tolerance", "integer", false, "0..255 (default 0)"},
        AllLayersParam(),
        RegionParam(),
        {"max_results", "integer", false, "locations listed (default 1000)"},
        {"include_locations", "boolean", false, "default true"},
        ProjectIdParam()},
       "{match_count, color, truncated, locations: [{x, y, z}]}",
       kRead,
       [&w](Call& c) { return FindByColor(w, c); }}));
  GOXEL_RETURN_IF_ERROR(t->Add(
      {"goxel.get_unique_colors",
       "The distinct colours, optionally merging colours within "
       "merge_threshold on every channel (most common colour kept).",
       {AllLayersParam(),
        RegionParam(),
        {"merge_similar", "boolean", false, "default false"},
        {"merge_threshold", "integer", false, "0..255 (default 10)"},
        {"sort_by_count", "boolean", false, "most common first (default)"},
        ProjectIdParam()},
       "{count, total_voxels, colors: [{color: [r,g,b,a], hex, count}]}",
       kRead,
       [&w](Call& c) { return UniqueColors(w, c); }}));
  return Status::Ok();
}

}  // namespace goxel::methods
