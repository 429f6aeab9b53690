#include "voxel/project.h"

#include <gtest/gtest.h>

#include "voxel/status_codes.h"

namespace goxel::voxel {
namespace {

constexpr Rgba kRed{255, 0, 0, 255};
constexpr Rgba kBlue{0, 0, 255, 255};

// Sets one voxel on the active layer as one undo step.
bool Paint(Project& p, Vec3i pos, Rgba c) {
  p.BeginEdit();
  (void)p.MutableVolume(p.active_layer_id())->Set(pos, c);
  return p.EndEdit();
}

TEST(Project, StartsWithOneActiveLayerAndIsClean) {
  Project p("demo", 32, 16, 8);
  EXPECT_EQ(p.name(), "demo");
  EXPECT_EQ(p.width(), 32);
  EXPECT_EQ(p.depth(), 8);
  ASSERT_EQ(p.layers().size(), 1u);
  EXPECT_EQ(p.active_layer().name, "Layer 1");
  EXPECT_GT(p.active_layer_id(), 0);
  EXPECT_FALSE(p.dirty());
  EXPECT_FALSE(p.CanUndo());
  EXPECT_GT(p.created_ms(), 0);
}

TEST(Project, LayerIdsAreUniqueAndNeverReused) {
  Project p;
  int32_t a = p.CreateLayer("a");
  int32_t b = p.CreateLayer();
  EXPECT_GT(b, a);
  EXPECT_EQ(p.FindLayer(b)->name, "Layer " + std::to_string(b));
  EXPECT_EQ(p.active_layer_id(), b);
  ASSERT_TRUE(p.DeleteLayer(b).ok());
  EXPECT_EQ(p.active_layer_id(), a);
  ASSERT_TRUE(p.Undo());  // b comes back
  EXPECT_NE(p.FindLayer(b), nullptr);
  ASSERT_TRUE(p.Undo());  // b never existed
  EXPECT_EQ(p.FindLayer(b), nullptr);
  int32_t c = p.CreateLayer("c");
  EXPECT_GT(c, b);
  EXPECT_EQ(p.FindLayerByName("a")->id, a);
  EXPECT_EQ(p.FindLayerByName("zzz"), nullptr);
}

TEST(Project, LayerErrors) {
  Project p;
  int32_t only = p.active_layer_id();
  EXPECT_EQ(p.DeleteLayer(only).code(), StatusCode::kInvalidParams);
  EXPECT_EQ(p.DeleteLayer(999).code(), kLayerNotFound);
  EXPECT_EQ(p.MergeLayers(only, only).code(), StatusCode::kInvalidParams);
  EXPECT_EQ(p.MergeLayers(999, only).code(), kLayerNotFound);
  EXPECT_EQ(p.MergeLayers(only, 999).code(), kLayerNotFound);
  EXPECT_EQ(p.SetLayerVisible(999, false).code(), kLayerNotFound);
  EXPECT_EQ(p.RenameLayer(999, "x").code(), kLayerNotFound);
  EXPECT_EQ(p.SetActiveLayer(999).code(), kLayerNotFound);
  EXPECT_FALSE(p.dirty());
  EXPECT_FALSE(p.CanUndo());
}

TEST(Project, MergeDrawsSourceOverTargetAndDeletesSource) {
  Project p;
  int32_t bottom = p.active_layer_id();
  Paint(p, {0, 0, 0}, kRed);
  Paint(p, {1, 0, 0}, kRed);
  int32_t top = p.CreateLayer("top");
  Paint(p, {1, 0, 0}, kBlue);
  Paint(p, {-20, 0, 0}, kBlue);
  ASSERT_TRUE(p.MergeLayers(top, bottom).ok());
  ASSERT_EQ(p.layers().size(), 1u);
  EXPECT_EQ(p.active_layer_id(), bottom);
  const Volume& v = p.FindLayer(bottom)->volume;
  EXPECT_EQ(v.CountVoxels(), 3);
  EXPECT_EQ(v.Get({0, 0, 0}), kRed);
  EXPECT_EQ(v.Get({1, 0, 0}), kBlue);
  EXPECT_EQ(v.Get({-20, 0, 0}), kBlue);
  ASSERT_TRUE(p.Undo());
  EXPECT_EQ(p.layers().size(), 2u);
  EXPECT_EQ(p.FindLayer(bottom)->volume.Get({1, 0, 0}), kRed);
}

TEST(Project, VisibilityRenameColorAreUndoable) {
  Project p;
  int32_t id = p.active_layer_id();
  ASSERT_TRUE(p.SetLayerVisible(id, false).ok());
  ASSERT_TRUE(p.RenameLayer(id, "ground").ok());
  ASSERT_TRUE(p.SetLayerColor(id, kBlue).ok());
  EXPECT_EQ(p.undo_size(), 3u);
  ASSERT_TRUE(p.SetLayerVisible(id, false).ok());  // no change, no step
  EXPECT_EQ(p.undo_size(), 3u);
  p.Undo();
  p.Undo();
  EXPECT_EQ(p.FindLayer(id)->name, "Layer 1");
  EXPECT_FALSE(p.FindLayer(id)->visible);
  p.Undo();
  EXPECT_TRUE(p.FindLayer(id)->visible);
}

TEST(Project, UndoRedoAndRedoClearedByNewEdit) {
  Project p;
  EXPECT_TRUE(Paint(p, {1, 2, 3}, kRed));
  EXPECT_TRUE(Paint(p, {1, 2, 3}, kBlue));
  EXPECT_FALSE(Paint(p, {1, 2, 3}, kBlue));  // nothing changed: no step
  EXPECT_EQ(p.undo_size(), 2u);
  ASSERT_TRUE(p.Undo());
  EXPECT_EQ(p.active_layer().volume.Get({1, 2, 3}), kRed);
  ASSERT_TRUE(p.Undo());
  EXPECT_TRUE(p.active_layer().volume.Get({1, 2, 3}).empty());
  EXPECT_FALSE(p.Undo());
  ASSERT_TRUE(p.Redo());
  EXPECT_EQ(p.active_layer().volume.Get({1, 2, 3}), kRed);
  EXPECT_TRUE(p.CanRedo());
  EXPECT_TRUE(Paint(p, {0, 0, 0}, kRed));
  EXPECT_FALSE(p.CanRedo());
  EXPECT_FALSE(p.Redo());
}

TEST(Project, NestedEditsAreOneStep) {
  Project p;
  p.BeginEdit();
  (void)p.MutableVolume(p.active_layer_id())->Set({0, 0, 0}, kRed);
  p.BeginEdit();
  (void)p.MutableVolume(p.active_layer_id())->Set({1, 0, 0}, kRed);
  EXPECT_FALSE(p.EndEdit());
  EXPECT_TRUE(p.EndEdit());
  EXPECT_EQ(p.undo_size(), 1u);
  p.Undo();
  EXPECT_EQ(p.CountVoxels(), 0);
}

TEST(Project, HistoryDepthLimit) {
  Project p;
  p.SetHistoryDepth(5);
  for (int i = 0; i < 12; ++i) Paint(p, {i, 0, 0}, kRed);
  EXPECT_EQ(p.undo_size(), 5u);
  while (p.Undo()) {
  }
  EXPECT_EQ(p.CountVoxels(), 7);  // the 7 oldest steps are beyond reach
  p.SetHistoryDepth(2);
  EXPECT_EQ(p.undo_size(), 0u);
  EXPECT_EQ(p.redo_size(), 5u);
  p.SetHistoryDepth(0);
  Paint(p, {100, 0, 0}, kRed);
  EXPECT_FALSE(p.CanUndo());
  EXPECT_EQ(Project().history_depth(), 64u);
}

TEST(Project, DirtyFollowsSavedState) {
  Project p;
  EXPECT_FALSE(p.dirty());
  Paint(p, {0, 0, 0}, kRed);
  EXPECT_TRUE(p.dirty());
  p.MarkSaved("/tmp/a.gox");
  EXPECT_FALSE(p.dirty());
  EXPECT_EQ(p.file_path(), "/tmp/a.gox");
  uint64_t saved = p.state_id();
  Paint(p, {1, 0, 0}, kRed);
  EXPECT_TRUE(p.dirty());
  EXPECT_NE(p.state_id(), saved);
  p.Undo();
  EXPECT_FALSE(p.dirty());
  EXPECT_EQ(p.state_id(), saved);
  p.Undo();
  EXPECT_TRUE(p.dirty());
}

TEST(Project, SceneRoundTripAndIdRepair) {
  Scene s;
  s.width = 10;
  Layer a, b, c;
  a.id = 7;
  a.name = "a";
  a.volume.Set({0, 0, 0}, kRed);
  b.id = 7;  // duplicate
  b.name = "b";
  c.id = 0;  // missing
  s.layers = {a, b, c};
  s.kept_chunks.push_back({"gox", "CAMR", {1, 2, 3}});
  Project p = Project::FromScene(s, "scene");
  ASSERT_EQ(p.layers().size(), 3u);
  EXPECT_EQ(p.layers()[0].id, 7);
  EXPECT_NE(p.layers()[1].id, 7);
  EXPECT_NE(p.layers()[2].id, p.layers()[1].id);
  EXPECT_GT(p.layers()[2].id, 0);
  EXPECT_FALSE(p.layers()[2].name.empty());
  EXPECT_EQ(p.active_layer_id(), p.layers()[2].id);
  int32_t fresh = p.CreateLayer();
  for (size_t i = 0; i < 3; ++i) EXPECT_NE(p.layers()[i].id, fresh);
  Scene out = p.ToScene();
  EXPECT_EQ(out.width, 10);
  ASSERT_EQ(out.kept_chunks.size(), 1u);
  EXPECT_EQ(out.kept_chunks[0].type, "CAMR");
  EXPECT_EQ(out.kept_chunks[0].data, (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_EQ(out.layers.size(), 4u);
  EXPECT_EQ(out.layers[0].volume.Get({0, 0, 0}), kRed);
  EXPECT_EQ(Project::FromScene(Scene{}, "e").layers().size(), 1u);
}

TEST(Project, MergedVisibleUpperWins) {
  Project p;
  int32_t l1 = p.active_layer_id();
  p.BeginEdit();
  p.MutableVolume(l1)->FillBox({{0, 0, 0}, {31, 31, 31}}, kRed);
  p.EndEdit();
  int32_t l2 = p.CreateLayer();
  Paint(p, {5, 5, 5}, kBlue);
  Paint(p, {100, 5, 5}, kBlue);
  int32_t l3 = p.CreateLayer();
  Paint(p, {6, 5, 5}, Rgba{1, 1, 1, 255});
  ASSERT_TRUE(p.SetLayerVisible(l3, false).ok());
  Volume m = p.MergedVisible();
  EXPECT_EQ(m.CountVoxels(), 32 * 32 * 32 + 1);
  EXPECT_EQ(m.Get({5, 5, 5}), kBlue);
  EXPECT_EQ(m.Get({6, 5, 5}), kRed);
  EXPECT_EQ(m.Get({100, 5, 5}), kBlue);
  // The layers themselves are untouched.
  EXPECT_EQ(p.FindLayer(l1)->volume.Get({5, 5, 5}), kRed);
  EXPECT_EQ(p.FindLayer(l2)->volume.CountVoxels(), 2);
}

TEST(Project, VersionMovesOnwardOnEveryChangeUndoAndRedoIncluded) {
  Project p;
  EXPECT_EQ(p.version(), 1u);
  std::vector<uint64_t> seen = {p.version()};
  auto changed = [&] {
    EXPECT_GT(p.version(), seen.back());
    seen.push_back(p.version());
  };
  p.BeginEdit();
  (void)p.MutableVolume(p.active_layer_id())
      ->Set({1, 2, 3}, Rgba{1, 2, 3, 255});
  p.EndEdit();
  changed();
  const uint64_t state_after_edit = p.state_id();
  ASSERT_TRUE(p.Undo());
  changed();  // the layers are back to the start, the version is not
  ASSERT_TRUE(p.Redo());
  changed();
  EXPECT_EQ(p.state_id(), state_after_edit);
  int32_t l2 = p.CreateLayer("two");
  changed();
  ASSERT_TRUE(p.SetActiveLayer(1).ok());
  changed();
  p.set_selection(Box{{0, 0, 0}, {1, 1, 1}});
  changed();
  p.set_name("renamed");
  changed();
  p.SetCanvas(8, 8, 8);
  changed();
  ASSERT_TRUE(p.DeleteLayer(l2).ok());
  changed();
}

TEST(Project, VersionStaysWhenNothingChanges) {
  Project p;
  p.BeginEdit();
  (void)p.MutableVolume(p.active_layer_id())->Set({1, 2, 3}, Rgba{});  // empty
  p.EndEdit();
  ASSERT_TRUE(p.SetActiveLayer(p.active_layer_id()).ok());
  p.set_selection(std::nullopt);
  p.MarkSaved("/tmp/x.gox");  // saving is not a change of the document
  EXPECT_FALSE(p.Undo());
  EXPECT_EQ(p.version(), 1u);
}

}  // namespace
}  // namespace goxel::voxel
