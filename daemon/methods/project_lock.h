// The lock a call takes on a project: bounded waits (-32007 when a project
// stays busy longer than the lock timeout) and, on the loop thread, try-only
// locks (WouldBlock: the server runs the request on a worker instead).
//
// Thread contract: the lock objects belong to the thread that made them;
// the functions are thread-safe.
#ifndef GOXEL_METHODS_PROJECT_LOCK_H_
#define GOXEL_METHODS_PROJECT_LOCK_H_

#include <cstdint>
#include <string_view>

#include "base/mutex.h"
#include "base/status.h"

namespace goxel::methods {

// How a call waits for a project's lock.
struct LockWait {
  // On the loop thread (CallerInfo::on_loop, kInline methods): only try.
  bool try_only = false;
  // Otherwise wait at most this long; 0 waits for as long as it takes.
  int64_t timeout_ms = 0;
};

// -32007: the project's lock was not free within `timeout_ms`. Data:
// project_id, lock_timeout_ms (the server adds method).
Status ProjectBusy(std::string_view project_id, int64_t timeout_ms);
// -32007 "project <id> is being restored from its autosave", data
// {project_id, reason: "restoring"}: try again shortly.
Status ProjectRestoring(std::string_view project_id);

// What a kInline handler returns when its lock is taken on the loop thread.
inline Status WouldBlock() {
  return Status::Error(StatusCode::kWouldBlock, "project is busy");
}

// Take `mu` exclusive (writer) or shared (reader) as `wait` says; true
// when taken (the analysis knows: a try-acquire on true).
bool TakeWriterLock(SharedMutex* mu, LockWait wait)
    GOXEL_THREAD_ANNOTATION(try_acquire_capability(true, mu));
bool TakeReaderLock(SharedMutex* mu, LockWait wait)
    GOXEL_THREAD_ANNOTATION(try_acquire_shared_capability(true, mu));

// A project lock taken for a call. On a worker it waits at most
// wait.timeout_ms (0: as long as it takes). On the loop thread
// (wait.try_only) it only tries, and the server runs the request on a
// worker when Busy() says WouldBlock(). When held() is false the handler
// must return Busy(id) at once, touching nothing the lock guards. The
// analysis is told the lock is taken (ACQUIRE on the constructor); the
// held() check right after makes that true.
template <bool kShared>
class CallLockBase {
 public:
  CallLockBase(SharedMutex* mu, LockWait wait)
      : mu_(mu),
        wait_(wait),
        held_(kShared ? TakeReaderLock(mu, wait) : TakeWriterLock(mu, wait)) {}
  CallLockBase(const CallLockBase&) = delete;
  CallLockBase& operator=(const CallLockBase&) = delete;
  bool held() const { return held_; }
  // Why the lock is not held: WouldBlock() on the loop thread, else -32007
  // (ProjectBusy) for the project `project_id`.
  Status Busy(std::string_view project_id) const {
    return wait_.try_only ? WouldBlock()
                          : ProjectBusy(project_id, wait_.timeout_ms);
  }

 protected:
  SharedMutex* const mu_;
  const LockWait wait_;
  const bool held_;
};

class SCOPED_CAPABILITY CallWriterLock : public CallLockBase<false> {
 public:
  CallWriterLock(SharedMutex* mu, LockWait wait) ACQUIRE(mu)
      : CallLockBase(mu, wait) {}
  ~CallWriterLock() RELEASE() {
    if (held_) mu_->Unlock();
  }
};

class SCOPED_CAPABILITY CallReaderLock : public CallLockBase<true> {
 public:
  CallReaderLock(SharedMutex* mu, LockWait wait) ACQUIRE_SHARED(mu)
      : CallLockBase(mu, wait) {}
  ~CallReaderLock() RELEASE() {
    if (held_) mu_->UnlockShared();
  }
};

}  // namespace goxel::methods

#endif  // GOXEL_METHODS_PROJECT_LOCK_H_
