#include "app/request_policy.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "base/clock.h"
#include "ops/log.h"
#include "rpc/errors.h"
#include "rpc/json.h"
#include "voxel/volume.h"

namespace goxel::app {
namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;

bool Contains(const std::vector<uint32_t>& ids, int64_t id) {
  return id >= 0 && std::find(ids.begin(), ids.end(),
                              static_cast<uint32_t>(id)) != ids.end();
}

std::string IdText(const rpc::RequestItem& item) {
  if (!item.raw_id.empty()) return item.raw_id;
  if (item.id == nullptr) return "null";
  return rpc::ToJsonText(*item.id);
}

}  // namespace

RequestPolicy::RequestPolicy(const rpc::MethodTable* table, LiveSettings* live,
                             ops::Metrics* metrics)
    : live_(live), metrics_(metrics) {
  for (const rpc::MethodSpec* m : table->All()) slots_[m];
}

ops::MethodStats* RequestPolicy::Slot(const rpc::MethodSpec* method) {
  auto it = method != nullptr ? slots_.find(method) : slots_.end();
  std::atomic<ops::MethodStats*>& slot =
      it != slots_.end() ? it->second : invalid_slot_;
  ops::MethodStats* stats = slot.load(std::memory_order_acquire);
  if (stats == nullptr) {
    // Racing threads get the same slot: Metrics::Method is idempotent.
    stats = metrics_->Method(it != slots_.end() ? method->name : "(invalid)");
    slot.store(stats, std::memory_order_release);
  }
  return stats;
}

void RequestPolicy::Install(server::ServerHooks* hooks) {
  hooks->execute.observe = [this](const rpc::RequestItem& item,
                                  const Status& status, uint64_t run_nanos,
                                  const rpc::CallerInfo& caller) {
    Observe(item, status, run_nanos, caller);
  };
  hooks->execute.admit = [this](const rpc::MethodSpec& m) { return Admit(m); };
  hooks->admit_peer = [this](const rpc::CallerInfo& p) { return AdmitPeer(p); };
  hooks->execute.admit_admin = [this](const rpc::MethodSpec& m,
                                      const rpc::CallerInfo& c) {
    return AdmitAdmin(m, c);
  };
  hooks->admit_text = [this](uint64_t id, size_t n) {
    return AdmitText(id, n);
  };
  hooks->on_disconnect = [this](uint64_t id) { Forget(id); };
}

void RequestPolicy::Observe(const rpc::RequestItem& item, const Status& status,
                            uint64_t run_nanos, const rpc::CallerInfo& caller) {
  ops::MethodStats* slot = Slot(item.method);
  int code = status.ok() ? 0 : rpc::ErrorCodeFor(status.code());
  metrics_->RecordRequest(slot, code, caller.queue_wait_nanos, run_nanos);
  LogRequest(item, status, run_nanos, caller);
}

void RequestPolicy::LogRequest(const rpc::RequestItem& item,
                               const Status& status, uint64_t run_nanos,
                               const rpc::CallerInfo& caller) {
  ops::Logger& log = ops::DefaultLogger();
  uint64_t total_nanos = run_nanos + caller.queue_wait_nanos;
  bool slow =
      total_nanos >=
      static_cast<uint64_t>(live_->slow_request_ms.load(kRelaxed)) * 1000000;
  bool info = slow || live_->access_log.load(kRelaxed);
  ops::LogLevel level = info ? ops::LogLevel::kInfo : ops::LogLevel::kDebug;
  if (!log.Enabled(level)) return;
  std::string method = item.method != nullptr ? item.method->name : "";
  std::string id = IdText(item);
  int code = status.ok() ? 0 : rpc::ErrorCodeFor(status.code());
  log.Log(
      level, "rpc", slow ? "slow request" : "request",
      {{"method", method},
       {"id", id},
       {"queue_wait_ms", static_cast<double>(caller.queue_wait_nanos) / 1e6},
       {"processing_time_ms", static_cast<double>(run_nanos) / 1e6},
       {"connection", caller.connection_id},
       {"peer_uid", static_cast<long long>(caller.peer_uid)},
       {"error_code", code},
       {"error", status.ok() ? std::string_view() : status.message()}});
}

