#include "base/mutex.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

namespace goxel {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// Holds `mu` on another thread (exclusive or shared) from construction
// until Release(): the constructor returns only once the lock is taken, so
// tests need no sleeps to know it is held.
class Holder {
 public:
  Holder(SharedMutex* mu, bool shared) {
    std::promise<void> taken;
    std::future<void> taken_f = taken.get_future();
    // The promise moves into the thread: set_value may still touch it after
    // the waiting constructor has returned.
    thread_ =
        std::thread([this, mu, shared, taken = std::move(taken)]() mutable {
          if (shared) {
            ReaderLock lock(mu);
            taken.set_value();
            release_.get_future().wait();
          } else {
            WriterLock lock(mu);
            taken.set_value();
            release_.get_future().wait();
          }
        });
    taken_f.wait();
  }
  ~Holder() { Release(); }
  void Release() {
    if (!thread_.joinable()) return;
    release_.set_value();
    thread_.join();
  }

 private:
  std::promise<void> release_;
  std::thread thread_;
};

// Takes the lock as a test asks (shared or exclusive, waiting at most
// `timeout`) and releases it at once; true when it was taken. The tests go
// through here so clang's thread-safety analysis can follow every path.
bool TakeAndRelease(SharedMutex* mu, bool shared, milliseconds timeout) {
  if (shared) {
    if (!mu->LockSharedFor(timeout)) return false;
    mu->UnlockShared();
    return true;
  }
  if (!mu->LockFor(timeout)) return false;
  mu->Unlock();
  return true;
}

milliseconds Since(steady_clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);
}

TEST(SharedMutex, LockForTakesAFreeLock) {
  SharedMutex mu;
  if (mu.LockFor(milliseconds(200))) {
    EXPECT_FALSE(TakeAndRelease(&mu, /*shared=*/true, milliseconds(0)));
    mu.Unlock();
  } else {
    ADD_FAILURE() << "a free lock was not taken";
  }
  if (mu.LockSharedFor(milliseconds(200))) {
    // Readers share it; a writer does not get in.
    EXPECT_TRUE(TakeAndRelease(&mu, /*shared=*/true, milliseconds(200)));
    EXPECT_FALSE(TakeAndRelease(&mu, /*shared=*/false, milliseconds(0)));
    mu.UnlockShared();
  } else {
    ADD_FAILURE() << "a free lock was not taken shared";
  }
}

TEST(SharedMutex, LockForGivesUpAfterTheTimeoutWhileAWriterHoldsIt) {
  SharedMutex mu;
  Holder writer(&mu, /*shared=*/false);
  const auto start = steady_clock::now();
  EXPECT_FALSE(TakeAndRelease(&mu, /*shared=*/false, milliseconds(200)));
  EXPECT_GE(Since(start).count(), 150);  // it waited, not just tried
  EXPECT_FALSE(TakeAndRelease(&mu, /*shared=*/true, milliseconds(200)));
}

TEST(SharedMutex, LockForGivesUpWhileAReaderHoldsItButReadersGetIn) {
  SharedMutex mu;
  Holder reader(&mu, /*shared=*/true);
  EXPECT_FALSE(TakeAndRelease(&mu, /*shared=*/false, milliseconds(200)));
  EXPECT_TRUE(TakeAndRelease(&mu, /*shared=*/true, milliseconds(200)));
}

TEST(SharedMutex, LockForGetsTheLockReleasedWhileWaiting) {
  SharedMutex mu;
  Holder writer(&mu, /*shared=*/false);
  std::thread releaser([&writer] {
    std::this_thread::sleep_for(milliseconds(100));
    writer.Release();
  });
  // Generous: only the release, not the clock, decides the outcome.
  const bool taken =
      TakeAndRelease(&mu, /*shared=*/false, std::chrono::seconds(30));
  releaser.join();
  EXPECT_TRUE(taken);
}

TEST(SharedMutex, ZeroTimeoutOnlyTries) {
  SharedMutex mu;
  {
    Holder writer(&mu, /*shared=*/false);
    EXPECT_FALSE(TakeAndRelease(&mu, /*shared=*/false, milliseconds(0)));
    EXPECT_FALSE(TakeAndRelease(&mu, /*shared=*/true, milliseconds(0)));
  }
  EXPECT_TRUE(TakeAndRelease(&mu, /*shared=*/false, milliseconds(0)));
}

// Whether another thread finds `mu` taken (try_lock by the owner itself
// would be undefined behaviour).
bool HeldElsewhere(Mutex* mu) {
  return std::async(std::launch::async,
                    [mu]() NO_THREAD_SAFETY_ANALYSIS {
                      if (!mu->TryLock()) return true;
                      mu->Unlock();
                      return false;
                    })
      .get();
}

// A waiter releases the mutex while it waits (the other thread takes it to
// change the state and signal) and holds it again when Wait returns.
TEST(CondVar, WaitReleasesTheMutexAndHoldsItAgainOnReturn) {
  Mutex mu;
  CondVar cv;
  int stage = 0;  // guarded by mu
  std::thread other([&] {
    MutexLock lock(&mu);  // only possible while the waiter waits
    stage = 1;
    cv.Signal();
  });
  {
    MutexLock lock(&mu);
    while (stage == 0) cv.Wait(&mu);
    EXPECT_EQ(stage, 1);
    EXPECT_TRUE(HeldElsewhere(&mu));  // still ours
  }
  other.join();
  EXPECT_FALSE(HeldElsewhere(&mu));
}

TEST(CondVar, WaitForReturnsWithTheMutexHeldWhenNobodySignals) {
  Mutex mu;
  CondVar cv;
  MutexLock lock(&mu);
  // Without a signal it returns by the timeout (or spuriously), locked.
  cv.WaitFor(&mu, std::chrono::milliseconds(1));
  EXPECT_TRUE(HeldElsewhere(&mu));
}

TEST(MutexLock, UnlockAndLockAgainInsideItsScope) {
  Mutex mu;
  {
    MutexLock lock(&mu);
    lock.Unlock();
    EXPECT_FALSE(HeldElsewhere(&mu));  // really released
    lock.Lock();
    EXPECT_TRUE(HeldElsewhere(&mu));
  }
  EXPECT_FALSE(HeldElsewhere(&mu));  // the scope's end released it once
}

}  // namespace
}  // namespace goxel
