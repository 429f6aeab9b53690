// Shared helpers of the goxel.* method files: reading positions, colours,
// boxes, projects and layers from params, and writing results.
//
// Readers return -32602 (kInvalidParams) with data {param, expected, got}
// for wrong types, out-of-range colours and missing required values, and
// -32003 (kInvalidPosition) for coordinates outside the int32 range or an
// inverted box. Positions: integers, or any number meaning the point in
// space, mapped to the cell that contains it (floor). Colours: [r,g,b(,a)],
// "#rrggbb[aa]" or r,g,b,a fields; a missing alpha is 255 and, as in v14,
// an alpha of 0 also means 255 (remove voxels with the remove methods).
//
// Thread contract: stateless functions; thread-safe. Functions taking a
// Project need the caller to hold that project's lock (shared is enough).
#ifndef GOXEL_METHODS_ARGS_H_
#define GOXEL_METHODS_ARGS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "methods/workspace.h"
#include "rpc/json.h"
#include "rpc/method_table.h"
#include "rpc/params.h"
#include "voxel/project.h"
#include "voxel/shapes.h"
#include "voxel/tools.h"
#include "voxel/volume.h"

namespace goxel::methods {

using rpc::Call;
using rpc::JsonAllocator;
using rpc::JsonValue;
using rpc::Params;
using rpc::ParamSpec;
using voxel::Box;
using voxel::Rgba;
using voxel::Vec3i;

// layer_id meaning "every layer, composed (upper layers win)" for queries.
inline constexpr int32_t kAllLayers = -1;

// --- Reading params ---

// One coordinate: a number, floored, inside int32.
Result<int32_t> CoordFromJson(const JsonValue& v, std::string_view param);
// [x,y,z] or {x,y,z}.
Result<Vec3i> Vec3FromJson(const JsonValue& v, std::string_view param);
// `position` ([x,y,z]) or the x, y, z params (all required).
Result<Vec3i> ReadPosition(const Params& p);
// Param `name` ([x,y,z]) or its three component aliases (v14's center_x..,
// size_x..: any subset, the others from `fallback`), else `fallback`.
Result<Vec3i> ReadVec3Param(const Params& p, std::string_view name,
                            std::string_view v14_prefix, Vec3i fallback);
// One colour channel 0..255.
Result<uint8_t> ChannelFromJson(const JsonValue& v, std::string_view param);
// [r,g,b(,a)] or "#rrggbb[aa]" (the '#' optional).
Result<Rgba> ColorFromJson(const JsonValue& v, std::string_view param);
// `color` or the r, g, b(, a) params; nullopt when none is given.
Result<std::optional<Rgba>> ReadColorOpt(const Params& p);
// Like ReadColorOpt, but a missing colour is an error naming "color".
Result<Rgba> ReadColor(const Params& p);
// {min:[x,y,z], max:[x,y,z]} (any corner order is an error: min <= max)
// or the string "selection" (the project's selection; needs `project`).
Result<Box> BoxFromJson(const JsonValue& v, std::string_view param,
                        const voxel::Project* project);
// A box from two corners; -32003 when min > max on an axis.
Result<Box> BoxFromCorners(const JsonValue& min, const JsonValue& max,
                           std::string_view min_name,
                           std::string_view max_name);
// The required `min` and `max` corners as a box.
Result<Box> ReadMinMax(const Params& p);
// `mode`: "add" (default), "remove" or "paint".
Result<voxel::ApplyMode> ReadMode(const Params& p);
// `axis`: "x", "y" or "z" (default).
Result<voxel::Axis> ReadAxis(const Params& p);
// An optional string param that names a project ("" when absent).
Result<std::string> ReadProjectId(const Params& p);

// -32602 {param, expected, got} when `text` (a name or a path a client
// gave) holds a control character (U+0000-U+001F, U+007F) or a Unicode
// bidirectional override or isolate (U+202A-U+202E, U+2066-U+2069), which
// make names print as something they are not.
Status CheckPrintable(std::string_view text, std::string_view param);

// A name param (project or layer name): a string, `fallback` when absent,
// checked by CheckPrintable.
Result<std::string> ReadName(const Params& p, const char* param,
                             const std::string& fallback);
// The project named by `project_id`, or the active one. With none open, a
// call with positional params (v14's form) opens an empty "Untitled" one
// (Workspace::FindOrOpenDefault); others get -32001.
Result<ProjectRef> ResolveProject(Workspace& ws, const Params& p);
// The layer `v` names, the one resolver of every method's layer params: an
// integer id, or a layer's name (the first layer bottom up with that name).
// Null is the active layer, and so is an id <= 0, as in v14 (its clients
// send 0 by default). Otherwise -32002 with data {param, layer_id or layer,
// layer_ids, layer_names}; a value of another type is -32602.
Result<int32_t> LayerFromJson(const JsonValue* v, std::string_view param,
                              const voxel::Project& project);
// LayerFromJson of param `name`; with allow_all, absent or -1 is kAllLayers.
Result<int32_t> ResolveLayer(const Params& p, const voxel::Project& project,
                             std::string_view name = "layer",
                             bool allow_all = false);
// --- Busy projects and versions ---

// -32007 when the optional `expected_version` param differs from the
// project's version (data project_id, expected_version, version); -32602
// when it is not a non-negative integer. The caller holds the lock it will
// edit under, so nothing can change between the check and the edit.
Status CheckExpectedVersion(const Params& p, const OpenProject& op)
    REQUIRES_SHARED(op.mu);
// A mutating call's first step after constructing `lock` on op.mu: the
// lock's Busy() when it is not held, else CheckExpectedVersion.
Status AdmitEdit(const CallWriterLock& lock, const OpenProject& op,
                 const Params& p) REQUIRES(op.mu);
// Documents a mutating method's versioning in the table: appends the
// expected_version param and `version` to the result's description.
rpc::MethodSpec Versioned(rpc::MethodSpec spec);

// -32006 when `count` exceeds the per-call voxel cap.
Status CheckVoxelCap(int64_t count, int64_t cap, std::string_view what);
// `s` with its "param" detail (and message) prefixed, e.g. "voxels[3].".
Status PrefixParam(const Status& s, const std::string& prefix);

// --- Reading voxels ---

// Copies of the volumes a query reads (cheap: copy-on-write), taken under
// the caller's lock: one layer's, or every layer's (bottom first).
std::vector<voxel::Volume> SnapshotVolumes(const voxel::Project& project,
                                           int32_t layer_id);
// The volumes composed into one (upper wins). O(1) for one volume.
voxel::Volume Compose(std::vector<voxel::Volume> volumes);
// The colour at p seen through every layer (topmost non-empty).
Rgba ComposedGet(const voxel::Project& project, Vec3i p);

// --- Writing results ---
JsonValue ColorArray(Rgba c, JsonAllocator& a);
JsonValue Vec3Array(Vec3i v, JsonAllocator& a);
JsonValue BoxJson(const Box& b, JsonAllocator& a);  // {min, max}
std::string HexColor(Rgba c, bool with_alpha);      // "#rrggbb[aa]"
// obj[key] = v for a literal key.
template <typename T>
void Put(JsonValue& obj, const char* key, T&& v, JsonAllocator& a) {
  obj.AddMember(rapidjson::StringRef(key), JsonValue(std::forward<T>(v)), a);
}
inline void PutString(JsonValue& obj, const char* key, std::string_view s,
                      JsonAllocator& a) {
  obj.AddMember(rapidjson::StringRef(key), rpc::MakeString(s, a), a);
}

// Common ParamSpec rows.
ParamSpec ProjectIdParam();
// The v14 row `layer_id` (an alias of `layer`, added by WithV14Aliases).
ParamSpec LayerIdParam(std::string_view what);

// One vocabulary: turns the rows of v14 names (x,y,z; r,g,b,a; layer_id,
// layer_name; center_x..; size_x..; output_path; source_layer_id,
// target_layer_id) into alias rows of their canonical params (position,
// color, layer, size, path, source_layer, target_layer), keeping their
// positional slots, and appends each canonical row the spec lacks (a
// canonical row already in the spec keeps its text; it becomes required
// when an alias row was). docs/API.md and CHANGELOG list the mapping.
rpc::MethodSpec WithV14Aliases(rpc::MethodSpec spec);
// Adds every method of `from` to `to` through WithV14Aliases.
Status AddWithV14Aliases(const rpc::MethodTable& from, rpc::MethodTable* to);

}  // namespace goxel::methods

#endif  // GOXEL_METHODS_ARGS_H_
