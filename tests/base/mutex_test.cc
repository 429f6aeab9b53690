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
            mu->LockShared();
          } else {
            mu->Lock();
          }
          taken.set_value();
          release_.get_future().wait();
          if (shared) {
            mu->UnlockShared();
          } else {
            mu->Unlock();
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

milliseconds Since(steady_clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);
}

TEST(SharedMutex, LockForTakesAFreeLock) {
  SharedMutex mu;
  ASSERT_TRUE(mu.LockFor(milliseconds(200)));
  EXPECT_FALSE(mu.TryLockShared());
  mu.Unlock();
  ASSERT_TRUE(mu.LockSharedFor(milliseconds(200)));
  ASSERT_TRUE(mu.LockSharedFor(milliseconds(200)));  // readers share it
  mu.UnlockShared();
  mu.UnlockShared();
}

TEST(SharedMutex, LockForGivesUpAfterTheTimeoutWhileAWriterHoldsIt) {
  SharedMutex mu;
  Holder writer(&mu, /*shared=*/false);
  const auto start = steady_clock::now();
  EXPECT_FALSE(mu.LockFor(milliseconds(200)));
  EXPECT_GE(Since(start).count(), 150);  // it waited, not just tried
  EXPECT_FALSE(mu.LockSharedFor(milliseconds(200)));
}

TEST(SharedMutex, LockForGivesUpWhileAReaderHoldsItButReadersGetIn) {
  SharedMutex mu;
  Holder reader(&mu, /*shared=*/true);
  EXPECT_FALSE(mu.LockFor(milliseconds(200)));
  ASSERT_TRUE(mu.LockSharedFor(milliseconds(200)));
  mu.UnlockShared();
}

TEST(SharedMutex, LockForGetsTheLockReleasedWhileWaiting) {
  SharedMutex mu;
  Holder writer(&mu, /*shared=*/false);
  std::thread releaser([&writer] {
    std::this_thread::sleep_for(milliseconds(100));
    writer.Release();
  });
  // Generous: only the release, not the clock, decides the outcome.
  const bool taken = mu.LockFor(std::chrono::seconds(30));
  releaser.join();
  ASSERT_TRUE(taken);
  mu.Unlock();
}

TEST(SharedMutex, ZeroTimeoutOnlyTries) {
  SharedMutex mu;
  {
    Holder writer(&mu, /*shared=*/false);
    EXPECT_FALSE(mu.LockFor(milliseconds(0)));
    EXPECT_FALSE(mu.LockSharedFor(milliseconds(0)));
  }
  ASSERT_TRUE(mu.LockFor(milliseconds(0)));
  mu.Unlock();
}

}  // namespace
}  // namespace goxel
