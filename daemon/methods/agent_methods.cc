// Agent methods besides the edits: text grids, contact sheets, checkpoints
// and analysis. Reads copy the volumes they need under the project's reader
// lock and work on the copy after releasing it; writes validate everything
// first and change the project in one BeginEdit/EndEdit under the writer
// lock.
#include "methods/agent_methods.h"

#include <algorithm>
#include <map>

#include "base/base64.h"
#include "base/clock.h"
#include "methods/goxel_methods.h"
#include "methods/read_budget.h"
#include "voxel/analysis.h"
#include "voxel/formats/png_codec.h"
#include "voxel/render/contact_sheet.h"
#include "voxel/status_codes.h"
#include "voxel/tools.h"

namespace goxel::methods {

namespace {

using rpc::kMutating;
using rpc::kPooled;
using rpc::kReadOnly;
using voxel::Volume;

constexpr uint32_t kRead = kPooled | kReadOnly;
// Cells one text grid may hold (a 64^3 region): about 256 KB of text.
constexpr int64_t kMaxGridCells = int64_t{1} << 18;
// Characters that stand for colours, in the order they are handed out.
constexpr std::string_view kGridChars =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    "#$%&*+=?@^~!:;<>/|";
constexpr char kEmptyChar = '.';

// A layer param that may also be "all" (every layer, composed).
Result<int32_t> LayerOrAll(const Params& p, const voxel::Project& pr,
                           int32_t fallback) {
  const JsonValue* v = p.Get("layer");
  if (v == nullptr) return fallback;
  if (v->IsString() && std::string_view(v->GetString()) == "all")
    return kAllLayers;
  return LayerFromJson(v, "layer", pr);
}

// The volume a read works on, copied under the reader lock: one layer, or
// every layer composed (upper layers win). Returns the project's version.
Result<uint64_t> SnapshotFor(Workspace& ws, const Params& p, Volume* out,
                             std::string* project_id) {
  auto ref = ResolveProject(ws, p);
  if (!ref.ok()) return ref.status();
  OpenProject& op = **ref;
  std::vector<Volume> volumes;
  uint64_t version = 0;
  {
    CallReaderLock lock(&op.mu, ws.Wait());
    if (!lock.held()) return lock.Busy(op.id);
    auto layer = LayerOrAll(p, op.project, kAllLayers);
    if (!layer.ok()) return layer.status();
    volumes = SnapshotVolumes(op.project, *layer);
    version = op.project.version();
  }
  *out = Compose(std::move(volumes));
  *project_id = op.id;
  return version;
}

// --- Text grids ---

Status ReadGrid(Workspace& ws, Call& call) {
  const Params& p = call.params();
  auto box = ReadMinMax(p);
  if (!box.ok()) return box.status();
  if (box->CellCount() > kMaxGridCells) {
    return CheckVoxelCap(box->CellCount(), kMaxGridCells, "read_grid")
        .With("param", std::string("max"))
        .With("reason",
              std::string("region too large for a text grid: read it in "
                          "parts of at most 262144 cells"));
  }
  // The grid (one char a cell, in rows of strings) twice: the cells and
  // the reply built from them.
  ReadReservation reserved;
  GOXEL_RETURN_IF_ERROR(reserved.Reserve(
      uint64_t(box->CellCount()) * 2 + uint64_t(box->max.z - box->min.z + 1) *
                                           (box->max.y - box->min.y + 1) * 96,
      "read_grid"));
  Volume v;
  std::string project_id;
  auto version = SnapshotFor(ws, p, &v, &project_id);
  if (!version.ok()) return version.status();
  const Box b = *box;
  const int w = b.max.x - b.min.x + 1, h = b.max.y - b.min.y + 1,
            d = b.max.z - b.min.z + 1;
  std::vector<std::string> cells(size_t(d) * h, std::string(w, kEmptyChar));
  std::map<uint32_t, char> chars;
  std::vector<Rgba> legend;
  Status overflow;
  int64_t count = 0;
  voxel::ForEachVoxelInBox(v, b, [&](Vec3i q, Rgba c) {
    const uint32_t key = uint32_t(c.r) << 24 | c.g << 16 | c.b << 8 | c.a;
    auto it = chars.find(key);
    if (it == chars.end()) {
      if (legend.size() == kGridChars.size()) {
        overflow = Status::ResourceExhausted(
                       "the region uses more than " +
                       std::to_string(kGridChars.size()) +
                       " colours, more than a text grid can name: read a "
                       "smaller region or one layer")
                       .With("limit", int64_t(kGridChars.size()));
        return false;
      }
      it = chars.emplace(key, kGridChars[legend.size()]).first;
      legend.push_back(c);
    }
    const int zi = q.z - b.min.z, row = b.max.y - q.y;
    cells[size_t(zi) * h + row][q.x - b.min.x] = it->second;
    ++count;
    return true;
  });
  GOXEL_RETURN_IF_ERROR(overflow);
  auto& a = call.alloc();
  JsonValue& r = call.result();
  r.SetObject();
  r.AddMember("min", Vec3Array(b.min, a), a);
  r.AddMember("max", Vec3Array(b.max, a), a);
  JsonValue leg(rapidjson::kObjectType);
  leg.AddMember(JsonValue(".", a), JsonValue(), a);
  for (size_t i = 0; i < legend.size(); ++i) {
    leg.AddMember(rpc::MakeString(std::string(1, kGridChars[i]), a),
                  rpc::MakeString(HexColor(legend[i], legend[i].a != 255), a),
                  a);
  }
  r.AddMember("legend", leg, a);
  JsonValue slices(rapidjson::kArrayType);
  for (int zi = 0; zi < d; ++zi) {
    JsonValue s(rapidjson::kObjectType);
    Put(s, "z", b.min.z + zi, a);
    JsonValue rows(rapidjson::kArrayType);
    for (int row = 0; row < h; ++row)
      rows.PushBack(rpc::MakeString(cells[size_t(zi) * h + row], a), a);
    s.AddMember("rows", rows, a);
    slices.PushBack(s, a);
  }
  r.AddMember("slices", slices, a);
  PutString(r, "layout",
            "slices[k] is z = min.z + k (bottom first); rows[j] is y = "
            "max.y - j (north at the top, as seen from above); character i "
            "is x = min.x + i; '.' is empty",
            a);
  Put(r, "voxel_count", count, a);
  Put(r, "version", *version, a);
  return Status::Ok();
}

// The colours of a grid's legend; nullopt for empty.
Result<std::map<char, std::optional<Rgba>>> ReadLegend(const Params& p) {
  std::map<char, std::optional<Rgba>> out{{kEmptyChar, std::nullopt}};
  const JsonValue* leg = p.Get("legend");
  if (leg == nullptr) return Params::Missing("legend", "{char: color|null}");
  if (!leg->IsObject())
    return Params::Wrong("legend", "an object {char: color|null}", *leg);
  for (const auto& m : leg->GetObject()) {
    const std::string key(m.name.GetString(), m.name.GetStringLength());
    const std::string param = "legend." + key;
    if (key.size() != 1 || key[0] == ' ')
      return Params::Wrong(param, "a single non-space character as key",
                           m.name);
    if (m.value.IsNull()) {
      out[key[0]] = std::nullopt;
      continue;
    }
    auto c = ColorFromJson(m.value, param);
    if (!c.ok()) return c.status();
    out[key[0]] = *c;
  }
  return out;
}

struct GridWrite {
  Box box;
  std::vector<std::optional<Rgba>> cells;  // z, then row (y down), then x
};

Result<GridWrite> ReadGridWrite(const Params& p) {
  auto legend = ReadLegend(p);
  if (!legend.ok()) return legend.status();
  const JsonValue* min = p.Get("min");
  if (min == nullptr) return Params::Missing("min", "[x, y, z]");
  auto origin = Vec3FromJson(*min, "min");
  if (!origin.ok()) return origin.status();
  const JsonValue* slices = p.Get("slices");
  if (slices == nullptr)
    return Params::Missing("slices", "[{z?, rows: [string, ...]}, ...]");
  if (!slices->IsArray() || slices->Empty())
    return Params::Wrong("slices", "a non-empty array of {rows}", *slices);
  GridWrite g;
  size_t w = 0, h = 0;
  for (rapidjson::SizeType k = 0; k < slices->Size(); ++k) {
    const std::string sp = "slices[" + std::to_string(k) + "]";
    const JsonValue& s = (*slices)[k];
    GOXEL_RETURN_IF_ERROR(CheckKnownFields(s, sp, {"z", "rows"}));
    Params sl(&s, nullptr);
    if (const JsonValue* z = sl.Get("z")) {
      if (!z->IsInt64() || z->GetInt64() != int64_t{origin->z} + k)
        return Params::Wrong(sp + ".z", "min.z + " + std::to_string(k), *z);
    }
    const JsonValue* rows = sl.Get("rows");
    if (rows == nullptr || !rows->IsArray() || rows->Empty())
      return Params::Missing(sp + ".rows", "a non-empty array of strings");
    if (k == 0) h = rows->Size();
    if (rows->Size() != h)
      return Params::Wrong(sp + ".rows", std::to_string(h) + " rows", *rows);
    for (rapidjson::SizeType j = 0; j < rows->Size(); ++j) {
      const std::string rp = sp + ".rows[" + std::to_string(j) + "]";
      const JsonValue& row = (*rows)[j];
      if (!row.IsString()) return Params::Wrong(rp, "a string", row);
      const std::string_view text(row.GetString(), row.GetStringLength());
      if (k == 0 && j == 0) w = text.size();
      if (text.size() != w || w == 0)
        return Params::Wrong(rp, std::to_string(w) + " characters", row);
      if (int64_t(w) * h * slices->Size() > kMaxGridCells)
        return CheckVoxelCap(int64_t(w) * h * slices->Size(), kMaxGridCells,
                             "write_grid");
      for (size_t i = 0; i < text.size(); ++i) {
        auto it = legend->find(text[i]);
        if (it == legend->end()) {
          return Status::InvalidParams(
                     rp + ": character '" + std::string(1, text[i]) + "' at " +
                     std::to_string(i) + " is not in the legend")
              .With("param", rp)
              .With("column", int64_t(i));
        }
        g.cells.push_back(it->second);
      }
    }
  }
  const int64_t ext[3] = {int64_t(w) - 1, int64_t(h) - 1,
                          int64_t(slices->Size()) - 1};
  const int64_t o[3] = {origin->x, origin->y, origin->z};
  for (int i = 0; i < 3; ++i)
    if (o[i] + ext[i] > INT32_MAX)
      return Params::Wrong("min", "a corner leaving the grid inside int32",
                           *min);
  g.box = {
      *origin,
      {int32_t(o[0] + ext[0]), int32_t(o[1] + ext[1]), int32_t(o[2] + ext[2])}};
  return g;
}

Status WriteGrid(Workspace& ws, Call& call) {
  const Params& p = call.params();
  auto g = ReadGridWrite(p);
  if (!g.ok()) return g.status();
  auto mode = p.String("mode", "replace");
  if (!mode.ok()) return mode.status();
  if (*mode != "replace" && *mode != "merge")
    return Params::Wrong("mode", "\"replace\" or \"merge\"", *p.Get("mode"));
  const bool replace = *mode == "replace";
  auto ref = ResolveProject(ws, p);
  if (!ref.ok()) return ref.status();
  OpenProject& op = **ref;
  const Box& b = g->box;
  const int w = b.max.x - b.min.x + 1, h = b.max.y - b.min.y + 1;
  int64_t changed = 0;
  uint64_t version = 0;
  {
    CallWriterLock lock(&op.mu, ws.Wait());
    GOXEL_RETURN_IF_ERROR(AdmitEdit(lock, op, p));
    auto layer = LayerFromJson(p.Get("layer"), "layer", op.project);
    if (!layer.ok()) return layer.status();
    op.project.BeginEdit();
    Volume& v = *op.project.MutableVolume(*layer);
    for (size_t i = 0; i < g->cells.size(); ++i) {
      const auto& c = g->cells[i];
      if (!c && !replace) continue;
      const int x = int(i % w), row = int(i / w % h), zi = int(i / w / h);
      changed +=
          v.Set({b.min.x + x, b.max.y - row, b.min.z + zi}, c.value_or(Rgba{}));
    }
    op.project.EndEdit();
    version = op.project.version();
  }
  auto& a = call.alloc();
  JsonValue& r = call.result();
  r.SetObject();
  Put(r, "success", true, a);
  r.AddMember("min", Vec3Array(b.min, a), a);
  r.AddMember("max", Vec3Array(b.max, a), a);
  Put(r, "cells", static_cast<int64_t>(g->cells.size()), a);
  Put(r, "changed", changed, a);
  Put(r, "version", version, a);
  return Status::Ok();
}

// --- Contact sheets ---

Result<render::SheetOptions> ReadSheetOptions(const Params& p) {
  render::SheetOptions o;
  auto w = p.IntInRange("width", 16, render::kMaxSide, 512);
  if (!w.ok()) return w.status();
  auto h = p.IntInRange("height", 16, render::kMaxSide, 512);
  if (!h.ok()) return h.status();
  o.look.width = int(*w);
  o.look.height = int(*h);
  if (const JsonValue* bg = p.Get("background")) {
    if (bg->IsString() && std::string_view(bg->GetString()) == "transparent") {
      o.look.background = {0, 0, 0, 0};
    } else {
      auto c = ColorFromJson(*bg, "background");
      if (!c.ok()) return c.status();
      o.look.background = *c;
    }
  }
  auto labels = p.Bool("labels", true);
  if (!labels.ok()) return labels.status();
  o.labels = *labels;
  auto proj = p.String("projection", "orthographic");
  if (!proj.ok()) return proj.status();
  if (*proj == "perspective") {
    o.projection = render::Projection::kPerspective;
  } else if (*proj != "orthographic") {
    return Params::Wrong("projection", "\"orthographic\" or \"perspective\"",
                         *p.Get("projection"));
  }
  const JsonValue* views = p.Get("views");
  if (views == nullptr) {
    o.views = {render::CameraPreset::kFront, render::CameraPreset::kRight,
               render::CameraPreset::kTop, render::CameraPreset::kIsometric};
    return o;
  }
  constexpr const char* kViews =
      "an array of front, back, left, right, top, bottom, isometric";
  if (!views->IsArray()) return Params::Wrong("views", kViews, *views);
  for (rapidjson::SizeType i = 0; i < views->Size(); ++i) {
    const std::string vp = "views[" + std::to_string(i) + "]";
    if (!(*views)[i].IsString()) return Params::Wrong(vp, kViews, (*views)[i]);
    auto v = render::ParseCameraPreset((*views)[i].GetString());
    if (!v.ok()) return Params::Wrong(vp, kViews, (*views)[i]);
    o.views.push_back(*v);
  }
  return o;
}

Status RenderViews(Workspace& ws, Call& call) {
  const Params& p = call.params();
  auto o = ReadSheetOptions(p);
  if (!o.ok()) return o.status();
  auto ref = ResolveProject(ws, p);
  if (!ref.ok()) return ref.status();
  std::vector<voxel::Layer> layers;
  uint64_t version = 0;
  {
    CallReaderLock lock(&(*ref)->mu, ws.Wait());
    if (!lock.held()) return lock.Busy((*ref)->id);
    layers = (*ref)->project.layers();  // copy-on-write: O(layers)
    version = (*ref)->project.version();
  }
  const uint64_t start = MonotonicNanos();
  std::vector<const Volume*> volumes;
  for (const voxel::Layer& l : layers)
    if (l.visible) volumes.push_back(&l.volume);
  auto sheet = render::RenderSheet(volumes, *o);
  if (!sheet.ok()) return sheet.status();
  auto png =
      voxel::formats::EncodePng(sheet->image.rgba.data(), sheet->image.width,
                                sheet->image.height, /*fast=*/true);
  if (!png.ok()) return png.status();
  const double ms = double(MonotonicNanos() - start) / 1e6;
  ReadReservation reserved;
  GOXEL_RETURN_IF_ERROR(
      reserved.Reserve(Base64ReplyBytes(png->size()), "render_views"));
  auto& a = call.alloc();
  JsonValue& r = call.result();
  r.SetObject();
  Put(r, "success", true, a);
  Put(r, "width", sheet->image.width, a);
  Put(r, "height", sheet->image.height, a);
  PutString(r, "format", "png", a);
  JsonValue tiles(rapidjson::kArrayType);
  for (const render::SheetTile& t : sheet->tiles) {
    JsonValue e(rapidjson::kObjectType);
    PutString(e, "view", render::CameraPresetName(t.view), a);
    Put(e, "x", t.x, a);
    Put(e, "y", t.y, a);
    Put(e, "width", t.width, a);
    Put(e, "height", t.height, a);
    tiles.PushBack(e, a);
  }
  r.AddMember("views", tiles, a);
  Put(r, "bytes", static_cast<uint64_t>(png->size()), a);
  Put(r, "render_time_ms", ms, a);
  Put(r, "version", version, a);
  PutString(r, "image", Base64Encode(*png), a);
  return Status::Ok();
}

// --- Checkpoints ---

Result<std::string> ReadName(const Params& p) {
  auto name = p.String("name");
  if (!name.ok()) return name.status();
  if (name->empty() || name->size() > 128)
    return Params::Wrong("name", "1..128 characters", *p.Get("name"));
  return name;
}

JsonValue CheckpointJson(const voxel::Project::Checkpoint& c,
                         JsonAllocator& a) {
  JsonValue e(rapidjson::kObjectType);
  PutString(e, "name", c.name, a);
  Put(e, "version", c.version, a);
  Put(e, "created_ms", c.created_ms, a);
  int64_t n = 0;
  for (const voxel::Layer& l : c.layers) n += l.volume.CountVoxels();
  Put(e, "voxel_count", n, a);
  Put(e, "layers", static_cast<uint64_t>(c.layers.size()), a);
  return e;
}

// Runs `f(project)` under the writer lock (or the reader lock when
// !kWrite), then fills the result with the checkpoints and the version.
template <bool kWrite, typename F>
Status WithCheckpoints(Workspace& ws, Call& call, F&& f) {
  const Params& p = call.params();
  auto ref = ResolveProject(ws, p);
  if (!ref.ok()) return ref.status();
  OpenProject& op = **ref;
  auto& a = call.alloc();
  JsonValue& r = call.result();
  r.SetObject();
  JsonValue list(rapidjson::kArrayType);
  auto finish = [&](auto& pr) -> Status {
    GOXEL_RETURN_IF_ERROR(f(pr, r, a));
    for (const auto& c : pr.checkpoints())
      list.PushBack(CheckpointJson(c, a), a);
    Put(r, "voxel_count", pr.CountVoxels(), a);
    Put(r, "version", pr.version(), a);
    return Status::Ok();
  };
  if constexpr (kWrite) {
    CallWriterLock lock(&op.mu, ws.Wait());
    GOXEL_RETURN_IF_ERROR(AdmitEdit(lock, op, p));
    GOXEL_RETURN_IF_ERROR(finish(op.project));
  } else {
    CallReaderLock lock(&op.mu, ws.Wait());
    if (!lock.held()) return lock.Busy(op.id);
    GOXEL_RETURN_IF_ERROR(finish(op.View()));
  }
  r.AddMember("checkpoints", list, a);
  return Status::Ok();
}

Status CreateCheckpoint(Workspace& ws, Call& call) {
  auto name = ReadName(call.params());
  if (!name.ok()) return name.status();
  return WithCheckpoints<true>(
      ws, call, [&](voxel::Project& pr, JsonValue& r, JsonAllocator& a) {
        pr.SaveCheckpoint(*name);
        Put(r, "success", true, a);
        PutString(r, "name", *name, a);
        return Status::Ok();
      });
}

Status RestoreCheckpoint(Workspace& ws, Call& call) {
  auto name = ReadName(call.params());
  if (!name.ok()) return name.status();
  return WithCheckpoints<true>(
      ws, call,
      [&](voxel::Project& pr, JsonValue& r, JsonAllocator& a) -> Status {
        auto changed = pr.RestoreCheckpoint(*name);
        if (!changed.ok()) return changed.status();
        Put(r, "success", true, a);
        PutString(r, "name", *name, a);
        Put(r, "changed", *changed, a);
        return Status::Ok();
      });
}

Status DeleteCheckpoint(Workspace& ws, Call& call) {
  auto name = ReadName(call.params());
  if (!name.ok()) return name.status();
  return WithCheckpoints<true>(
      ws, call, [&](voxel::Project& pr, JsonValue& r, JsonAllocator& a) {
        Put(r, "success", pr.DeleteCheckpoint(*name), a);
        PutString(r, "name", *name, a);
        return Status::Ok();
      });
}

Status ListCheckpoints(Workspace& ws, Call& call) {
  return WithCheckpoints<false>(
      ws, call, [](const voxel::Project&, JsonValue&, JsonAllocator&) {
        return Status::Ok();
      });
}

// --- Analysis ---

JsonValue ComponentJson(const voxel::Component& c, JsonAllocator& a) {
  JsonValue e(rapidjson::kObjectType);
  Put(e, "count", c.count, a);
  e.AddMember("bounding_box", BoxJson(c.bounds, a), a);
  e.AddMember("position", Vec3Array(c.first, a), a);
  return e;
}

Status Analyze(Workspace& ws, Call& call) {
  const Params& p = call.params();
  auto conn = p.IntInRange("connectivity", 6, 26, 6);
  if (!conn.ok()) return conn.status();
  auto max_parts = p.IntInRange("max_parts", 0, 10000, 20);
  if (!max_parts.ok()) return max_parts.status();
  auto max_colors = p.IntInRange("max_colors", 0, 10000, 32);
  if (!max_colors.ok()) return max_colors.status();
  Volume v;
  std::string project_id;
  auto version = SnapshotFor(ws, p, &v, &project_id);
  if (!version.ok()) return version.status();
  auto parts = voxel::ConnectedComponents(v, int(*conn),
                                          ws.options().max_voxels_per_call);
  if (!parts.ok()) return parts.status();
  const auto colors = voxel::CountColorsOf(v);
  auto& a = call.alloc();
  JsonValue& r = call.result();
  r.SetObject();
  PutString(r, "project_id", project_id, a);
  Put(r, "voxel_count", v.CountVoxels(), a);
  if (auto b = v.Bounds()) {
    r.AddMember("bounding_box", BoxJson(*b, a), a);
    r.AddMember("size",
                Vec3Array({b->max.x - b->min.x + 1, b->max.y - b->min.y + 1,
                           b->max.z - b->min.z + 1},
                          a),
                a);
  } else {
    r.AddMember("bounding_box", JsonValue(), a);
    r.AddMember("size", Vec3Array({0, 0, 0}, a), a);
  }
  Put(r, "unique_colors", static_cast<uint64_t>(colors.size()), a);
  JsonValue hist(rapidjson::kArrayType);
  for (size_t i = 0; i < colors.size() && int64_t(i) < *max_colors; ++i) {
    JsonValue e(rapidjson::kObjectType);
    PutString(e, "color", HexColor(colors[i].color, colors[i].color.a != 255),
              a);
    Put(e, "count", colors[i].count, a);
    hist.PushBack(e, a);
  }
  r.AddMember("colors", hist, a);
  Put(r, "connectivity", *conn, a);
  Put(r, "components", static_cast<uint64_t>(parts->size()), a);
  if (!parts->empty()) {
    r.AddMember("largest", ComponentJson(parts->front(), a), a);
  } else {
    r.AddMember("largest", JsonValue(), a);
  }
  int64_t floating_voxels = 0;
  JsonValue floating(rapidjson::kArrayType);
  for (size_t i = 1; i < parts->size(); ++i) {
    floating_voxels += (*parts)[i].count;
    if (int64_t(i) <= *max_parts)
      floating.PushBack(ComponentJson((*parts)[i], a), a);
  }
  Put(r, "floating_parts",
      static_cast<uint64_t>(parts->empty() ? 0 : parts->size() - 1), a);
  Put(r, "floating_voxels", floating_voxels, a);
  r.AddMember("floating", floating, a);
  Put(r, "version", *version, a);
  return Status::Ok();
}

// --- Layers ---

Status RenameLayer(Workspace& ws, Call& call) {
  const Params& p = call.params();
  auto name = p.String("name");
  if (!name.ok()) return name.status();
  if (name->empty())
    return Params::Wrong("name", "a non-empty layer name", *p.Get("name"));
  if (!p.Has("layer")) return Params::Missing("layer", "a layer id or name");
  auto ref = ResolveProject(ws, p);
  if (!ref.ok()) return ref.status();
  OpenProject& op = **ref;
  int32_t id = 0;
  uint64_t version = 0;
  {
    CallWriterLock lock(&op.mu, ws.Wait());
    GOXEL_RETURN_IF_ERROR(AdmitEdit(lock, op, p));
    auto layer = LayerFromJson(p.Get("layer"), "layer", op.project);
    if (!layer.ok()) return layer.status();
    id = *layer;
    GOXEL_RETURN_IF_ERROR(op.project.RenameLayer(id, *name));
    version = op.project.version();
  }
  auto& a = call.alloc();
  JsonValue& r = call.result();
  r.SetObject();
  Put(r, "success", true, a);
  Put(r, "layer_id", id, a);
  PutString(r, "name", *name, a);
  Put(r, "version", version, a);
  return Status::Ok();
}

ParamSpec MinParam() { return {"min", "position", true, "[x, y, z] corner"}; }

}  // namespace

Result<int32_t> LayerFromJson(const JsonValue* v, std::string_view param,
                              const voxel::Project& project) {
  if (v == nullptr) return project.active_layer_id();
  std::optional<int64_t> id;
  if (v->IsNumber()) {
    id = rpc::JsonToInt64(*v);
    if (id && *id >= INT32_MIN && *id <= INT32_MAX &&
        project.FindLayer(int32_t(*id)) != nullptr)
      return int32_t(*id);
  } else if (v->IsString()) {
    if (const voxel::Layer* l = project.FindLayerByName(v->GetString()))
      return l->id;
  } else {
    return Params::Wrong(param, "a layer id or a layer name", *v);
  }
  std::vector<int64_t> ids;
  std::vector<std::string> names;
  for (const voxel::Layer& l : project.layers()) {
    ids.push_back(l.id);
    names.push_back(l.name);
  }
  const std::string got = v->IsString()
                              ? "'" + std::string(v->GetString()) + "'"
                              : std::to_string(id.value_or(0));
  return Status::Error(voxel::kLayerNotFound,
                       "layer " + got +
                           " not found: create it with create_layer or use "
                           "one of the layers listed in data")
      .With("param", std::string(param))
      .With("layer_ids", std::move(ids))
      .With("layer_names", std::move(names));
}

Status CheckKnownFields(const JsonValue& obj, std::string_view where,
                        const std::vector<std::string_view>& allowed) {
  if (!obj.IsObject()) {
    return Params::Wrong(where, "an object", obj);
  }
  for (const auto& m : obj.GetObject()) {
    std::string_view key(m.name.GetString(), m.name.GetStringLength());
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end())
      continue;
    std::string list;
    for (std::string_view s : allowed)
      list += (list.empty() ? "" : ", ") + std::string(s);
    return Status::InvalidParams("unknown field '" + std::string(key) +
                                 "' in " + std::string(where) +
                                 " (allowed: " + list + ")")
        .With("param", std::string(key))
        .With("expected", list);
  }
  return Status::Ok();
}

