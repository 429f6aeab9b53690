// Annotated mutexes, so clang's -Wthread-safety checks GUARDED_BY fields.
//
// Mutex wraps std::mutex; SharedMutex wraps std::shared_timed_mutex (readers
// and writers, used per project; timed so a request can give up waiting for
// a busy project instead of waiting for as long as it takes). MutexLock,
// WriterLock and ReaderLock are the scoped holders; CondVar waits on a held
// Mutex. Thread-safe, as their names say.
#ifndef GOXEL_BASE_MUTEX_H_
#define GOXEL_BASE_MUTEX_H_

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <shared_mutex>

#include "base/thread_annotations.h"

namespace goxel {

class CAPABILITY("mutex") Mutex {
 public:
  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  bool TryLock() GOXEL_THREAD_ANNOTATION(try_acquire_capability(true)) {
    return mu_.try_lock();
  }
  std::mutex& native() { return mu_; }

 private:
  std::mutex mu_;
};

class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() RELEASE() {
    if (held_) mu_->Unlock();
  }
  // Lets go for a while (work outside the lock), then takes it again; the
  // analysis follows both.
  void Unlock() RELEASE() {
    held_ = false;
    mu_->Unlock();
  }
  void Lock() ACQUIRE() {
    mu_->Lock();
    held_ = true;
  }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* mu_;
  bool held_ = true;
};

// A condition variable for a Mutex: Wait and WaitFor require the mutex held
// (the analysis checks every caller), release it while waiting and hold it
// again when they return. Spurious wake-ups happen: callers wait in a loop
// over their condition. Signal and SignalAll need no lock.
class CondVar {
 public:
  void Wait(Mutex* mu) REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu->native(), std::adopt_lock);
    cv_.wait(lock);
    lock.release();  // still held: the caller's
  }
  // False when `timeout` passed (on the steady clock); true when woken
  // before it, by a signal or spuriously.
  bool WaitFor(Mutex* mu, std::chrono::nanoseconds timeout) REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu->native(), std::adopt_lock);
    const bool signalled =
        cv_.wait_for(lock, timeout) == std::cv_status::no_timeout;
    lock.release();
    return signalled;
  }
  void Signal() { cv_.notify_one(); }
  void SignalAll() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

class CAPABILITY("shared_mutex") SharedMutex {
 public:
  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  bool TryLock() GOXEL_THREAD_ANNOTATION(try_acquire_capability(true)) {
    return mu_.try_lock();
  }
  // Waits at most `timeout` (measured on the steady clock, so changes of
  // the wall clock do not stretch or cut it) for the exclusive lock; true
  // when taken. A timeout <= 0 only tries, like TryLock().
  bool LockFor(std::chrono::milliseconds timeout)
      GOXEL_THREAD_ANNOTATION(try_acquire_capability(true)) {
    return mu_.try_lock_for(timeout);
  }
  void LockShared() ACQUIRE_SHARED() { mu_.lock_shared(); }
  bool TryLockShared()
      GOXEL_THREAD_ANNOTATION(try_acquire_shared_capability(true)) {
    return mu_.try_lock_shared();
  }
  // LockFor for the shared lock.
  bool LockSharedFor(std::chrono::milliseconds timeout)
      GOXEL_THREAD_ANNOTATION(try_acquire_shared_capability(true)) {
    return mu_.try_lock_shared_for(timeout);
  }
  void UnlockShared() RELEASE_SHARED() { mu_.unlock_shared(); }

 private:
  // On Linux both std::shared_mutex and this are a pthread rwlock; the
  // timed waits use pthread_rwlock_clock*lock with CLOCK_MONOTONIC.
  std::shared_timed_mutex mu_;
};

class SCOPED_CAPABILITY WriterLock {
 public:
  explicit WriterLock(SharedMutex* mu) ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~WriterLock() RELEASE() { mu_->Unlock(); }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

 private:
  SharedMutex* mu_;
};

class SCOPED_CAPABILITY ReaderLock {
 public:
  explicit ReaderLock(SharedMutex* mu) ACQUIRE_SHARED(mu) : mu_(mu) {
    mu_->LockShared();
  }
  ~ReaderLock() RELEASE() { mu_->UnlockShared(); }
  ReaderLock(const ReaderLock&) = delete;
  ReaderLock& operator=(const ReaderLock&) = delete;

 private:
  SharedMutex* mu_;
};

}  // namespace goxel

#endif  // GOXEL_BASE_MUTEX_H_
