#include "methods/admin.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "base/clock.h"
#include "methods/result_vocabulary.h"
#include "methods/schema.h"

namespace goxel::methods {

namespace {

using rpc::Call;
using rpc::JsonValue;
using rpc::MakeString;
using rpc::MethodSpec;

double UptimeSeconds(const AdminContext& ctx) {
  return static_cast<double>(MonotonicNanos() - ctx.start_mono_ns) / 1e9;
}

void AddUint(JsonValue* obj, const char* key, uint64_t v,
             rpc::JsonAllocator& a) {
  obj->AddMember(rapidjson::StringRef(key), JsonValue(v), a);
}

Status Ping(Call& call) {
  auto& a = call.alloc();
  call.result().SetObject();
  call.result().AddMember("pong", true, a);
  call.result().AddMember("timestamp", JsonValue(WallMillis()), a);
  return Status::Ok();
}

Status Echo(Call& call) {
  const JsonValue* raw = call.params().raw();
  if (raw != nullptr) call.result().CopyFrom(*raw, call.alloc());
  return Status::Ok();
}

Status Version(const AdminContext& ctx, Call& call) {
  auto& a = call.alloc();
  call.result().SetObject();
  call.result().AddMember("version", MakeString(ctx.version, a), a);
  call.result().AddMember("type", "daemon", a);
  call.result().AddMember("protocol", "JSON-RPC 2.0", a);
  return Status::Ok();
}

Status StatusMethod(const AdminContext& ctx, Call& call) {
  auto& a = call.alloc();
  RuntimeStats s = ctx.stats ? ctx.stats() : RuntimeStats{};
  JsonValue& r = call.result();
  r.SetObject();
  r.AddMember("status", "running", a);
  r.AddMember("version", MakeString(ctx.version, a), a);
  r.AddMember("pid", JsonValue(static_cast<int64_t>(getpid())), a);
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  r.AddMember("hostname", MakeString(host, a), a);
  r.AddMember("socket", MakeString(ctx.socket_path, a), a);
  r.AddMember("current_time", JsonValue(WallMillis()), a);
  r.AddMember("start_time", JsonValue(ctx.start_wall_ms), a);
  double uptime = UptimeSeconds(ctx);
  r.AddMember("uptime_seconds", JsonValue(uptime), a);
  AddUint(&r, "connections", s.connections, a);
  AddUint(&r, "connections_accepted", s.connections_accepted, a);
  AddUint(&r, "connections_rejected", s.connections_rejected, a);
  AddUint(&r, "queue_depth", s.queue_depth, a);
  AddUint(&r, "queue_capacity", s.queue_capacity, a);
  AddUint(&r, "queue_peak", s.queue_peak, a);
  AddUint(&r, "workers", s.workers, a);
  AddUint(&r, "workers_busy", s.workers_busy, a);
  AddUint(&r, "worker_wakeups", s.worker_wakeups, a);
  AddUint(&r, "requests_served", s.requests_served, a);
  AddUint(&r, "replies_direct", s.replies_direct, a);
  r.AddMember("requests_per_second",
              JsonValue(uptime > 0 ? s.requests_served / uptime : 0.0), a);
  AddUint(&r, "bytes_in", s.bytes_in, a);
  AddUint(&r, "bytes_out", s.bytes_out, a);
  AddUint(&r, "memory_rss_bytes", s.rss_bytes, a);
  AddUint(&r, "memory_returns", s.memory_returns, a);
  if (ctx.extend_status) ctx.extend_status(&r, a);
  return Status::Ok();
}

Status Health(const AdminContext& ctx, Call& call) {
  auto& a = call.alloc();
  RuntimeStats s = ctx.stats ? ctx.stats() : RuntimeStats{};
  JsonValue& r = call.result();
  r.SetObject();
  const std::vector<std::string> problems =
      ctx.health_problems ? ctx.health_problems() : std::vector<std::string>{};
  r.AddMember("status",
              rapidjson::StringRef(problems.empty() ? "ok" : "degraded"), a);
  if (!problems.empty()) {
    JsonValue list(rapidjson::kArrayType);
    for (const std::string& p : problems) list.PushBack(MakeString(p, a), a);
    r.AddMember("problems", list, a);
  }
  AddUint(&r, "queue_depth", s.queue_depth, a);
  AddUint(&r, "workers_busy", s.workers_busy, a);
  AddUint(&r, "connections", s.connections, a);
  r.AddMember("uptime_seconds", JsonValue(UptimeSeconds(ctx)), a);
  return Status::Ok();
}

std::string FlagsText(uint32_t flags) {
  std::string out = (flags & rpc::kControl) ? "control" : "pooled";
  if (flags & rpc::kReadOnly) out += ",read-only";
  if (flags & rpc::kMutating) out += ",mutating";
  if (flags & rpc::kInline) out += ",inline";
  return out;
}

Status ListMethods(const AdminContext& ctx, Call& call) {
  auto& a = call.alloc();
  JsonValue methods(rapidjson::kArrayType);
  for (const MethodSpec* m : ctx.table->All()) {
    if (ctx.hidden && ctx.hidden(*m)) continue;
    JsonValue entry(rapidjson::kObjectType);
    entry.AddMember("method", MakeString(m->name, a), a);
    entry.AddMember("description", MakeString(m->description, a), a);
    JsonValue params(rapidjson::kArrayType);
    for (const auto& p : m->params) {
      JsonValue param(rapidjson::kObjectType);
      param.AddMember("name", MakeString(p.name, a), a);
      param.AddMember("type", MakeString(p.type, a), a);
      param.AddMember("required", p.required, a);
      param.AddMember("description", MakeString(p.description, a), a);
      if (!p.alias_of.empty()) {
        param.AddMember("alias_of", MakeString(p.alias_of, a), a);
        if (p.component >= 0) {
          param.AddMember("component", JsonValue(p.component), a);
        }
      }
      params.PushBack(param, a);
    }
    entry.AddMember("params", params, a);
    entry.AddMember("result", MakeString(m->result, a), a);
    entry.AddMember("flags", MakeString(FlagsText(m->flags), a), a);
    entry.AddMember("params_schema", ParamsSchema(*m, a), a);
    entry.AddMember("result_schema", ResultSchema(*m, ResultKeySchema, a), a);
    entry.AddMember("aliases", AliasesJson(*m, a), a);
    if (!m->ignored.empty()) {
      JsonValue ignored(rapidjson::kArrayType);
      for (const auto& k : m->ignored) ignored.PushBack(MakeString(k, a), a);
      entry.AddMember("ignored_v14_params", ignored, a);
    }
    if (!m->examples.empty()) {
      JsonValue examples(rapidjson::kArrayType);
      for (const auto& e : m->examples) {
        rpc::JsonDocument doc;
        doc.Parse(e.c_str());
        JsonValue v;
        v.CopyFrom(doc, a);
        examples.PushBack(v, a);
      }
      entry.AddMember("examples", examples, a);
    }
    methods.PushBack(entry, a);
  }
  call.result().SetObject();
  call.result().AddMember("count", JsonValue(methods.Size()), a);
  call.result().AddMember("methods", methods, a);
  return Status::Ok();
}

Status DebugSleep(Call& call) {
  auto ms = call.params().IntInRange("ms", 0, 10000, std::nullopt);
  if (!ms.ok()) return ms.status();
  if (*ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(*ms));
  call.result().SetObject();
  call.result().AddMember("slept_ms", JsonValue(*ms), call.alloc());
  return Status::Ok();
}

constexpr uint32_t kControlRead = rpc::kControl | rpc::kReadOnly;

}  // namespace

Status RegisterAdminMethods(rpc::MethodTable* table, const AdminContext* ctx,
                            bool debug_methods) {
  GOXEL_RETURN_IF_ERROR(
      table->Add({"ping",
                  "Liveness check: answers at once from the loop thread.",
                  {},
                  "{pong: true, timestamp: epoch milliseconds}",
                  kControlRead,
                  Ping}));
  GOXEL_RETURN_IF_ERROR(table->Add({"echo",
                                    "Returns its params unchanged.",
                                    {},
                                    "the params",
                                    kControlRead,
                                    Echo,
                                    /*accepts_any_params=*/true}));
  GOXEL_RETURN_IF_ERROR(
      table->Add({"version",
                  "The daemon's version and protocol.",
                  {},
                  "{version, type: \"daemon\", protocol: \"JSON-RPC 2.0\"}",
                  kControlRead,
                  [ctx](Call& c) { return Version(*ctx, c); }}));
  GOXEL_RETURN_IF_ERROR(table->Add(
      {"status",
       "Process and server figures: pid, uptime, connections, queue depth, "
       "busy workers, requests served, memory.",
       {},
       "{status, version, pid, hostname, socket, current_time, start_time, "
       "uptime_seconds, connections, queue_depth, queue_capacity, workers, "
       "workers_busy, worker_wakeups, requests_served, replies_direct, "
       "requests_per_second, bytes_in, bytes_out, memory_rss_bytes, "
       "memory_returns, …}",
       kControlRead,
       [ctx](Call& c) { return StatusMethod(*ctx, c); }}));
  GOXEL_RETURN_IF_ERROR(table->Add(
      {"health",
       "Health check for supervisors: answers from the loop thread even "
       "when every worker is busy.",
       {},
       "{status: \"ok\" or \"degraded\", problems (when degraded: stuck "
       "workers, autosave off or failing), queue_depth, workers_busy, "
       "connections, uptime_seconds}",
       kControlRead,
       [ctx](Call& c) { return Health(*ctx, c); }}));
  GOXEL_RETURN_IF_ERROR(table->Add(
      {"list_methods",
       "Every method with its params, result and flags (this table).",
       {},
       "{count, methods: [{method, description, params: [{name, type, "
       "required, description, alias_of?, component?}] (positional "
       "order), result, flags, params_schema, "
       "result_schema, aliases, ignored_v14_params?, examples?}]}",
       kControlRead,
       [ctx](Call& c) { return ListMethods(*ctx, c); }}));
  GOXEL_RETURN_IF_ERROR(table->AddAlias("goxel.ping", "ping"));
  GOXEL_RETURN_IF_ERROR(table->AddAlias("goxel.get_version", "version"));
  if (debug_methods) {
    GOXEL_RETURN_IF_ERROR(table->Add(
        {"debug.sleep",
         "Sleeps on a worker thread (for tests and benchmarks of the pool).",
         {{"ms", "integer", true, "milliseconds to sleep, 0..10000"}},
         "{slept_ms}",
         rpc::kPooled | rpc::kReadOnly | rpc::kAdmin,
         DebugSleep}));
  }
  return Status::Ok();
}

uint64_t CurrentRssBytes() {
  FILE* f = fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long size = 0, resident = 0;
  int n = fscanf(f, "%lu %lu", &size, &resident);
  fclose(f);
  if (n != 2) return 0;
  return static_cast<uint64_t>(resident) *
         static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace goxel::methods
