// Project: one open document. Layers, the active layer, undo/redo history,
// dirty flag, times, file path and a selection box.
//
// Layers are kept bottom first. Layer ids are unique and increasing within a
// project and never reused (not even after undo). A project always has at
// least one layer: deleting the only layer is refused (kInvalidParams), so
// "the active layer" always exists.
//
// History: every change is one step. Voxel edits are bracketed by
// BeginEdit()/EndEdit() (nestable: the outermost pair is one step); layer
// operations record their own step. A step stores a copy of the layer list
// taken before the change, which costs O(layers) because volumes share their
// blocks copy-on-write. Steps that changed nothing are not recorded. A new
// step clears the redo list; the undo list keeps the last history_depth()
// steps (default 64; 0 disables undo).
//
// Thread contract: not thread-safe. The methods layer holds a reader/writer
// lock per project; a copy of layers() (or of the Project) taken under the
// lock may be read on another thread while this project is edited.
#ifndef GOXEL_VOXEL_PROJECT_H_
#define GOXEL_VOXEL_PROJECT_H_

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "voxel/layer.h"
#include "voxel/volume.h"

namespace goxel::voxel {

class Project {
 public:
  static constexpr size_t kDefaultHistoryDepth = 64;

  // A new project with one empty layer "Layer 1", active, not dirty.
  explicit Project(std::string name = "Untitled", int32_t width = 64,
                   int32_t height = 64, int32_t depth = 64);

  // A project holding the scene's layers (ids kept when unique and > 0,
  // otherwise reassigned; an empty scene gets one empty layer) and its kept
  // chunks (returned by ToScene). The top layer is active. Not dirty, empty
  // history.
  static Project FromScene(Scene scene, std::string name);
  // The layers and canvas, for file writers. O(layers).
  Scene ToScene() const;

  // --- Document properties ---
  const std::string& name() const { return name_; }
  void set_name(std::string name) {
    if (name == name_) return;
    name_ = std::move(name);
    ++version_;
  }
  int32_t width() const { return width_; }
  int32_t height() const { return height_; }
  int32_t depth() const { return depth_; }
  void SetCanvas(int32_t width, int32_t height, int32_t depth);
  int64_t created_ms() const { return created_ms_; }    // wall clock, ms.
  int64_t modified_ms() const { return modified_ms_; }  // last change, ms.
  const std::string& file_path() const { return file_path_; }
  void set_file_path(std::string path) { file_path_ = std::move(path); }
  // The file the project was read from, in any format (empty when it was
  // created): load_project of that file returns this project.
  const std::string& source_path() const { return source_path_; }
  void set_source_path(std::string path) { source_path_ = std::move(path); }
  const std::optional<Box>& selection() const { return selection_; }
  void set_selection(std::optional<Box> box) {
    if (box == selection_) return;
    selection_ = box;
    ++version_;
  }

  // True when the layers differ from the last MarkSaved() (undoing back to
  // the saved state makes the project clean again).
  bool dirty() const { return state_id_ != saved_state_id_; }
  // Records the current state as saved (at `path` when not empty).
  void MarkSaved(std::string path = {});
  // Changes whenever the layers change (edits, layer operations, undo,
  // redo). Two equal ids mean equal layers (undo returns to an earlier id).
  // A cache key for renders.
  uint64_t state_id() const { return state_id_; }
  // The edit version: 1 for a new or loaded project, one more on every
  // change of the document (voxels, layers, the active layer, the
  // selection, the name, the canvas), undo and redo included; saving does
  // not change it. Unlike state_id() it never returns to an earlier value,
  // so a client that read version N knows nothing changed while it is
  // still N (goxel.* methods' expected_version).
  uint64_t version() const { return version_; }

  // --- Layers ---
  const std::vector<Layer>& layers() const { return layers_; }
  const Layer* FindLayer(int32_t id) const;
  Layer* FindLayer(int32_t id);
  // The first layer (bottom up) with that name, or nullptr.
  const Layer* FindLayerByName(std::string_view name) const;
  int32_t active_layer_id() const { return active_id_; }
  const Layer& active_layer() const { return *FindLayer(active_id_); }
  // Makes `id` active (not an undo step). kLayerNotFound when absent.
  Status SetActiveLayer(int32_t id);

  // Adds an empty layer on top and makes it active; an empty name becomes
  // "Layer N". Returns the new id.
  int32_t CreateLayer(std::string name = {}, Rgba color = {255, 255, 255, 255},
                      bool visible = true);
  // Deletes a layer. kLayerNotFound when absent; kInvalidParams when it is
  // the only layer. The active layer moves to the one below (or above).
  Status DeleteLayer(int32_t id);
  // Draws `source`'s voxels over `target` (source wins where both have a
  // voxel), then deletes `source`. kLayerNotFound when either is absent,
  // kInvalidParams when they are the same layer.
  Status MergeLayers(int32_t source, int32_t target);
  Status SetLayerVisible(int32_t id, bool visible);
  Status RenameLayer(int32_t id, std::string name);
  Status SetLayerColor(int32_t id, Rgba color);

