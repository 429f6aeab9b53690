// The goxel.* editing and query methods (issue 4), registered into the
// method table with their v14 names, params (positional order = the order
// of each spec's params) and result shapes.
//
// Files by topic: project_methods.cc (projects, status, undo/redo),
// layer_methods.cc, edit_methods.cc (voxels and batches), shape_methods.cc
// (shapes, fills, strokes, flood fill, selection), query_methods.cc (reads
// and statistics). Every handler runs on a worker thread (kPooled) and
// reaches projects only through the Workspace.
//
// Thread contract: registration is single-threaded at start-up; the
// handlers are thread-safe. `ws` must outlive the method table.
#ifndef GOXEL_METHODS_GOXEL_METHODS_H_
#define GOXEL_METHODS_GOXEL_METHODS_H_

#include "base/status.h"
#include "methods/workspace.h"
#include "rpc/method_table.h"

namespace goxel::methods {

// Registers every method below. Fails if a name is already taken.
Status RegisterGoxelMethods(rpc::MethodTable* table, Workspace* ws);

// Per topic; RegisterGoxelMethods calls them all.
Status RegisterProjectMethods(rpc::MethodTable* table, Workspace* ws);
Status RegisterLayerMethods(rpc::MethodTable* table, Workspace* ws);
Status RegisterEditMethods(rpc::MethodTable* table, Workspace* ws);
Status RegisterShapeMethods(rpc::MethodTable* table, Workspace* ws);
Status RegisterQueryMethods(rpc::MethodTable* table, Workspace* ws);

// debug.hold_project (debug_methods.cc): for tests of busy projects; only
// with --enable-debug-methods. Not part of RegisterGoxelMethods.
Status RegisterDebugProjectMethods(rpc::MethodTable* table, Workspace* ws);

}  // namespace goxel::methods

#endif  // GOXEL_METHODS_GOXEL_METHODS_H_
