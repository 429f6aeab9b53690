#include "methods/project_lock.h"

#include <chrono>
#include <string>

namespace goxel::methods {

Status ProjectBusy(std::string_view project_id, int64_t timeout_ms) {
  return Status::Error(StatusCode::kConcurrentAccess,
                       "project " + std::string(project_id) +
                           " is busy: its lock was not free within " +
                           std::to_string(timeout_ms) + " ms")
      .With("project_id", std::string(project_id))
      .With("lock_timeout_ms", timeout_ms);
}

Status ProjectRestoring(std::string_view project_id) {
  return Status::Error(StatusCode::kConcurrentAccess,
                       "project " + std::string(project_id) +
                           " is being restored from its autosave: try again "
                           "shortly")
      .With("project_id", std::string(project_id))
      .With("reason", std::string("restoring"));
}

bool TakeCallLock(SharedMutex* mu, bool shared,
                  LockWait wait) NO_THREAD_SAFETY_ANALYSIS {
  if (wait.try_only) return shared ? mu->TryLockShared() : mu->TryLock();
  if (wait.timeout_ms > 0) {
    const std::chrono::milliseconds d(wait.timeout_ms);
    return shared ? mu->LockSharedFor(d) : mu->LockFor(d);
  }
  if (shared) {
    mu->LockShared();
  } else {
    mu->Lock();
  }
  return true;
}

}  // namespace goxel::methods