  // --- Voxel edits ---
  // Brackets edits of layer volumes. While an edit is open, MutableVolume()
  // gives a volume to change; EndEdit() records one undo step if anything
  // changed and returns whether it did. Pairs may nest.
  void BeginEdit();
  bool EndEdit();
  // Ends every open edit by putting the layers back as they were at the
  // outermost BeginEdit(): nothing changed, no undo step, the same version.
  // For edits that failed part way (a memory limit).
  void CancelEdit();
  // The volume of layer `id` for editing inside BeginEdit()/EndEdit(), or
  // nullptr when there is no such layer.
  Volume* MutableVolume(int32_t id);

  // --- History ---
  bool CanUndo() const { return !undo_.empty(); }
  bool CanRedo() const { return !redo_.empty(); }
  size_t undo_size() const { return undo_.size(); }
  size_t redo_size() const { return redo_.size(); }
  // Steps back (or forward); false when there is nothing to undo (redo).
  bool Undo();
  bool Redo();
  size_t history_depth() const { return history_depth_; }
  // Sets the depth and drops the oldest steps beyond it.
  void SetHistoryDepth(size_t depth);
  // Steps that left the history (the oldest beyond the depth, the redo list
  // a new step clears) are not freed at once: they wait here, so that a
  // point edit's cost does not include freeing what an older, larger edit
  // replaced. DropRetired() frees them (O(what they alone hold)); callers
  // on a bounded-work thread leave them to the next edit on a worker.
  size_t retired_steps() const { return retired_.size(); }
  void DropRetired() { retired_.clear(); }

  // --- Checkpoints ---
  // A named copy of the layers and the active layer (O(layers): volumes
  // share their blocks). Kept in memory for this run only (not saved to
  // files); at most kMaxCheckpoints, a new one beyond that drops the oldest.
  struct Checkpoint {
    std::string name;
    std::vector<Layer> layers;
    int32_t active_id = 0;
    uint64_t version = 0;  // the project's version when it was made
    int64_t created_ms = 0;
  };
  static constexpr size_t kMaxCheckpoints = 32;
  const std::deque<Checkpoint>& checkpoints() const { return checkpoints_; }
  // Saves the current layers under `name`, replacing a checkpoint of the
  // same name. Not a change of the document (version unchanged).
  void SaveCheckpoint(std::string name);
  // Returns the layers and the active layer to the checkpoint's, as one
  // undo step (so undo takes the restore back). kInvalidParams (detail
  // "name", "checkpoints") when there is no such checkpoint. Returns
  // whether anything changed.
  Result<bool> RestoreCheckpoint(std::string_view name);
  // Forgets a checkpoint; false when there was none of that name.
  bool DeleteCheckpoint(std::string_view name);

  // --- Whole-document queries ---
  int64_t CountVoxels() const;  // all layers, visible or not.
  size_t MemoryBytes() const;   // sum over layers (shared blocks per layer).
  std::optional<Box> Bounds() const;  // union of all layers' bounds.
  // The visible layers composed into one volume, upper layers winning where
  // layers overlap. O(1) when at most one layer is visible.
  Volume MergedVisible() const;

 private:
  struct State {
    std::vector<Layer> layers;
    int32_t active_id = 0;
    uint64_t state_id = 0;
  };

  State Capture() const;
  void Restore(State s);
  // Records `before` as an undo step and marks a change.
  void PushUndo(State before);
  void Touch();  // a new state id and modified time.
  bool SameLayers(const std::vector<Layer>& a) const;
  int IndexOf(int32_t id) const;

  std::string name_;
  int32_t width_, height_, depth_;
  std::vector<Layer> layers_;
  int32_t active_id_ = 0;
  int32_t next_id_ = 1;
  std::deque<State> undo_, redo_;
  std::vector<State> retired_;  // left the history, not yet freed.
  size_t history_depth_ = kDefaultHistoryDepth;
  int edit_depth_ = 0;
  State edit_before_;
  uint64_t state_id_ = 1, saved_state_id_ = 1, next_state_id_ = 2;
  uint64_t version_ = 1;
  int64_t created_ms_ = 0, modified_ms_ = 0;
  std::string file_path_;
  std::string source_path_;
  std::optional<Box> selection_;
  std::vector<KeptChunk> kept_chunks_;  // from FromScene, back in ToScene.
  std::deque<Checkpoint> checkpoints_;  // oldest first
};

}  // namespace goxel::voxel

#endif  // GOXEL_VOXEL_PROJECT_H_
