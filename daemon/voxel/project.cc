#include "voxel/project.h"

#include <algorithm>
#include <set>
#include <utility>

#include "base/clock.h"
#include "voxel/status_codes.h"

namespace goxel::voxel {
namespace {

Status LayerNotFound(int32_t id) {
  return Status::Error(kLayerNotFound, "no layer with id " + std::to_string(id))
      .With("layer_id", int64_t{id});
}

bool SameLayer(const Layer& a, const Layer& b) {
  return a.id == b.id && a.name == b.name && a.visible == b.visible &&
         a.opacity == b.opacity && a.color == b.color &&
         a.volume.version() == b.volume.version();
}

// Draws src over dst block by block, src winning where both have a voxel.
void DrawOver(Volume& dst, const Volume& src) {
  if (dst.Empty()) {
    dst = src;  // O(1); shares the blocks.
    return;
  }
  src.ForEachBlock([&dst](Vec3i origin, const Rgba* data) {
    Rgba out[kBlockVoxels];
    if (!dst.ReadBlock(origin, out)) {
      dst.SetBlock(origin, data);
      return;
    }
    for (int i = 0; i < kBlockVoxels; ++i)
      if (data[i].a) out[i] = data[i];
    dst.SetBlock(origin, out);
  });
}

}  // namespace

Project::Project(std::string name, int32_t width, int32_t height, int32_t depth)
    : name_(std::move(name)), width_(width), height_(height), depth_(depth) {
  created_ms_ = modified_ms_ = WallMillis();
  Layer layer;
  layer.id = next_id_++;
  layer.name = "Layer 1";
  layers_.push_back(std::move(layer));
  active_id_ = layers_.back().id;
}

Project Project::FromScene(Scene scene, std::string name) {
  Project p(std::move(name), scene.width, scene.height, scene.depth);
  p.kept_chunks_ = std::move(scene.kept_chunks);
  if (scene.layers.empty()) return p;
  std::set<int32_t> used;
  for (const Layer& l : scene.layers)
    if (l.id > 0) used.insert(l.id);
  int32_t next = used.empty() ? 1 : *used.rbegin() + 1;
  std::set<int32_t> taken;
  for (Layer& l : scene.layers) {
    if (l.id <= 0 || !taken.insert(l.id).second) {
      l.id = next++;
      taken.insert(l.id);
    }
    if (l.name.empty()) l.name = "Layer " + std::to_string(l.id);
  }
  p.layers_ = std::move(scene.layers);
  p.next_id_ = next;
  p.active_id_ = p.layers_.back().id;
  return p;
}

Scene Project::ToScene() const {
  Scene s;
  s.layers = layers_;
  s.width = width_;
  s.height = height_;
  s.depth = depth_;
  s.kept_chunks = kept_chunks_;
  return s;
}

void Project::SetCanvas(int32_t width, int32_t height, int32_t depth) {
  if (width == width_ && height == height_ && depth == depth_) return;
  ++version_;
  width_ = width;
  height_ = height;
  depth_ = depth;
}

void Project::MarkSaved(std::string path) {
  saved_state_id_ = state_id_;
  if (!path.empty()) file_path_ = std::move(path);
}

int Project::IndexOf(int32_t id) const {
  for (size_t i = 0; i < layers_.size(); ++i)
    if (layers_[i].id == id) return static_cast<int>(i);
  return -1;
}

const Layer* Project::FindLayer(int32_t id) const {
  int i = IndexOf(id);
  return i < 0 ? nullptr : &layers_[i];
}

Layer* Project::FindLayer(int32_t id) {
  int i = IndexOf(id);
  return i < 0 ? nullptr : &layers_[i];
}

const Layer* Project::FindLayerByName(std::string_view name) const {
  for (const Layer& l : layers_)
    if (l.name == name) return &l;
  return nullptr;
}

Status Project::SetActiveLayer(int32_t id) {
  if (IndexOf(id) < 0) return LayerNotFound(id);
  if (id != active_id_) ++version_;
  active_id_ = id;
  return Status::Ok();
}

Project::State Project::Capture() const {
  return State{layers_, active_id_, state_id_};
}

void Project::Restore(State s) {
  layers_ = std::move(s.layers);
  active_id_ = s.active_id;
  state_id_ = s.state_id;
  ++version_;  // onwards, even when the layers go back (undo)
  modified_ms_ = WallMillis();
}

void Project::Touch() {
  state_id_ = next_state_id_++;
  ++version_;
  modified_ms_ = WallMillis();
}

void Project::PushUndo(State before) {
  for (State& s : redo_) retired_.push_back(std::move(s));
  redo_.clear();
  if (history_depth_ > 0) {
    undo_.push_back(std::move(before));
    while (undo_.size() > history_depth_) {
      retired_.push_back(std::move(undo_.front()));
      undo_.pop_front();
    }
  } else {
    retired_.push_back(std::move(before));
  }
  Touch();
}

int32_t Project::CreateLayer(std::string name, Rgba color, bool visible) {
  State before = Capture();
  Layer layer;
  layer.id = next_id_++;
  layer.name =
      name.empty() ? "Layer " + std::to_string(layer.id) : std::move(name);
  layer.color = color;
  layer.visible = visible;
  layers_.push_back(std::move(layer));
  active_id_ = layers_.back().id;
  PushUndo(std::move(before));
  return active_id_;
}

Status Project::DeleteLayer(int32_t id) {
  int i = IndexOf(id);
  if (i < 0) return LayerNotFound(id);
  if (layers_.size() == 1)
    return Status::InvalidParams("cannot delete the only layer of a project")
        .With("layer_id", int64_t{id});
  State before = Capture();
  layers_.erase(layers_.begin() + i);
  if (active_id_ == id) active_id_ = layers_[i > 0 ? i - 1 : 0].id;
  PushUndo(std::move(before));
  return Status::Ok();
}

Status Project::MergeLayers(int32_t source, int32_t target) {
  int si = IndexOf(source), ti = IndexOf(target);
  if (si < 0) return LayerNotFound(source);
  if (ti < 0) return LayerNotFound(target);
  if (si == ti)
    return Status::InvalidParams("cannot merge a layer into itself")
        .With("layer_id", int64_t{source});
  State before = Capture();
  DrawOver(layers_[ti].volume, layers_[si].volume);
  if (active_id_ == source) active_id_ = target;
  layers_.erase(layers_.begin() + si);
  PushUndo(std::move(before));
  return Status::Ok();
}

Status Project::SetLayerVisible(int32_t id, bool visible) {
  Layer* l = FindLayer(id);
  if (!l) return LayerNotFound(id);
  if (l->visible == visible) return Status::Ok();
  State before = Capture();
  FindLayer(id)->visible = visible;
  PushUndo(std::move(before));
  return Status::Ok();
}

Status Project::RenameLayer(int32_t id, std::string name) {
  Layer* l = FindLayer(id);
  if (!l) return LayerNotFound(id);
  if (l->name == name) return Status::Ok();
  State before = Capture();
  FindLayer(id)->name = std::move(name);
  PushUndo(std::move(before));
  return Status::Ok();
}

Status Project::SetLayerColor(int32_t id, Rgba color) {
  Layer* l = FindLayer(id);
  if (!l) return LayerNotFound(id);
  if (l->color == color) return Status::Ok();
  State before = Capture();
  FindLayer(id)->color = color;
  PushUndo(std::move(before));
  return Status::Ok();
}

void Project::BeginEdit() {
  if (edit_depth_++ == 0) edit_before_ = Capture();
}

bool Project::SameLayers(const std::vector<Layer>& a) const {
  if (a.size() != layers_.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!SameLayer(a[i], layers_[i])) return false;
  return true;
}

bool Project::EndEdit() {
  if (edit_depth_ == 0 || --edit_depth_ > 0) return false;
  State before = std::move(edit_before_);
  edit_before_ = State{};
  if (SameLayers(before.layers)) return false;
  PushUndo(std::move(before));
  return true;
}

void Project::CancelEdit() {
  if (edit_depth_ == 0) return;
  edit_depth_ = 0;
  layers_ = std::move(edit_before_.layers);
  active_id_ = edit_before_.active_id;
  edit_before_ = State{};
}

Volume* Project::MutableVolume(int32_t id) {
  Layer* l = FindLayer(id);
  return l ? &l->volume : nullptr;
}

bool Project::Undo() {
  if (undo_.empty()) return false;
  State prev = std::move(undo_.back());
  undo_.pop_back();
  redo_.push_back(Capture());
  Restore(std::move(prev));
  return true;
}

bool Project::Redo() {
  if (redo_.empty()) return false;
  State next = std::move(redo_.back());
  redo_.pop_back();
  undo_.push_back(Capture());
  Restore(std::move(next));
  return true;
}

void Project::SetHistoryDepth(size_t depth) {
  history_depth_ = depth;
  while (undo_.size() > depth) undo_.pop_front();
  if (depth == 0) redo_.clear();
}

void Project::SaveCheckpoint(std::string name) {
  DeleteCheckpoint(name);
  if (checkpoints_.size() >= kMaxCheckpoints) checkpoints_.pop_front();
  checkpoints_.push_back(
      Checkpoint{std::move(name), layers_, active_id_, version_, WallMillis()});
}

Result<bool> Project::RestoreCheckpoint(std::string_view name) {
  auto it = std::find_if(checkpoints_.begin(), checkpoints_.end(),
                         [&](const Checkpoint& c) { return c.name == name; });
  if (it == checkpoints_.end()) {
    std::vector<std::string> names;
    for (const Checkpoint& c : checkpoints_) names.push_back(c.name);
    return Status::InvalidParams("no checkpoint named '" + std::string(name) +
                                 "'")
        .With("param", std::string("name"))
        .With("checkpoints", std::move(names));
  }
  if (SameLayers(it->layers) && active_id_ == it->active_id) return false;
  State before = Capture();
  layers_ = it->layers;
  active_id_ = it->active_id;
  PushUndo(std::move(before));
  return true;
}

bool Project::DeleteCheckpoint(std::string_view name) {
  auto it = std::find_if(checkpoints_.begin(), checkpoints_.end(),
                         [&](const Checkpoint& c) { return c.name == name; });
  if (it == checkpoints_.end()) return false;
  checkpoints_.erase(it);
  return true;
}

int64_t Project::CountVoxels() const {
  int64_t n = 0;
  for (const Layer& l : layers_) n += l.volume.CountVoxels();
  return n;
}

size_t Project::MemoryBytes() const {
  size_t n = 0;
  for (const Layer& l : layers_) n += l.volume.MemoryBytes();
  return n;
}

std::optional<Box> Project::Bounds() const {
  std::optional<Box> r;
  for (const Layer& l : layers_) {
    auto b = l.volume.Bounds();
    if (!b) continue;
    if (!r) {
      r = b;
      continue;
    }
    r->min = {std::min(r->min.x, b->min.x), std::min(r->min.y, b->min.y),
              std::min(r->min.z, b->min.z)};
    r->max = {std::max(r->max.x, b->max.x), std::max(r->max.y, b->max.y),
              std::max(r->max.z, b->max.z)};
  }
  return r;
}

Volume Project::MergedVisible() const {
  Volume merged;
  for (const Layer& l : layers_)
    if (l.visible) DrawOver(merged, l.volume);
  return merged;
}

}  // namespace goxel::voxel
