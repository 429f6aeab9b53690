// One edit of a project under the engine memory limit: the edit may not take
// what the engine holds (voxel::EngineBytes) past the limit in force
// (performance.max_memory_mb, or the derived default: ops/memory_limit.h).
// The engine stops allocating once past it; the edit is then rolled back
// with nothing changed and the call fails with -32006.
//
// Thread contract: a stack object of the thread that holds the project's
// writer lock; Finish() before the lock is released.
#ifndef GOXEL_METHODS_EDIT_BUDGET_H_
#define GOXEL_METHODS_EDIT_BUDGET_H_

#include "base/status.h"
#include "rpc/method_table.h"
#include "voxel/project.h"
#include "voxel/volume.h"

namespace goxel::methods {

// -32006 for an edit or a file read that passed the memory limit: data
// {limit, reached} in bytes; the message says nothing changed.
Status MemoryLimitError(const voxel::MemoryBudget& budget, const char* what);

// The bytes of a call's request DOM: the capacity of its allocator, which
// holds the parsed text (params included) and nothing else until the result
// is built. About 250 B per voxel object of add_voxel_batch.
int64_t RequestBytes(rpc::Call& call);

class BoundedEdit {
 public:
  // Begins an edit of `project` (BeginEdit) under the limit in force. On a
  // worker, Finish() also frees the project's retired history steps; on the
  // loop thread (`on_loop`, kInline methods) they are left for a worker.
  // `held_bytes`, what the edit holds besides the engine (its request's
  // DOM, its parsed entries: RequestBytes), count against the limit until
  // the edit ends; when they alone pass it, the edit changes nothing and
  // Finish() fails.
  explicit BoundedEdit(voxel::Project* project, bool on_loop = false,
                       int64_t held_bytes = 0)
      : project_(project), on_loop_(on_loop), held_(held_bytes) {
    project_->BeginEdit();
  }

  // How many retired history steps an inline edit may leave behind: past
  // this, a kInline edit returns WouldBlock and runs on a worker, which
  // frees them (so the loop thread never frees what an older edit held).
  static constexpr size_t kMaxRetiredOnLoop = 8;
  BoundedEdit(const BoundedEdit&) = delete;
  BoundedEdit& operator=(const BoundedEdit&) = delete;
  ~BoundedEdit() {
    if (!finished_) (void)Finish();
  }

  // Ends the edit: EndEdit() and Ok, or CancelEdit() and -32006 when it
  // passed the limit.
  [[nodiscard]] Status Finish();

 private:
  voxel::Project* project_;
  bool on_loop_;
  voxel::MemoryBudget budget_;
  voxel::EngineCharge held_;  // after budget_: checked against it
  bool finished_ = false;
};

}  // namespace goxel::methods

#endif  // GOXEL_METHODS_EDIT_BUDGET_H_
