// ThreadPool: a fixed set of worker threads draining one bounded queue.
//
// N threads, one mutex, a bounded deque and an explicit shutdown (leveldb's
// BackgroundThreadMain, made bounded). Submit never blocks: a full queue is
// refused at once, so the caller can answer "server busy" and memory never
// grows with a backlog. SubmitBatch hands several jobs over under one lock.
//
// Waking a sleeping thread costs tens of microseconds on these machines,
// more than most jobs, so the pool wakes a sleeper only when it is worth it
// (NeedsAnotherWorkerLocked): when no worker is running a job that started
// less than kLongJobNanos ago, or when the queued work (depth times the
// average job time) exceeds what the running workers clear in
// kWakeWorthNanos, and then only up to one worker per CPU beside the
// loop's (jobs running long do not count). A worker that finishes a job takes
// the next without any wake-up. Short jobs are thus drained by one or two
// threads instead of bouncing across the whole pool, and long ones still spread
// out.
//
// So that a job left queued behind a job that turned out long does not wait
// for it, one waiting worker is the watcher: while any worker is busy it
// wakes every kLongJobNanos and takes a queued job itself when the running
// ones have become long. An idle pool has no timed waits at all.
//
// The batch hook lets a user defer its own wake-ups while a worker still has
// queued work (the server defers waking the loop for replies): the pool
// calls it on a worker before each job, with whether the queue is now empty,
// and when the worker goes idle (true).
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
#include <memory>
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
  uint64_t wakeups = 0;     // sleeping workers woken to take a job
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

  // Installs the batch hook (see the header note); call it before the
  // first Submit. It runs on workers, outside the pool's lock, and must be
  // cheap and thread-safe.
  void SetBatchHook(std::function<void(bool queue_empty)> hook);

  // Queues a job; false (job untouched) when the queue is full or the pool
  // is shutting down.
  bool Submit(Job job);
  // Queues as many of `jobs` as fit, in order, under one lock; returns how
  // many were taken (the rest are left in `jobs`, from the front).
  size_t SubmitBatch(std::vector<Job>* jobs);

  // Stops accepting jobs and waits for queued and running jobs to finish,
  // up to `timeout_ms` (negative: no limit); queued jobs still waiting
  // afterwards are dropped. Joins the threads. Idempotent.
  void Shutdown(int64_t timeout_ms) EXCLUDES(mu_);

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
  // A job running longer than this no longer counts as a worker that will
  // soon take the next job; also the watcher's period.
  static constexpr uint64_t kLongJobNanos = 1000000;
  // Queued work worth waking one more worker for, per running worker.
  static constexpr uint64_t kWakeWorthNanos = 50000;

  void WorkerMain(size_t index) EXCLUDES(mu_);
  // Waits as the watcher or as an idle worker; returns when this worker
  // should look at the queue again (woken for a job, the watcher found work
  // worth taking, or shutting down).
  void WaitForWork(size_t index) REQUIRES(mu_);

  // Makes an idle worker the watcher when there is none.
  void HandOffWatchLocked() REQUIRES(mu_);

  // The next job to run: the oldest urgent one, else the oldest normal.
  Job TakeLocked() REQUIRES(mu_);
  size_t DepthLocked() const REQUIRES(mu_) {
    return queue_.size() + urgent_.size();
  }
  // Should one more worker start on the queue now? (See the header note.)
  bool NeedsAnotherWorkerLocked(uint64_t now) const REQUIRES(mu_);
  // Wakes one worker for a job (an idle one, else the watcher), or, when
  // `needed` is false, makes an untimed watcher start its timed checks.
  // Returns the condition variable to notify after unlocking, or null.
  CondVar* WakeLocked(bool needed) REQUIRES(mu_);

  // One per worker: it is woken through its own condition variable with a
  // signal saying why, so no wake-up is lost or taken by another worker.
  enum class Signal { kNone, kWork, kWatch };
  struct Slot {
    CondVar cv;  // waited on with mu_
    Signal signal = Signal::kNone;
    uint64_t started = 0;  // start time of the running job; 0 without one
  };

  const size_t capacity_;
  const bool priority_;
  // Workers kept on short jobs at once: the CPUs beside the loop thread's.
  const size_t short_job_workers_;
  mutable Mutex mu_;
  CondVar idle_cv_;  // signalled when nothing is queued or running
  std::deque<Job> queue_ GUARDED_BY(mu_);
  std::deque<Job> urgent_ GUARDED_BY(mu_);  // used only with priority_
  bool stopping_ GUARDED_BY(mu_) = false;
  bool joined_ GUARDED_BY(mu_) = false;
  std::vector<std::unique_ptr<Slot>> slots_ GUARDED_BY(mu_);
  std::vector<size_t> idle_ GUARDED_BY(mu_);  // waiting workers, LIFO
  size_t wakes_ GUARDED_BY(mu_) = 0;  // signalled kWork, not yet running
  static constexpr size_t kNoWatcher = ~size_t{0};
  size_t watcher_ GUARDED_BY(mu_) = kNoWatcher;
  bool watcher_timed_ GUARDED_BY(mu_) = false;
  uint64_t avg_job_nanos_ GUARDED_BY(mu_) = 20000;  // moving average
  // Set before the first job (SetBatchHook), then only read: workers call
  // it outside the lock.
  std::function<void(bool)> batch_hook_;
  std::vector<std::thread> threads_;

  std::atomic<size_t> depth_{0};
  std::atomic<size_t> peak_{0};
  std::atomic<size_t> busy_{0};
  std::atomic<uint64_t> completed_{0};
  std::atomic<uint64_t> rejected_{0};
  std::atomic<uint64_t> busy_nanos_{0};
  std::atomic<uint64_t> wakeups_{0};
};

}  // namespace goxel::pool

#endif  // GOXEL_POOL_THREAD_POOL_H_
