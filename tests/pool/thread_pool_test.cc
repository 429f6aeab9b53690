#include "pool/thread_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <latch>
#include <mutex>
#include <thread>
#include <vector>

namespace goxel::pool {
namespace {

using namespace std::chrono_literals;

TEST(ThreadPool, RunsEveryJob) {
  ThreadPool pool(4, 1000);
  std::atomic<int> done{0};
  for (int i = 0; i < 500; ++i) {
    ASSERT_TRUE(pool.Submit({[&] { done.fetch_add(1); }, nullptr}));
  }
  pool.Shutdown(-1);
  EXPECT_EQ(done.load(), 500);
  EXPECT_EQ(pool.Stats().completed, 500u);
}

TEST(ThreadPool, RefusesAtOnceWhenFullAndNeverBlocks) {
  ThreadPool pool(1, 2);
  std::latch release(1);
  std::latch started(1);
  ASSERT_TRUE(pool.Submit({[&] {
                             started.count_down();
                             release.wait();
                           },
                           nullptr}));
  started.wait();
  EXPECT_TRUE(pool.Submit({[] {}, nullptr}));
  EXPECT_TRUE(pool.Submit({[] {}, nullptr}));
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(pool.Submit({[] {}, nullptr}));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 100ms);
  EXPECT_EQ(pool.depth(), 2u);
  EXPECT_EQ(pool.Stats().rejected, 1u);
  EXPECT_EQ(pool.Stats().queue_peak, 2u);
  release.count_down();
  pool.Shutdown(-1);
}

TEST(ThreadPool, SubmitBatchTakesWhatFitsInOrder) {
  ThreadPool pool(1, 3);
  std::latch release(1);
  std::latch started(1);
  ASSERT_TRUE(pool.Submit({[&] {
                             started.count_down();
                             release.wait();
                           },
                           nullptr}));
  started.wait();
  std::mutex mu;
  std::vector<int> order;
  std::vector<Job> jobs;
  for (int i = 0; i < 5; ++i) {
    jobs.push_back({[&, i] {
                      std::lock_guard<std::mutex> l(mu);
                      order.push_back(i);
                    },
                    nullptr});
  }
  EXPECT_EQ(pool.SubmitBatch(&jobs), 3u);
  EXPECT_EQ(jobs.size(), 2u);  // the two that did not fit
  release.count_down();
  pool.Shutdown(-1);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
}

TEST(ThreadPool, RunsJobsInParallel) {
  ThreadPool pool(4, 16);
  std::latch all_running(4);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(pool.Submit({[&] {
                               all_running.count_down();
                               all_running.wait();  // deadlocks unless parallel
                             },
                             nullptr}));
  }
  pool.Shutdown(5000);
  EXPECT_EQ(pool.Stats().completed, 4u);
}

TEST(ThreadPool, ShutdownDrainsQueuedJobsWithinTheDeadline) {
  ThreadPool pool(1, 100);
  std::atomic<int> done{0};
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(pool.Submit({[&] {
                               std::this_thread::sleep_for(1ms);
                               done.fetch_add(1);
                             },
                             nullptr}));
  }
  pool.Shutdown(5000);
  EXPECT_EQ(done.load(), 20);
  EXPECT_FALSE(pool.Submit({[] {}, nullptr}));  // closed
}

TEST(ThreadPool, ShutdownPastTheDeadlineDropsQueuedJobs) {
  ThreadPool pool(1, 100);
  std::atomic<int> ran{0}, dropped{0};
  std::latch started(1);
  ASSERT_TRUE(pool.Submit({[&] {
                             started.count_down();
                             std::this_thread::sleep_for(200ms);
                             ran.fetch_add(1);
                           },
                           [&] { dropped.fetch_add(1); }}));
  started.wait();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(pool.Submit(
        {[&] { ran.fetch_add(1); }, [&] { dropped.fetch_add(1); }}));
  }
  pool.Shutdown(10);  // the running job finishes; the queued ones drop
  EXPECT_EQ(ran.load(), 1);
  EXPECT_EQ(dropped.load(), 5);
}

