#include "methods/examples.h"

namespace goxel::methods {

namespace {

struct Example {
  const char* method;
  const char* params;
};

constexpr Example kExamples[] = {
    {"goxel.create_project", R"({"name":"house","size":[32,32,32]})"},
    {"goxel.create_project", R"(["house",32,32,32])"},
    {"goxel.get_status", R"({})"},
    {"goxel.get_project_info", R"({})"},
    {"goxel.list_projects", R"({})"},
    {"goxel.undo", R"({})"},
    {"goxel.redo", R"({})"},
    {"goxel.list_layers", R"({})"},
    {"goxel.create_layer", R"({"name":"walls","color":"#c08040"})"},
    {"goxel.delete_layer", R"({"layer":"roof"})"},
    {"goxel.merge_layers", R"({"source_layer":"roof","target_layer":1})"},
    {"goxel.set_layer_visibility", R"({"layer":"roof","visible":false})"},
    {"goxel.set_active_layer", R"({"layer":"roof"})"},
    {"goxel.add_voxel", R"({"position":[5,0,0],"color":[255,0,0]})"},
    {"goxel.add_voxel", R"([5,0,0,255,0,0,255,0])"},
    {"goxel.add_voxel",
     R"({"position":[5,1,0],"color":"#00ff00","layer":"roof"})"},
    {"goxel.remove_voxel", R"({"position":[0,0,0]})"},
    {"goxel.paint_voxels", R"({"position":[0,0,0],"color":"#0000ff"})"},
    {"goxel.paint_voxels",
     R"({"region":{"min":[0,0,0],"max":[3,3,0]},"color":"#0000ff"})"},
    {"goxel.add_voxel_batch",
     R"({"voxels":[[6,0,0],{"position":[7,0,0],"color":"#ff8800"}],)"
     R"("color":[10,20,30]})"},
    {"goxel.remove_voxels", R"({"region":{"min":[0,0,0],"max":[1,1,1]}})"},
    {"goxel.batch_operations",
     R"({"operations":[{"type":"add_voxel","position":[9,0,0],)"
     R"("color":"#ffffff"},{"type":"remove_voxel","position":[0,0,0]}]})"},
    {"goxel.procedural_shape",
     R"({"shape_type":"box","position":[10,10,0],"size":[4,4,2],)"
     R"("color":"#808080"})"},
    {"goxel.procedural_shape",
     R"({"shape_type":"sphere","position":[5,5,5],"radius":2,)"
     R"("color":[255,255,255]})"},
    {"goxel.procedural_shape",
     R"({"shape_type":"line","start":[0,0,8],"end":[7,0,8],)"
     R"("color":"#000000"})"},
    {"goxel.fill_region", R"({"min":[0,0,4],"max":[3,3,4],"color":"#aa0000"})"},
    {"goxel.fill_region", R"({"region":"selection","clear":true})"},
    {"goxel.brush_stroke",
     R"({"points":[[0,0,6],[5,0,6],[5,5,6]],"radius":1,"color":"#3050ff"})"},
    {"goxel.flood_fill", R"({"position":[0,0,0],"color":"#00aa00"})"},
    {"goxel.select_region", R"({"min":[0,0,0],"max":[7,7,7]})"},
    {"goxel.get_voxel", R"({"position":[0,0,0]})"},
    {"goxel.get_voxel", R"([0,0,0])"},
    {"goxel.get_voxels", R"({"voxels":[[0,0,0],[9,9,9]]})"},
    {"goxel.get_voxels_region", R"({"min":[0,0,0],"max":[3,3,3],"limit":10})"},
    {"goxel.get_layer_voxels", R"({"layer":1,"limit":5})"},
    {"goxel.get_bounding_box", R"({})"},
    {"goxel.get_color_histogram", R"({"top_n":5})"},
    {"goxel.find_voxels_by_color",
     R"({"color":"#ff0000","tolerance":8,"max_results":10})"},
    {"goxel.get_unique_colors", R"({"merge_similar":true})"},
    {"goxel.load_project", R"({"path":"house.gox"})"},
    {"goxel.save_project", R"({"path":"house-copy.gox"})"},
    {"goxel.export_model", R"({"path":"house.vox"})"},
    {"goxel.import_model", R"({"path":"house.gox","offset":[20,0,0]})"},
    {"goxel.list_formats", R"({})"},
    {"goxel.render_scene",
     R"({"path":"house.png","width":256,"height":256,"camera":"front"})"},
    {"goxel.render_scene", R"({"width":64,"height":64})"},
    {"goxel.render_image", R"({"width":64,"height":64,"camera":"isometric"})"},
    {"add_voxels", R"({"voxels":[{"x":9,"y":9,"z":9,"r":1,"g":2,"b":3}]})"},
    {"goxel.edit", R"({"operations":[{"op":"box","min":[0,0,6],"max":[3,3,6],)"
                   R"("color":"#777777"},{"op":"set","position":[1,1,7],)"
                   R"("color":"#ff0000"}]})"},
    {"goxel.copy_region", R"({"min":[0,0,0],"max":[3,3,3],"offset":[10,0,0]})"},
    {"goxel.copy_region",
     R"({"min":[0,0,0],"max":[3,3,3],"to":[0,10,0],"target_layer":"roof"})"},
    {"goxel.move_region", R"({"min":[0,0,0],"max":[3,3,3],"offset":[0,0,4]})"},
    {"goxel.read_grid", R"({"min":[0,0,0],"max":[3,3,1]})"},
    {"goxel.write_grid", R"({"min":[0,0,8],"legend":{"r":"#ff0000"},)"
                         R"("slices":[{"rows":["r.","rr"]}]})"},
    {"goxel.rename_layer", R"({"layer":"roof","name":"attic"})"},
    {"goxel.create_checkpoint", R"({"name":"before-roof"})"},
    {"goxel.list_checkpoints", R"({})"},
    {"goxel.analyze", R"({})"},
    {"goxel.render_views",
     R"({"views":["front","top"],"width":128,"height":64})"},
};

struct Ignored {
  const char* method;
  const char* key;
};

// v14's example clients (its snoopy_test scripts) send render_scene
// {"options": {"return_mode": "file_path"}}: accepted, unused.
constexpr Ignored kIgnored[] = {
    {"goxel.render_scene", "options"},
};

}  // namespace

std::vector<std::string> ExamplesOf(std::string_view method) {
  std::vector<std::string> out;
  for (const Example& e : kExamples) {
    if (method == e.method) out.emplace_back(e.params);
  }
  return out;
}

std::vector<std::string> IgnoredV14Keys(std::string_view method) {
  std::vector<std::string> out;
  for (const Ignored& i : kIgnored) {
    if (method == i.method) out.emplace_back(i.key);
  }
  return out;
}

}  // namespace goxel::methods
