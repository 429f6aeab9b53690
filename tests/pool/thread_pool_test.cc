#include "pool/thread_pool.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace goxel::pool
