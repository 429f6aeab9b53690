#include "methods/project_lock.h"

#include <chrono>
#include <string>

#include "methods/status_codes.h"

namespace goxel::methods {

Status ProjectBusy(std::string_view project_id, int64_t timeout_ms) {
  return Status::Error(kConcurrentAccess,
                       "project " + std::string(project_id) +
                           " is busy: its lock was not free within " +
                           std::to_string(timeout_ms) + " ms")
      .With("project_id", std::string(project_id))
      .With("lock_timeout_ms", timeout_ms);
}

Status ProjectRestoring(std::string_view project_id) {
  return Status::Error(kConcurrentAccess,
                       "project " + std::string(project_id) +
                           " is being restored from its autosave: try again "
                           "shortly")
      .With("project_id", std::string(project_id))
      .With("reason", std::string("restoring"));
}

bool TakeWriterLock(SharedMutex* mu, LockWait wait) {
  if (wait.try_only) return mu->TryLock();
  if (wait.timeout_ms > 0)
    return mu->LockFor(std::chrono::milliseconds(wait.timeout_ms));
  mu->Lock();
  return true;
}

bool TakeReaderLock(SharedMutex* mu, LockWait wait) {
  if (wait.try_only) return mu->TryLockShared();
  if (wait.timeout_ms > 0)
    return mu->LockSharedFor(std::chrono::milliseconds(wait.timeout_ms));
  mu->LockShared();
  return true;
}

}  // namespace goxel::methods