TEST(ThreadPool, CountsBusyWorkers) {
  ThreadPool pool(2, 10);
  std::latch release(1);
  std::latch started(2);
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(pool.Submit({[&] {
                               started.count_down();
                               release.wait();
                             },
                             nullptr}));
  }
  started.wait();
  EXPECT_EQ(pool.busy(), 2u);
  release.count_down();
  pool.Shutdown(-1);
  EXPECT_EQ(pool.busy(), 0u);
}

TEST(ThreadPool, UrgentJobsOvertakeQueuedOnesWithThePriorityQueue) {
  for (bool priority : {false, true}) {
    ThreadPool pool(1, 10, priority);
    std::latch release(1);
    std::latch started(1);
    ASSERT_TRUE(pool.Submit({[&] {
                               started.count_down();
                               release.wait();
                             },
                             nullptr}));
    started.wait();
    std::mutex mu;
    std::vector<int> order;
    for (int i = 0; i < 4; ++i) {
      Job job{[&, i] {
                std::lock_guard<std::mutex> l(mu);
                order.push_back(i);
              },
              nullptr};
      job.urgent = (i == 2);
      ASSERT_TRUE(pool.Submit(std::move(job)));
    }
    release.count_down();
    pool.Shutdown(-1);
    if (priority) {
      EXPECT_EQ(order, (std::vector<int>{2, 0, 1, 3}));
    } else {
      EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3}));
    }
  }
}

// A job queued behind a job that runs for long still gets a worker: the
// watcher notices the long job and takes the queued one.
TEST(ThreadPool, JobQueuedBehindALongJobStillRuns) {
  ThreadPool pool(2, 16);
  std::latch release(1), long_started(1), short_done(1);
  ASSERT_TRUE(pool.Submit({[&] {
                             long_started.count_down();
                             release.wait();
                           },
                           nullptr}));
  long_started.wait();
  ASSERT_TRUE(pool.Submit({[&] { short_done.count_down(); }, nullptr}));
  // Without the watcher this waits until `release`, i.e. forever.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!short_done.try_wait() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(1ms);
  EXPECT_TRUE(short_done.try_wait());
  release.count_down();
  pool.Shutdown(-1);
  EXPECT_EQ(pool.Stats().completed, 2u);
}

// Short jobs handed over in batches are drained by the worker that was
// woken, not by a chain of wake-ups across the pool: about one wake-up per
// batch (the old chain woke every sleeper, 4 per batch here).
TEST(ThreadPool, ShortJobsInBatchesWakeAboutOneWorkerPerBatch) {
  ThreadPool pool(4, 1024);
  std::atomic<int> done{0};
  auto run_batches = [&](int batches) {
    for (int b = 0; b < batches; ++b) {
      std::vector<Job> jobs;
      for (int i = 0; i < 32; ++i) {
        jobs.push_back({[&] { done.fetch_add(1); }, nullptr});
      }
      const int target = done.load() + 32;
      ASSERT_EQ(pool.SubmitBatch(&jobs), 32u);
      while (done.load() < target) std::this_thread::yield();
      // Wait until the worker is back asleep, so the next batch starts
      // from an idle pool.
      while (pool.busy() != 0) std::this_thread::yield();
    }
  };
  run_batches(20);  // the average job time settles
  // Preemption on a busy machine only adds wake-ups: the best of three
  // rounds shows the policy.
  uint64_t best = ~uint64_t{0};
  for (int round = 0; round < 3; ++round) {
    const uint64_t before = pool.Stats().wakeups;
    run_batches(100);
    best = std::min(best, pool.Stats().wakeups - before);
  }
  EXPECT_GE(best, 1u);
  EXPECT_LE(best, 250u) << "short jobs woke " << best
                        << " workers for 100 batches";
  pool.Shutdown(-1);
  EXPECT_EQ(done.load(), 320 * 32);
}

}  // namespace
}  // namespace goxel::pool