Status RequestPolicy::Admit(const rpc::MethodSpec& method) const {
  if (!(method.flags & rpc::kAllocates)) return Status::Ok();
  // What the engine holds (every project, undo step and snapshot), not RSS:
  // it falls as soon as projects are closed or edits are undone and
  // replaced, so refusals end when memory is freed.
  const uint64_t limit = live_->max_memory_bytes.load(kRelaxed);
  const int64_t held = voxel::EngineBytes();
  if (limit == 0 || held <= static_cast<int64_t>(limit)) return Status::Ok();
  return Status::ResourceExhausted(
             "resource exhausted: the voxel engine holds " +
             std::to_string(held >> 20) +
             " MiB, above performance.memory_limit " +
             std::to_string(limit >> 20) +
             " MiB; edits and imports are refused until memory is freed "
             "(close_project, delete_layer; reads, saves, undo and control "
             "methods still work)")
      .With("method", method.name)
      .With("limit", static_cast<int64_t>(limit))
      .With("reached", held);
}

Status RequestPolicy::AdmitPeer(const rpc::CallerInfo& peer) const {
  const auto& uids = live_->allowed_uids;
  const auto& gids = live_->allowed_gids;
  if (uids.empty() && gids.empty()) return Status::Ok();
  if (Contains(uids, peer.peer_uid) || Contains(gids, peer.peer_gid))
    return Status::Ok();
  return Status::Error(StatusCode::kPermissionDenied,
                       "permission denied: uid " +
                           std::to_string(peer.peer_uid) + " (gid " +
                           std::to_string(peer.peer_gid) +
                           ") is not in security.allowed_uids or "
                           "security.allowed_gids")
      .With("peer_uid", peer.peer_uid)
      .With("peer_gid", peer.peer_gid);
}

namespace {

// Whether process `pid` has `gid` among its supplementary groups.
bool HasGroup(int64_t pid, int gid) {
  if (pid <= 0) return false;
  FILE* f = fopen(("/proc/" + std::to_string(pid) + "/status").c_str(), "r");
  if (f == nullptr) return false;
  char line[4096];
  bool found = false;
  while (!found && fgets(line, sizeof line, f) != nullptr) {
    if (strncmp(line, "Groups:", 7) != 0) continue;
    char* p = line + 7;
    char* end;
    for (long g = strtol(p, &end, 10); end != p; g = strtol(p, &end, 10)) {
      if (g == gid) found = true;
      p = end;
    }
    break;
  }
  fclose(f);
  return found;
}

}  // namespace

Status RequestPolicy::AdmitAdmin(const rpc::MethodSpec& method,
                                 const rpc::CallerInfo& caller) const {
  const int64_t uid = caller.peer_uid;
  if (uid == 0 || uid == static_cast<int64_t>(geteuid())) return Status::Ok();
  if (admin_gid_ >= 0 && (caller.peer_gid == admin_gid_ ||
                          HasGroup(caller.peer_pid, admin_gid_))) {
    return Status::Ok();
  }
  return Status::Error(StatusCode::kPermissionDenied,
                       "permission denied: " + method.name +
                           " is an admin method (config changes, shutdown, "
                           "debug); uid " +
                           std::to_string(uid) +
                           " is not root, the daemon's user or in "
                           "security.admin_group")
      .With("method", method.name)
      .With("peer_uid", uid)
      .With("reason", std::string("admin_only"));
}

Status RequestPolicy::AdmitText(uint64_t connection_id, size_t requests) {
  if (!live_->rate_limit_enabled.load(kRelaxed)) return Status::Ok();
  double rate = live_->rate_per_second.load(kRelaxed);
  int burst = live_->rate_burst.load(kRelaxed);
  uint64_t generation = live_->rate_generation.load(kRelaxed);
  uint64_t now = MonotonicNanos();
  auto it = limiters_.find(connection_id);
  if (it == limiters_.end()) {
    it = limiters_
             .emplace(connection_id,
                      Limiter{ops::RateLimiter(rate, burst, now), generation})
             .first;
  } else if (it->second.generation != generation) {
    it->second.bucket.Reconfigure(rate, burst);
    it->second.generation = generation;
  }
  for (size_t i = 0; i < requests; ++i) {
    ops::RateLimiter::Decision d = it->second.bucket.Acquire(now);
    if (d.allowed) continue;
    return Status::ServerError(
               "rate limit exceeded: this connection may send " +
               std::to_string(rate) + " requests per second (burst " +
               std::to_string(burst) + "); retry later")
        .With("retry_after_ms", d.retry_after_ms)
        .With("requests_per_second", rate)
        .With("burst_size", static_cast<int64_t>(burst));
  }
  return Status::Ok();
}

}  // namespace goxel::app
