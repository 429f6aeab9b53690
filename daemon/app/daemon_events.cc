// The Daemon's loop-thread events: tick (RSS, metrics, STATUS, WATCHDOG),
// SIGHUP reload, SIGUSR1 snapshot, shutdown, goxel.set_config.
#include <unistd.h>

#include "app/daemon.h"
#include "base/clock.h"
#include "base/heap.h"
#include "base/stop_flag.h"
#include "ops/log.h"
#include "ops/notify.h"
#include "rpc/json.h"

namespace goxel::app {
namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;

// A dotted patch {"a.b": value, …} holding `keys` as they are in `json`
// (ConfigToJson of the newly loaded config).
std::string PatchOf(const std::string& json,
                    const std::vector<std::string>& keys) {
  rpc::JsonDocument doc;
  doc.Parse(json.c_str(), json.size());
  rpc::JsonDocument patch;
  patch.SetObject();
  auto& a = patch.GetAllocator();
  for (const std::string& key : keys) {
    const rpc::JsonValue* v = &doc;
    size_t start = 0;
    while (v != nullptr && v->IsObject() && start <= key.size()) {
      size_t dot = key.find('.', start);
      std::string part = key.substr(start, dot - start);
      auto it = v->FindMember(part.c_str());
      v = it == v->MemberEnd() ? nullptr : &it->value;
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    if (v == nullptr) continue;
    rpc::JsonValue copy(*v, a);
    patch.AddMember(rpc::MakeString(key, a), copy, a);
  }
  return rpc::ToJsonText(patch);
}

std::string Joined(const std::vector<std::string>& keys) {
  std::string out;
  for (const auto& k : keys) out += (out.empty() ? "" : ", ") + k;
  return out;
}

}  // namespace

void Daemon::InstallEventHooks(server::ServerHooks* hooks) {
  hooks->log = [](ops::LogLevel level, std::string_view message,
                  const std::vector<DetailField>& fields) {
    ops::DefaultLogger().Log(level, "server", message, fields);
  };
  hooks->on_tick = [this] { OnTick(); };
  hooks->on_reload = [this] { OnReload(); };
  hooks->on_status_signal = [this] { OnStatusSignal(); };
  hooks->on_stopping = [this] { OnStopping(); };
}

void Daemon::RefreshMetrics() {
  const server::ServerStats& ss = server_->stats();
  metrics_.SetConnections(
      static_cast<int64_t>(ss.connections_open.load(kRelaxed)),
      ss.connections_accepted.load(kRelaxed),
      ss.connections_rejected.load(kRelaxed));
  metrics_.SetBytes(ss.bytes_in.load(kRelaxed), ss.bytes_out.load(kRelaxed));
  pool::PoolStats ps = pool_->Stats();
  metrics_.SetQueue(static_cast<int64_t>(ps.queue_depth),
                    static_cast<int64_t>(ps.queue_peak));
  metrics_.SetWorkersBusy(static_cast<int64_t>(ps.busy), ps.busy_nanos);
  if (files_) {
    const methods::AutosaveHealth h = files_->autosaver().health();
    metrics_.SetAutosave(h.failed_writes, h.last_pass_failed);
  }
}

void Daemon::OnTick() {
  uint64_t now = MonotonicNanos();
  uint64_t rss = ops::ResidentMemoryBytes();
  live_.rss_bytes.store(rss, kRelaxed);
  metrics_.SetRss(rss);
  RefreshMetrics();
  uint64_t status_ns =
      static_cast<uint64_t>(live_.status_interval_seconds.load(kRelaxed)) *
      1000000000ull;
  if (now - last_status_ns_ >= status_ns) {
    last_status_ns_ = now;
    (void)ops::notify::SetStatus(metrics_.StatusLine());
  }
  workers_stuck_ = !stuck_.Check(now, pool_->depth(), pool_->completed(),
                                 pool_->busy() >= pool_->Stats().workers);
  SendWatchdog(now);
  ReturnMemoryWhenIdle(now);
}

void Daemon::ReturnMemoryWhenIdle(uint64_t now) {
  const uint64_t done = pool_->completed();
  if (done != pool_completed_seen_ || pool_->busy() > 0 || pool_->depth() > 0) {
    pool_completed_seen_ = done;
    pool_completed_changed_ns_ = now;
    return;
  }
  if (done == pool_completed_returned_ ||
      now - pool_completed_changed_ns_ < kIdleBeforeReturnNs) {
    return;
  }
  pool::Job job;
  job.run = [this] {
    ReturnFreedMemory();
    memory_returns_.fetch_add(1, std::memory_order_relaxed);
  };
  // The job itself completes one more: that is no new work.
  if (pool_->Submit(std::move(job))) pool_completed_returned_ = done + 1;
}

std::vector<std::string> Daemon::HealthProblems() const {
  std::vector<std::string> out;
  if (workers_stuck_) {
    out.push_back("workers stuck: no request finished for " +
                  std::to_string(config_.stuck_worker_seconds) +
                  " s while every worker is busy or work waits");
  }
  if (files_) {
    const methods::AutosaveHealth h = files_->autosaver().health();
    if (!h.enabled && h.degrades)
      out.push_back("autosave off: " + h.disabled_reason);
    if (h.last_pass_failed) out.push_back("autosave failing: " + h.last_error);
    if (h.restore_failures > 0) {
      out.push_back(std::to_string(h.restore_failures) +
                    " autosave(s) could not be restored (moved aside)");
    }
  }
  return out;
}

void Daemon::SendWatchdog(uint64_t now) {
  if (watchdog_usec_ == 0) return;
  bool healthy = progress_.Check(now, pool_->depth(), pool_->completed(),
                                 pool_->busy() >= pool_->Stats().workers);
  if (!healthy) {
    ops::DefaultLogger().Warning(
        "watchdog", "the worker pool makes no progress; not pinging systemd",
        {{"queue_depth", pool_->depth()}, {"workers_busy", pool_->busy()}});
    return;
  }
  if (now - last_watchdog_ns_ >= watchdog_usec_ * 1000 / 2 - 5000000ull ||
      watchdog_usec_ < 20000) {
    last_watchdog_ns_ = now;
    (void)ops::notify::Watchdog();
  }
}

void Daemon::OnStatusSignal() {
  RefreshMetrics();
  ops::MetricsSnapshot s = metrics_.Snapshot();
  std::string json = s.ToJson();
  ops::DefaultLogger().Info("daemon-main", "status snapshot",
                            {{"uptime_seconds", s.uptime_seconds},
                             {"connections", s.connections_open},
                             {"queue_depth", s.queue_depth},
                             {"workers_busy", s.workers_busy},
                             {"requests_total", s.requests_total},
                             {"requests_per_second", s.requests_per_second},
                             {"rss_bytes", s.rss_bytes},
                             {"snapshot", json}});
}

void Daemon::OnStopping() {
  (void)ops::notify::Stopping();
  ProcessStopping().store(true, std::memory_order_relaxed);  // renders give up
  StartStopGuard();
  ops::DefaultLogger().Info(
      "daemon-main", "stopping: draining requests",
      {{"queue_depth", pool_->depth()}, {"workers_busy", pool_->busy()}});
}

void Daemon::ApplyLiveConfig() {
  live_.Apply(config_);
  server_->UpdateLimits(static_cast<size_t>(config_.max_request_bytes),
                        static_cast<size_t>(config_.max_pending_reply_bytes),
                        int64_t{config_.timeout_seconds} * 1000,
                        int64_t{config_.shutdown_timeout_seconds} * 1000);
  server_->UpdateTimeouts(int64_t{config_.idle_timeout_seconds} * 1000,
                          int64_t{config_.request_timeout_seconds} * 1000);
}

Result<ops::ConfigChange> Daemon::SetConfig(std::string_view patch) {
  auto change = ops::ApplyConfigPatch(patch, &config_);
  if (!change.ok()) return change;
  ApplyLiveConfig();
  ops::DefaultLogger().Info(
      "config", "configuration changed by set_config",
      {{"applied", Joined(change->applied)},
       {"restart_required", Joined(change->restart_required)}});
  return change;
}

Status Daemon::ReloadConfigFile(ops::ConfigChange* change) {
  auto loaded = ops::LoadConfig(cli_, env_);
  if (!loaded.ok()) return loaded.status();
  ops::Config next = std::move(loaded->config);
  ResolvePaths(&next);
  *change = ops::DiffConfigs(config_, next);
  for (const auto& w : loaded->warnings)
    ops::DefaultLogger().Warning("config", w);
  if (change->applied.empty()) return Status::Ok();
  auto applied = ops::ApplyConfigPatch(
      PatchOf(ops::ConfigToJson(next), change->applied), &config_);
  if (!applied.ok()) return applied.status();
  ApplyLiveConfig();
  return Status::Ok();
}

void Daemon::OnReload() {
  ops::Logger& log = ops::DefaultLogger();
  (void)ops::notify::Reloading();
  Status reopened = log.Reopen();
  ops::ConfigChange change;
  Status s = ReloadConfigFile(&change);
  if (!reopened.ok()) {
    log.Error("daemon-main", "cannot reopen the log file",
              {{"error", reopened.message()}});
  }
  if (!s.ok()) {
    log.Error("config", "reload failed; keeping the running configuration",
              {{"error", s.message()}});
  } else {
    log.Info("config", "configuration reloaded",
             {{"file", config_.config_file},
              {"applied", Joined(change.applied)},
              {"restart_required", Joined(change.restart_required)}});
    for (const auto& key : change.restart_required) {
      log.Warning("config", "changed key needs a restart to take effect",
                  {{"key", key}});
    }
  }
  (void)ops::notify::Ready();
}

}  // namespace goxel::app
