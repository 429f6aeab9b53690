#include "methods/ops_methods.h"

#include "rpc/errors.h"
#include "rpc/json.h"

namespace goxel::methods {
namespace {

using rpc::Call;
using rpc::JsonValue;
using rpc::MakeString;

constexpr uint32_t kControlRead = rpc::kControl | rpc::kReadOnly;

// Parses JSON we produced ourselves into a value owned by `alloc`.
Status ParseInto(const std::string& text, JsonValue* out,
                 rpc::JsonAllocator& alloc) {
  rpc::JsonDocument doc;
  doc.Parse(text.c_str(), text.size());
  if (doc.HasParseError()) return Status::Internal("cannot parse own JSON");
  out->CopyFrom(doc, alloc);
  return Status::Ok();
}

ops::MetricsSnapshot Snapshot(const OpsMethodsContext& ctx) {
  if (ctx.refresh) ctx.refresh();
  return ctx.metrics->Snapshot();
}

Status MetricsMethod(const OpsMethodsContext& ctx, Call& call) {
  if (!ctx.metrics_enabled->load(std::memory_order_relaxed)) {
    return Status::Error(rpc::kMethodNotFound,
                         "method not found: metrics (monitoring.enable_metrics "
                         "is false)")
        .With("method", std::string("metrics"));
  }
  if (ctx.refresh) ctx.refresh();
  auto& a = call.alloc();
  call.result().SetObject();
  call.result().AddMember("content_type",
                          "text/plain; version=0.0.4; charset=utf-8", a);
  call.result().AddMember("text", MakeString(ctx.metrics->PrometheusText(), a),
                          a);
  return Status::Ok();
}

Status PerformanceMetrics(const OpsMethodsContext& ctx, Call& call) {
  return ParseInto(Snapshot(ctx).ToJson(), &call.result(), call.alloc());
}

Status GetConfig(const OpsMethodsContext& ctx, Call& call) {
  return ParseInto(ctx.config_json(), &call.result(), call.alloc());
}

JsonValue StringList(const std::vector<std::string>& items,
                     rpc::JsonAllocator& a) {
  JsonValue list(rapidjson::kArrayType);
  for (const auto& s : items) list.PushBack(MakeString(s, a), a);
  return list;
}

Status SetConfig(const OpsMethodsContext& ctx, Call& call) {
  const JsonValue* raw = call.params().raw();
  if (raw == nullptr || !raw->IsObject() || raw->MemberCount() == 0) {
    return Status::InvalidParams(
               "goxel.set_config expects an object of keys to change, e.g. "
               "{\"logging.level\": \"debug\"} or {\"logging\": {\"level\": "
               "\"debug\"}}")
        .With("param", std::string("params"));
  }
  auto change = ctx.set_config(rpc::ToJsonText(*raw));
  if (!change.ok()) return change.status();
  auto& a = call.alloc();
  call.result().SetObject();
  call.result().AddMember("success", true, a);
  call.result().AddMember("applied", StringList(change->applied, a), a);
  call.result().AddMember("restart_required",
                          StringList(change->restart_required, a), a);
  return Status::Ok();
}

Status Shutdown(const OpsMethodsContext& ctx, Call& call) {
  ctx.shutdown();
  auto& a = call.alloc();
  call.result().SetObject();
  call.result().AddMember("success", true, a);
  call.result().AddMember("message", "shutting down", a);
  return Status::Ok();
}

}  // namespace

void AddMetricsToStatus(const OpsMethodsContext& ctx, JsonValue* result,
                        rpc::JsonAllocator& alloc) {
  JsonValue snapshot;
  if (!ParseInto(Snapshot(ctx).ToJson(), &snapshot, alloc).ok()) return;
  // By index: a range-for compares RapidJSON's member iterators through
  // operator==(ConstIterator), which C++20 also tries with the operands
  // reversed (clang: -Wambiguous-reversed-operator).
  const auto members = snapshot.MemberBegin();
  for (rapidjson::SizeType i = 0; i < snapshot.MemberCount(); ++i) {
    auto& m = members[i];
    if (result->HasMember(m.name)) continue;
    JsonValue name(m.name, alloc);
    result->AddMember(name, m.value, alloc);
  }
}

Status RegisterOpsMethods(rpc::MethodTable* table,
                          const OpsMethodsContext* ctx) {
  GOXEL_RETURN_IF_ERROR(table->Add(
      {"metrics",
       "Prometheus text exposition of the daemon's metrics (requests by "
       "method and outcome, durations, queue, workers, connections, memory).",
       {},
       "{content_type, text}",
       kControlRead,
       [ctx](Call& c) { return MetricsMethod(*ctx, c); }}));
  GOXEL_RETURN_IF_ERROR(table->AddAlias("goxel.get_daemon_status", "status"));
  GOXEL_RETURN_IF_ERROR(table->Add(
      {"goxel.get_performance_metrics",
       "The metrics as JSON: totals, queue, workers, connections, bytes, "
       "memory, and per method count, outcomes, p50/p90/p99 and mean ms.",
       {},
       "{uptime_seconds, requests_total, requests_per_second, queue_depth, "
       "workers_busy, worker_utilization, connections_open, rss_bytes, "
       "methods: {name: {count, errors, outcomes, p50_ms, p90_ms, p99_ms, "
       "mean_ms, queue_wait_mean_ms}}, …}",
       kControlRead,
       [ctx](Call& c) { return PerformanceMetrics(*ctx, c); }}));
  GOXEL_RETURN_IF_ERROR(table->Add(
      {"goxel.get_config",
       "The effective configuration (file, environment and flags applied), "
       "in daemon_config.json's layout.",
       {},
       "{daemon: {…}, server: {…}, logging: {…}, security: {…}, …}",
       kControlRead | rpc::kLoopOnly,
       [ctx](Call& c) { return GetConfig(*ctx, c); }}));
  GOXEL_RETURN_IF_ERROR(table->Add(
      {"goxel.set_config",
       "Changes configuration keys: live keys (log level, rate limits, "
       "memory limit, …) take effect at once; keys that need a restart are "
       "listed and not applied. Params: the keys, nested or dotted.",
       {},
       "{success, applied: [key], restart_required: [key]}",
       rpc::kControl | rpc::kMutating | rpc::kLoopOnly | rpc::kAdmin,
       [ctx](Call& c) { return SetConfig(*ctx, c); },
       /*accepts_any_params=*/true}));
  GOXEL_RETURN_IF_ERROR(table->Add(
      {"goxel.shutdown_daemon",
       "Stops the daemon gracefully: queued and running requests finish, "
       "replies are flushed, then it exits.",
       {},
       "{success, message}",
       rpc::kControl | rpc::kAdmin,
       [ctx](Call& c) { return Shutdown(*ctx, c); }}));
  return Status::Ok();
}

}  // namespace goxel::methods
