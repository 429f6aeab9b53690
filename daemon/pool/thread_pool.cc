#include "pool/thread_pool.h"

#include <algorithm>
#include <chrono>

#include "base/clock.h"

namespace goxel::pool {

ThreadPool::ThreadPool(size_t workers, size_t capacity, bool priority)
    : capacity_(capacity == 0 ? 1 : capacity),
      priority_(priority),
      short_job_workers_(std::max(2u, std::thread::hardware_concurrency()) -
                         1) {
  if (workers == 0) workers = 1;
  {
    MutexLock lock(&mu_);
    for (size_t i = 0; i < workers; ++i)
      slots_.push_back(std::make_unique<Slot>());
  }
  threads_.reserve(workers);
  for (size_t i = 0; i < workers; ++i)
    threads_.emplace_back([this, i] { WorkerMain(i); });
}

ThreadPool::~ThreadPool() { Shutdown(-1); }

void ThreadPool::SetBatchHook(std::function<void(bool)> hook) {
  MutexLock lock(&mu_);
  batch_hook_ = std::move(hook);
}

bool ThreadPool::Submit(Job job) {
  std::vector<Job> one;
  one.push_back(std::move(job));
  return SubmitBatch(&one) == 1;
}

size_t ThreadPool::SubmitBatch(std::vector<Job>* jobs) {
  size_t taken = 0;
  CondVar* wake = nullptr;
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
    if (taken > 0) wake = WakeLocked(NeedsAnotherWorkerLocked(now));
  }
  jobs->erase(jobs->begin(), jobs->begin() + static_cast<ptrdiff_t>(taken));
  rejected_.fetch_add(jobs->size(), std::memory_order_relaxed);
  if (wake != nullptr) wake->Signal();
  return taken;
}

bool ThreadPool::NeedsAnotherWorkerLocked(uint64_t now) const {
  const size_t depth = DepthLocked();
  if (depth == 0) return false;
  // Workers about to take a job: woken ones, and those running a job that
  // started recently (they take the next one when it ends).
  size_t active = wakes_;
  for (const auto& slot : slots_) {
    if (slot->started != 0 && now - slot->started < kLongJobNanos) ++active;
  }
  if (active == 0) return true;
  // More workers on short jobs than CPUs left beside the loop only preempt
  // each other and the loop.
  if (active >= short_job_workers_) return false;
  return depth * avg_job_nanos_ > active * kWakeWorthNanos;
}

CondVar* ThreadPool::WakeLocked(bool needed) {
  if (needed) {
    Slot* slot = nullptr;
    if (!idle_.empty()) {
      slot = slots_[idle_.back()].get();
      idle_.pop_back();
    } else if (watcher_ != kNoWatcher &&
               slots_[watcher_]->signal != Signal::kWork) {
      slot = slots_[watcher_].get();
    }
    if (slot == nullptr) return nullptr;  // every worker is awake or woken
    slot->signal = Signal::kWork;
    ++wakes_;
    wakeups_.fetch_add(1, std::memory_order_relaxed);
    return &slot->cv;
  }
  if (watcher_ != kNoWatcher && !watcher_timed_ && DepthLocked() > 0) {
    // Work now waits behind running jobs: the watcher starts its checks.
    Slot* slot = slots_[watcher_].get();
    watcher_timed_ = true;
    if (slot->signal == Signal::kNone) slot->signal = Signal::kWatch;
    return &slot->cv;
  }
  return nullptr;
}

void ThreadPool::HandOffWatchLocked() {
  // Workers that went idle while another was the watcher are not watching:
  // whoever leaves WaitForWork (the watcher taking a job, a worker woken
  // for one or asked to watch while stopping) passes the watch on. Also
  // while stopping: queued jobs still run until the deadline.
  if (watcher_ != kNoWatcher || idle_.empty()) return;
  Slot* next = slots_[idle_.back()].get();
  idle_.pop_back();
  next->signal = Signal::kWatch;
  next->cv.Signal();
}