ParamSpec LayerParam(std::string_view what) {
  return {"layer", "integer|string", false,
          "layer id or name: " + std::string(what)};
}

Status RegisterAgentMethods(rpc::MethodTable* t, Workspace* ws) {
  Workspace& w = *ws;
  GOXEL_RETURN_IF_ERROR(RegisterAgentEditMethods(t, ws));
  const ParamSpec read_layer = LayerParam(
      "one layer, or \"all\" (default: every layer, upper layers win)");
  GOXEL_RETURN_IF_ERROR(t->Add(
      {"goxel.read_grid",
       "Reads the box min..max (at most 262144 cells) as text: one slice "
       "of rows per z, one character per voxel, with a legend of colours. "
       "Write it back, changed, with write_grid.",
       {MinParam(),
        {"max", "position", true, "[x, y, z] corner"},
        read_layer,
        ProjectIdParam()},
       "{min, max, legend: {char: \"#rrggbb\"|null}, slices: [{z, rows: "
       "[string]}], layout, voxel_count, version}",
       kRead,
       [&w](Call& c) { return ReadGrid(w, c); }}));
  GOXEL_RETURN_IF_ERROR(t->Add(Versioned(
      {"goxel.write_grid",
       "Writes a text grid (read_grid's form) with its min corner at min, "
       "as one undo step. mode replace (default): '.' and null legend "
       "entries empty their cells; merge: they leave them alone.",
       {MinParam(),
        {"legend", "object", true, "{char: color|null}; '.' is empty"},
        {"slices", "array", true,
         "[{z?, rows: [string]}]: z = min.z + k, rows[j] is y = max.y - j"},
        LayerParam("target layer (default active)"),
        {"mode", "string", false, "replace (default) or merge"},
        ProjectIdParam()},
       "{success, min, max, cells, changed}",
       kPooled | kMutating,
       [&w](Call& c) { return WriteGrid(w, c); }})));
  GOXEL_RETURN_IF_ERROR(t->Add(
      {"goxel.render_views",
       "Renders a contact sheet: several labelled views of the visible "
       "layers in one PNG (base64 in `image`), each framed on the model.",
       {{"views", "array", false,
         "front, back, left, right, top, bottom, isometric (default front, "
         "right, top, isometric)"},
        {"width", "integer", false, "sheet pixels 16..8192 (512)"},
        {"height", "integer", false, "sheet pixels 16..8192 (512)"},
        {"background", "color", false,
         "[r,g,b(,a)], \"#rrggbb\" or "
         "\"transparent\""},
        {"labels", "boolean", false, "name each view (true)"},
        {"projection", "string", false,
         "orthographic (default) or "
         "perspective"},
        ProjectIdParam()},
       "{success, width, height, format, views: [{view, x, y, width, "
       "height}], bytes, render_time_ms, version, image}",
       kRead,
       [&w](Call& c) { return RenderViews(w, c); }}));
  GOXEL_RETURN_IF_ERROR(
      t->Add(Versioned({"goxel.rename_layer",
                        "Renames a layer (one undo step).",
                        {LayerParam("the layer to rename"),
                         {"name", "string", true, "its new name"},
                         ProjectIdParam()},
                        "{success, layer_id, name}",
                        kPooled | kMutating,
                        [&w](Call& c) { return RenameLayer(w, c); }})));
  const ParamSpec name{"name", "string", true, "checkpoint name"};
  const char* kCheckpointResult =
      "{success, name, checkpoints: [{name, version, created_ms, "
      "voxel_count, layers}], voxel_count, version}";
  GOXEL_RETURN_IF_ERROR(t->Add(Versioned(
      {"goxel.create_checkpoint",
       "Saves the layers under a name (replacing one of that name; at most "
       "32, the oldest dropped), in memory for this run of the daemon.",
       {name, ProjectIdParam()},
       kCheckpointResult,
       kPooled | kMutating,
       [&w](Call& c) { return CreateCheckpoint(w, c); }})));
  GOXEL_RETURN_IF_ERROR(t->Add(Versioned(
      {"goxel.restore_checkpoint",
       "Returns the layers to a checkpoint, as one undo step (undo takes "
       "the restore back).",
       {name, ProjectIdParam()},
       kCheckpointResult,
       kPooled | kMutating,
       [&w](Call& c) { return RestoreCheckpoint(w, c); }})));
  GOXEL_RETURN_IF_ERROR(
      t->Add({"goxel.delete_checkpoint",
              "Forgets a checkpoint.",
              {name, ProjectIdParam()},
              kCheckpointResult,
              kPooled | kMutating,
              [&w](Call& c) { return DeleteCheckpoint(w, c); }}));
  GOXEL_RETURN_IF_ERROR(
      t->Add({"goxel.list_checkpoints",
              "The project's checkpoints, oldest first.",
              {ProjectIdParam()},
              "{checkpoints, voxel_count, version}",
              kRead,
              [&w](Call& c) { return ListCheckpoints(w, c); }}));
  return t->Add(
      {"goxel.analyze",
       "Checks a model: voxel count, bounding box and size, colour "
       "histogram, and connected components: the largest, and the floating "
       "parts (every other component) with their sizes and positions.",
       {read_layer,
        {"connectivity", "integer", false,
         "6 (faces, default), 18 (edges) or 26 (corners)"},
        {"max_parts", "integer", false, "floating parts listed (20)"},
        {"max_colors", "integer", false, "colours listed (32)"},
        ProjectIdParam()},
       "{project_id, voxel_count, bounding_box, size, unique_colors, colors: "
       "[{color, count}], connectivity, components, largest, floating_parts, "
       "floating_voxels, floating: [{count, bounding_box, position}], "
       "version}",
       kRead,
       [&w](Call& c) { return Analyze(w, c); }});
}

}  // namespace goxel::methods
