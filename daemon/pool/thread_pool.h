// ThreadPool: a fixed set of worker threads draining one bounded queue.
//
// N threads, one mutex, one condition variable, a bounded deque and an
// explicit shutdown (leveldb's BackgroundThreadMain, made bounded). Submit
// never blocks: a full queue is refused at once, so the caller can answer
// "server busy" and memory never grows with a backlog. SubmitBatch hands
// several jobs over under one lock and wakes one sleeping worker; a worker
// that takes a job while more wait wakes the next (a chain), so short jobs
// do not wake the whole pool (waking a thread costs tens of microseconds
// here).
//
// Shutdown(deadline) stops taking jobs, lets the queued and running ones
// finish until the deadline, drops what is still queued after it (their
// `drop` callbacks run, so callers can answer them), and joins.
//
// Thread contract: thread-safe.
#ifndef GOXEL_POOL_THREAD_POOL_H_
#define GOXEL_POOL_THREAD_POOL_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "base/mutex.h"

namespace goxel::pool {

struct Job {
  std::function<void()> run;    // runs on a worker
  std::function<void()> drop;   // runs instead if the job is discarded
  uint64_t enqueued_nanos = 0;  // set by Submit
  // With the priority queue enabled, urgent jobs (the server marks
  // read-only requests) are taken before every queued normal job.
  bool urgent = false;
};

struct PoolStats {
  size_t workers = 0;
  size_t queue_capacity = 0;
  size_t queue_depth = 0;
  size_t queue_peak = 0;
  size_t busy = 0;
  uint64_t completed = 0;
  uint64_t rejected = 0;
  uint64_t busy_nanos = 0;  // summed run time of all jobs
};

class ThreadPool {
 public:
  // Starts `workers` threads (>= 1) with a queue of `capacity` (>= 1) jobs.
  // With `priority`, urgent jobs overtake queued normal ones (both count
  // against `capacity`); without it, jobs run in submission order.
  ThreadPool(size_t workers, size_t capacity, bool priority = false);
  ~ThreadPool();  // Shutdown() with no deadline if not done yet.
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Queues a job; false (job untouched) when the queue is full or the pool
  // is shutting down.
  bool Submit(Job job);
  // Queues as many of `jobs` as fit, in order, under one lock; returns how
  // many were taken (the rest are left in `jobs`, from the front).
  size_t SubmitBatch(std::vector<Job>* jobs);

  // Stops accepting jobs and waits for queued and running jobs to finish,
  // up to `timeout_ms` (negative: no limit); queued jobs still waiting
  // afterwards are dropped. Joins the threads. Idempotent.
  void Shutdown(int64_t timeout_ms) NO_THREAD_SAFETY_ANALYSIS;

  PoolStats Stats() const;
  size_t busy() const { return busy_.load(std::memory_order_relaxed); }
  size_t depth() const { return depth_.load(std::memory_order_relaxed); }
  size_t capacity() const { return capacity_; }
  size_t workers() const { return threads_.size(); }
  // Jobs completed so far; a watchdog compares it over time with depth()
  // to tell a stuck pool from an idle one.
  uint64_t completed() const {
    return completed_.load(std::memory_order_relaxed);
  }

 private:
  // Both wait on cv_ with a unique_lock over mu_.native(), which the
  // analysis cannot follow; they are checked by the pool tests instead.
  void WorkerMain() NO_THREAD_SAFETY_ANALYSIS;

  // The next job to run: the oldest urgent one, else the oldest normal.
  Job TakeLocked() REQUIRES(mu_);
  size_t DepthLocked() const REQUIRES(mu_) {
    return queue_.size() + urgent_.size();
  }

  const size_t capacity_;
  const bool priority_;
  mutable Mutex mu_;
  std::condition_variable cv_;  // used with mu_.native()
  std::condition_variable idle_cv_;
  std::deque<Job> queue_ GUARDED_BY(mu_);
  std::deque<Job> urgent_ GUARDED_BY(mu_);  // used only with priority_
  bool stopping_ GUARDED_BY(mu_) = false;
  bool joined_ GUARDED_BY(mu_) = false;
  size_t waiting_ GUARDED_BY(mu_) = 0;  // workers blocked on cv_
  std::vector<std::thread> threads_;

  std::atomic<size_t> depth_{0};
  std::atomic<size_t> peak_{0};
  std::atomic<size_t> busy_{0};
  std::atomic<uint64_t> completed_{0};
  std::atomic<uint64_t> rejected_{0};
  std::atomic<uint64_t> busy_nanos_{0};
};

}  // namespace goxel::pool

#endif  // GOXEL_POOL_THREAD_POOL_H_
