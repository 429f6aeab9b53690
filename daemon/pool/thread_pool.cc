#include "pool/thread_pool.h"

#include <chrono>

#include "base/clock.h"

namespace goxel::pool {

ThreadPool::ThreadPool(size_t workers, size_t capacity, bool priority)
    : capacity_(capacity == 0 ? 1 : capacity), priority_(priority) {
  if (workers == 0) workers = 1;
  threads_.reserve(workers);
  for (size_t i = 0; i < workers; ++i)
    threads_.emplace_back([this] { WorkerMain(); });
}

ThreadPool::~ThreadPool() { Shutdown(-1); }

bool ThreadPool::Submit(Job job) {
  std::vector<Job> one;
  one.push_back(std::move(job));
  return SubmitBatch(&one) == 1;
}

size_t ThreadPool::SubmitBatch(std::vector<Job>* jobs) {
  size_t taken = 0;
  bool wake = false;
  uint64_t now = MonotonicNanos();
  {
    MutexLock lock(&mu_);
    if (!stopping_) {
      while (taken < jobs->size() && DepthLocked() < capacity_) {
        Job& job = (*jobs)[taken++];
        job.enqueued_nanos = now;
        if (priority_ && job.urgent) {
          urgent_.push_back(std::move(job));
        } else {
          queue_.push_back(std::move(job));
        }
      }
    }
    size_t depth = DepthLocked();
    depth_.store(depth, std::memory_order_relaxed);
    if (depth > peak_.load(std::memory_order_relaxed))
      peak_.store(depth, std::memory_order_relaxed);
    // Chain wake-up: wake one sleeper; a worker that takes a job while more
    // are queued wakes the next (WorkerMain). Short jobs are then drained
    // by few threads instead of waking the whole pool for one job each.
    wake = taken > 0 && waiting_ > 0;
  }
  jobs->erase(jobs->begin(), jobs->begin() + static_cast<ptrdiff_t>(taken));
  rejected_.fetch_add(jobs->size(), std::memory_order_relaxed);
  if (wake) cv_.notify_one();
  return taken;
}

void ThreadPool::WorkerMain() {
  std::unique_lock<std::mutex> lock(mu_.native());
  for (;;) {
    if (DepthLocked() == 0) {
      if (stopping_) return;
      ++waiting_;
      cv_.wait(lock);
      --waiting_;
      continue;
    }
    Job job = TakeLocked();
    depth_.store(DepthLocked(), std::memory_order_relaxed);
    if (DepthLocked() > 0 && waiting_ > 0) cv_.notify_one();  // the chain
    busy_.fetch_add(1, std::memory_order_relaxed);
    lock.unlock();
    uint64_t start = MonotonicNanos();
    job.run();
    job = Job();  // destroy captured state outside the lock
    busy_nanos_.fetch_add(MonotonicNanos() - start, std::memory_order_relaxed);
    completed_.fetch_add(1, std::memory_order_relaxed);
    busy_.fetch_sub(1, std::memory_order_relaxed);
    lock.lock();
    if (DepthLocked() == 0 && busy_.load(std::memory_order_relaxed) == 0)
      idle_cv_.notify_all();
  }
}

Job ThreadPool::TakeLocked() {
  std::deque<Job>& from = urgent_.empty() ? queue_ : urgent_;
  Job job = std::move(from.front());
  from.pop_front();
  return job;
}

void ThreadPool::Shutdown(int64_t timeout_ms) {
  std::deque<Job> dropped;
  {
    std::unique_lock<std::mutex> lock(mu_.native());
    if (joined_) return;
    stopping_ = true;
    auto drained = [this]() NO_THREAD_SAFETY_ANALYSIS {
      return DepthLocked() == 0 && busy_.load(std::memory_order_relaxed) == 0;
    };
    if (timeout_ms < 0) {
      idle_cv_.wait(lock, drained);
    } else {
      idle_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), drained);
    }
    dropped.swap(urgent_);
    for (auto& job : queue_) dropped.push_back(std::move(job));
    queue_.clear();
    depth_.store(0, std::memory_order_relaxed);
    joined_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
  for (auto& job : dropped) {
    if (job.drop) job.drop();
  }
}

PoolStats ThreadPool::Stats() const {
  PoolStats s;
  s.workers = threads_.size();
  s.queue_capacity = capacity_;
  s.queue_depth = depth_.load(std::memory_order_relaxed);
  s.queue_peak = peak_.load(std::memory_order_relaxed);
  s.busy = busy_.load(std::memory_order_relaxed);
  s.completed = completed_.load(std::memory_order_relaxed);
  s.rejected = rejected_.load(std::memory_order_relaxed);
  s.busy_nanos = busy_nanos_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace goxel::pool
