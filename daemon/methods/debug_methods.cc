// debug.read_memory: the read budget's state and the result streams
// alive, so tests can wait on state (a stream dropped, a reservation
// released) instead of sleeping.
//
// debug.hold_project: holds a project's lock for a while, so tests can make
// a project busy on purpose (the -32007 lock timeout) without racing a real
// long edit. Registered only with --enable-debug-methods.
//
// The lock is taken on a thread of the method's own, not on the worker:
// the reply goes out once the lock is held (a client that got it knows the
// project is busy from then on, no sleeping to find out) and the worker is
// free again at once. The threads are joined when the method table goes
// away, woken early, so none outlives the daemon.
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "methods/args.h"
#include "methods/goxel_methods.h"
#include "methods/read_budget.h"

namespace goxel::methods {

namespace {

// Longest hold: long enough for any test, short enough to end by itself.
constexpr int64_t kMaxHoldMs = 60000;

// Thread-safe. Owns the holding threads.
class LockHolder {
 public:
  ~LockHolder() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (std::thread& t : threads_) t.join();
  }

  // Takes ref's lock (shared or exclusive) on a new thread and returns once
  // it is held; the thread releases it after `ms` (or at destruction).
  // Waits for the lock for as long as it takes, like an edit used to.
  void Hold(ProjectRef ref, bool shared, std::chrono::milliseconds ms) {
    std::promise<void> taken;
    std::future<void> held = taken.get_future();
    std::thread t([this, ref, shared, ms, taken = std::move(taken)]() mutable {
      if (shared) {
        ReaderLock lock(&ref->mu);
        taken.set_value();
        Wait(ms);
      } else {
        WriterLock lock(&ref->mu);
        taken.set_value();
        Wait(ms);
      }
    });
    {
      std::lock_guard<std::mutex> lock(mu_);
      threads_.push_back(std::move(t));
    }
    held.wait();
  }

 private:
  void Wait(std::chrono::milliseconds ms) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, ms, [this] { return stop_; });
  }

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;                 // guarded by mu_
  std::vector<std::thread> threads_;  // guarded by mu_
};

Status HoldProject(Workspace& ws, LockHolder& holder, Call& call) {
  const Params& p = call.params();
  auto ms = p.IntInRange("ms", 0, kMaxHoldMs, std::nullopt);
  if (!ms.ok()) return ms.status();
  auto shared = p.Bool("shared", false);
  if (!shared.ok()) return shared.status();
  auto ref = ResolveProject(ws, p);
  if (!ref.ok()) return ref.status();
  holder.Hold(*ref, *shared, std::chrono::milliseconds(*ms));
  auto& a = call.alloc();
  JsonValue& r = call.result();
  r.SetObject();
  Put(r, "success", true, a);
  PutString(r, "project_id", (*ref)->id, a);
  Put(r, "shared", *shared, a);
  Put(r, "held_ms", *ms, a);
  return Status::Ok();
}

Status ReadMemory(Call& call) {
  auto& a = call.alloc();
  JsonValue& r = call.result();
  r.SetObject();
  Put(r, "limit", ReadBudgetLimit(), a);
  Put(r, "in_flight", ReadBytesInFlight(), a);
  Put(r, "streams", rpc::LiveResultStreams(), a);
  return Status::Ok();
}

}  // namespace

Status RegisterDebugProjectMethods(rpc::MethodTable* t, Workspace* ws) {
  Workspace& w = *ws;
  auto holder = std::make_shared<LockHolder>();
  GOXEL_RETURN_IF_ERROR(t->Add(
      {"debug.read_memory",
       "Debug only (--enable-debug-methods): the read memory budget (limit, "
       "bytes reserved in flight by reads and streamed replies) and the "
       "number of streamed results alive.",
       {},
       "{limit, in_flight, streams}",
       rpc::kPooled | rpc::kReadOnly | rpc::kAdmin,
       [](Call& c) { return ReadMemory(c); }}));
  return t->Add(
      {"debug.hold_project",
       "Debug only (--enable-debug-methods): holds a project's lock for ms "
       "on a thread of its own and answers once the lock is held, so calls "
       "on that project wait (and fail with -32007 after the lock timeout).",
       {{"ms", "integer", true, "how long to hold it, 0..60000"},
        ProjectIdParam(),
        {"shared", "boolean", false,
         "hold the reader lock: edits wait, reads pass (default false: "
         "the writer lock, both wait)"}},
       "{success, project_id, shared, held_ms}",
       rpc::kPooled | rpc::kReadOnly | rpc::kAdmin,
       [&w, holder](Call& c) { return HoldProject(w, *holder, c); }});
}

}  // namespace goxel::methods
