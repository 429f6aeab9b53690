// Methods for agents building models (issue 15): goxel.edit (a list of
// operations applied atomically as one undo step), copy_region and
// move_region, text grids (read_grid, write_grid), contact sheets
// (render_views), checkpoints and goxel.analyze. Any JSON-RPC client may
// use them; goxel-mcp (client/mcp) wraps them as MCP tools.
//
// Vocabulary: position/min/max/center/offset are [x,y,z]; colours are
// [r,g,b(,a)] or "#rrggbb(aa)"; a layer is named by `layer`, an integer id
// or a layer name.
//
// Files: agent_edit.cc (edit, copy_region, move_region), agent_methods.cc
// (the rest). Thread contract as goxel_methods.h: handlers are thread-safe.
#ifndef GOXEL_METHODS_AGENT_METHODS_H_
#define GOXEL_METHODS_AGENT_METHODS_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "methods/args.h"
#include "methods/workspace.h"
#include "rpc/method_table.h"

namespace goxel::methods {

// Registers every method above.
Status RegisterAgentMethods(rpc::MethodTable* table, Workspace* ws);
// Per file.
Status RegisterAgentEditMethods(rpc::MethodTable* table, Workspace* ws);

// Checks that every member of the object `obj` is one of `allowed`;
// otherwise -32602 naming the member and listing what is allowed.
Status CheckKnownFields(const JsonValue& obj, std::string_view where,
                        const std::vector<std::string_view>& allowed);

// The `layer` ParamSpec row.
ParamSpec LayerParam(std::string_view what);

}  // namespace goxel::methods

#endif  // GOXEL_METHODS_AGENT_METHODS_H_
