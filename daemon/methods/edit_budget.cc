#include "methods/edit_budget.h"

#include <string>

#include "base/heap.h"

namespace goxel::methods {

Status MemoryLimitError(const voxel::MemoryBudget& budget, const char* what) {
  return Status::ResourceExhausted(
             std::string("memory limit: ") + what +
             " would take the voxel engine past performance.memory_limit (" +
             std::to_string(budget.limit() >> 20) +
             " MiB); nothing changed. Free memory (close projects, undo) or "
             "raise performance.max_memory_mb")
      .With("limit", static_cast<int64_t>(budget.limit()))
      .With("reached", budget.reached());
}

int64_t RequestBytes(rpc::Call& call) {
  return static_cast<int64_t>(call.alloc().Capacity());
}

Status BoundedEdit::Finish() {
  finished_ = true;
  if (budget_.exceeded()) {
    project_->CancelEdit();
    project_->DropRetired();
    ReturnFreedMemory();
    return MemoryLimitError(budget_, "this edit");
  }
  project_->EndEdit();
  if (!on_loop_) project_->DropRetired();
  return Status::Ok();
}

}  // namespace goxel::methods