void ThreadPool::WaitForWork(size_t index) {
  Slot& slot = *slots_[index];
  for (;;) {
    if (stopping_) return;
    if (watcher_ == kNoWatcher) {
      watcher_ = index;
      for (;;) {
        // Timed checks only while work is queued.
        watcher_timed_ = DepthLocked() > 0;
        if (watcher_timed_) {
          slot.cv.WaitFor(&mu_, std::chrono::nanoseconds(kLongJobNanos));
        } else {
          slot.cv.Wait(&mu_);
        }
        const Signal signal = slot.signal;
        slot.signal = Signal::kNone;
        bool take = stopping_ || signal == Signal::kWork;
        if (signal == Signal::kWork) --wakes_;
        // Queued work waiting behind jobs that turned out long: take it.
        if (!take) take = NeedsAnotherWorkerLocked(MonotonicNanos());
        if (take) {
          watcher_ = kNoWatcher;  // WorkerMain hands the watch on
          return;
        }
      }
    }
    idle_.push_back(index);
    while (slot.signal == Signal::kNone && !stopping_) slot.cv.Wait(&mu_);
    const Signal signal = slot.signal;
    slot.signal = Signal::kNone;
    if (signal == Signal::kNone) {  // stopping: leave the idle list
      std::erase(idle_, index);
      return;
    }
    if (signal == Signal::kWork) {
      --wakes_;
      return;
    }
    // kWatch: become the watcher, unless another worker already is.
  }
}

void ThreadPool::WorkerMain(size_t index) {
  MutexLock lock(&mu_);
  Slot& slot = *slots_[index];
  for (;;) {
    if (DepthLocked() == 0) {
      if (batch_hook_) {  // going idle: nothing deferred may wait for us
        lock.Unlock();
        batch_hook_(true);
        lock.Lock();
        if (DepthLocked() > 0) continue;
      }
      if (stopping_) return;
      WaitForWork(index);
      HandOffWatchLocked();
      continue;
    }
    Job job = TakeLocked();
    const bool last = DepthLocked() == 0;
    const uint64_t start = MonotonicNanos();
    slot.started = start;
    depth_.store(DepthLocked(), std::memory_order_relaxed);
    // The chain: more queued work than this worker clears soon wakes one
    // more (WakeLocked(false) starts the watcher's checks instead).
    CondVar* wake = WakeLocked(NeedsAnotherWorkerLocked(start));
    busy_.fetch_add(1, std::memory_order_relaxed);
    const bool hook = static_cast<bool>(batch_hook_);
    lock.Unlock();
    if (wake != nullptr) wake->Signal();
    if (hook) batch_hook_(last);
    job.run();
    job = Job();  // destroy captured state outside the lock
    const uint64_t ran = MonotonicNanos() - start;
    busy_nanos_.fetch_add(ran, std::memory_order_relaxed);
    completed_.fetch_add(1, std::memory_order_relaxed);
    busy_.fetch_sub(1, std::memory_order_relaxed);
    lock.Lock();
    slot.started = 0;
    // One sample moves the average by at most a quarter plus 10 us: a job
    // that was merely preempted must not make the next batches wake the
    // whole pool. Jobs that really run long are the watcher's business.
    avg_job_nanos_ =
        (avg_job_nanos_ * 7 + std::min(ran, avg_job_nanos_ * 3 + 80000)) / 8;
    if (DepthLocked() == 0 && busy_.load(std::memory_order_relaxed) == 0)
      idle_cv_.SignalAll();
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
    MutexLock lock(&mu_);
    if (joined_) return;
    stopping_ = true;
    const uint64_t deadline =
        MonotonicNanos() +
        static_cast<uint64_t>(std::max<int64_t>(timeout_ms, 0)) * 1000000;
    while (DepthLocked() > 0 || busy_.load(std::memory_order_relaxed) > 0) {
      if (timeout_ms < 0) {
        idle_cv_.Wait(&mu_);
        continue;
      }
      const uint64_t now = MonotonicNanos();
      if (now >= deadline) break;
      idle_cv_.WaitFor(&mu_, std::chrono::nanoseconds(deadline - now));
    }
    dropped.swap(urgent_);
    for (auto& job : queue_) dropped.push_back(std::move(job));
    queue_.clear();
    depth_.store(0, std::memory_order_relaxed);
    joined_ = true;
  }
  {
    MutexLock lock(&mu_);
    for (auto& slot : slots_) slot->cv.SignalAll();
  }
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
  s.wakeups = wakeups_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace goxel::pool
