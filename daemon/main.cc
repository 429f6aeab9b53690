// goxel-daemon: wires config → method table → pool → server, and runs.
//
// Shutdown order (ARCHITECTURE.md): the server stops accepting, drains the
// pool's queued and running jobs (bounded), flushes replies, closes
// connections, stops the pool and removes its socket; main then exits 0.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include "base/clock.h"
#include "methods/admin.h"
#include "methods/goxel_methods.h"
#include "ops/cli.h"
#include "ops/config.h"
#include "ops/config_loader.h"
#include "ops/log.h"
#include "pool/thread_pool.h"
#include "rpc/method_table.h"
#include "server/server.h"

#ifndef GOXEL_VERSION
#define GOXEL_VERSION "0.0.0"
#endif

namespace goxel {
namespace {

constexpr const char* kVersion = GOXEL_VERSION;

ops::LogLevel ToOpsLevel(server::LogLevel level) {
  switch (level) {
    case server::LogLevel::kDebug:
      return ops::LogLevel::kDebug;
    case server::LogLevel::kInfo:
      return ops::LogLevel::kInfo;
    case server::LogLevel::kWarning:
      return ops::LogLevel::kWarning;
    case server::LogLevel::kError:
      return ops::LogLevel::kError;
  }
  return ops::LogLevel::kInfo;
}

// Logs a server event; its detail fields become "key=value" pairs.
void LogServerEvent(server::LogLevel level, std::string_view message,
                    const std::vector<DetailField>& fields) {
  ops::Logger& log = ops::DefaultLogger();
  ops::LogLevel l = ToOpsLevel(level);
  if (!log.Enabled(l)) return;
  std::string detail = DetailsText(fields);
  log.Log(l, "server", message, {{"detail", detail}});
}

server::ServerOptions ServerOptionsFrom(const ops::Config& c) {
  server::ServerOptions o;
  o.socket_path = c.socket_path;
  o.socket_mode = c.socket_permissions;
  o.max_connections = static_cast<size_t>(c.max_connections);
  o.framer.max_text_bytes = static_cast<size_t>(c.max_request_bytes);
  o.max_pending_reply_bytes = static_cast<size_t>(c.max_pending_reply_bytes);
  o.shutdown_timeout_ms = int64_t{c.shutdown_timeout_seconds} * 1000;
  // server.timeout_seconds: how long a client may leave its replies unread
  // (reading paused by back-pressure) before it is disconnected.
  o.write_stall_timeout_ms = int64_t{c.timeout_seconds} * 1000;
  return o;
}

int Serve(const ops::Config& config) {
  ops::Logger& log = ops::DefaultLogger();
  rpc::MethodTable table;
  methods::AdminContext admin;
  admin.version = kVersion;
  admin.socket_path = config.socket_path;
  admin.start_wall_ms = WallMillis();
  admin.start_mono_ns = MonotonicNanos();
  admin.table = &table;
  Status s = methods::RegisterAdminMethods(&table, &admin,
                                           config.enable_debug_methods);
  methods::WorkspaceOptions workspace_options;
  workspace_options.version = kVersion;
  methods::Workspace workspace(workspace_options);
  if (s.ok()) s = methods::RegisterGoxelMethods(&table, &workspace);
  if (!s.ok()) {
    log.Error("main", "cannot build the method table",
              {{"error", s.ToString()}});
    return 1;
  }

  pool::ThreadPool pool(static_cast<size_t>(config.workers),
                        static_cast<size_t>(config.queue_size));
  server::ServerHooks hooks;
  hooks.log = LogServerEvent;
  const int64_t slow_ms = config.slow_request_ms;
  hooks.execute.observe = [&log, slow_ms](const rpc::RequestItem& item,
                                          const Status& status,
                                          uint64_t run_nanos) {
    double ms = static_cast<double>(run_nanos) / 1e6;
    bool slow = ms >= static_cast<double>(slow_ms);
    ops::LogLevel level = slow ? ops::LogLevel::kInfo : ops::LogLevel::kDebug;
    if (!log.Enabled(level)) return;
    std::string method = item.method ? item.method->name : "";
    log.Log(level, "rpc", slow ? "slow request" : "request",
            {{"method", method},
             {"processing_time_ms", ms},
             {"ok", status.ok()},
             {"error", status.ok() ? std::string() : status.ToString()}});
  };
  server::Server srv(ServerOptionsFrom(config), &table, &pool, hooks);
  admin.stats = [&srv, &pool] {
    methods::RuntimeStats r;
    const server::ServerStats& ss = srv.stats();
    r.connections = ss.connections_open.load(std::memory_order_relaxed);
    r.connections_accepted = ss.connections_accepted.load();
    r.connections_rejected = ss.connections_rejected.load();
    r.requests_served = ss.requests_served.load();
    r.bytes_in = ss.bytes_in.load();
    r.bytes_out = ss.bytes_out.load();
    pool::PoolStats ps = pool.Stats();
    r.queue_depth = ps.queue_depth;
    r.queue_capacity = ps.queue_capacity;
    r.queue_peak = ps.queue_peak;
    r.workers = ps.workers;
    r.workers_busy = ps.busy;
    r.rss_bytes = methods::CurrentRssBytes();
    return r;
  };

  s = srv.Start();
  if (!s.ok()) {
    log.Error("main", s.message(), {{"socket", config.socket_path}});
    fprintf(stderr, "goxel-daemon: %s\n", s.message().c_str());
    return 1;
  }
  log.Info("main", "ready",
           {{"socket", config.socket_path},
            {"workers", config.workers},
            {"queue_size", config.queue_size},
            {"version", kVersion}});
  s = srv.Run();
  pool.Shutdown(0);
  if (!s.ok()) {
    log.Error("main", "unclean shutdown", {{"error", s.ToString()}});
    return 1;
  }
  log.Info("main", "stopped");
  return 0;
}

int Main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  auto cli = ops::ParseCommandLine(argc, argv, kVersion);
  if (!cli.ok()) {
    fprintf(stderr, "goxel-daemon: %s\n", cli.status().message().c_str());
    return ops::kExitUsage;
  }
  switch (cli->action) {
    case ops::CliAction::kHelp:
    case ops::CliAction::kVersion:
      fputs(cli->text.c_str(), stdout);
      return ops::kExitOk;
    default:
      break;
  }
  auto loaded = ops::LoadConfig(*cli, ops::ProcessEnv());
  if (!loaded.ok()) {
    fprintf(stderr, "goxel-daemon: %s\n", loaded.status().message().c_str());
    return ops::kExitConfigError;
  }
  const ops::Config& config = loaded->config;
  if (cli->action == ops::CliAction::kPrintConfig) {
    fputs(ops::ConfigToJson(config).c_str(), stdout);
    fputc('\n', stdout);
    return ops::kExitOk;
  }
  ops::Logger& log = ops::DefaultLogger();
  log.SetLevel(config.log_level);
  if (!config.log_file.empty()) {
    Status s = log.OpenFile(config.log_file);
    if (!s.ok()) {
      fprintf(stderr, "goxel-daemon: %s\n", s.message().c_str());
      return ops::kExitConfigError;
    }
  }
  for (const auto& w : loaded->warnings) log.Warning("config", w);
  if (cli->action != ops::CliAction::kRun) {
    fprintf(stderr, "goxel-daemon: this action is not wired yet\n");
    return ops::kExitUsage;
  }
  return Serve(config);
}

}  // namespace
}  // namespace goxel

int main(int argc, char** argv) { return goxel::Main(argc, argv); }
