#include "ops/metrics.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <string>

#include "base/clock.h"
#include "ops/log.h"

namespace goxel::ops {
namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;

std::string Num(double v) {
  char buf[32];
  return std::string(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

std::string OutcomeName(size_t index) {
  if (index >= kOutcomeCodes.size()) return "other";
  if (kOutcomeCodes[index] == 0) return "ok";
  return std::to_string(kOutcomeCodes[index]);
}

size_t OutcomeIndex(int code) {
  for (size_t i = 0; i < kOutcomeCodes.size(); ++i) {
    if (kOutcomeCodes[i] == code) return i;
  }
  return kOutcomeCodes.size();
}

// Prometheus label value escaping: backslash, quote, newline.
std::string Label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void Header(std::string* out, const char* name, const char* type,
            const char* help) {
  *out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name +
          " " + type + "\n";
}

void Sample(std::string* out, const char* name, double value) {
  *out += std::string(name) + " " + Num(value) + "\n";
}

void Histogram(std::string* out, const std::string& name,
               const std::string& labels, const LatencyHistogram& h) {
  auto cumulative = h.Cumulative();
  std::string sep = labels.empty() ? "" : ",";
  for (size_t i = 0; i < cumulative.size(); ++i) {
    std::string le = i < kLatencyBuckets.size() ? Num(kLatencyBuckets[i])
                                                : std::string("+Inf");
    *out += name + "_bucket{" + labels + sep + "le=\"" + le + "\"} " +
            std::to_string(cumulative[i]) + "\n";
  }
  std::string braces = labels.empty() ? "" : "{" + labels + "}";
  *out += name + "_sum" + braces + " " + Num(h.SumSeconds()) + "\n";
  *out +=
      name + "_count" + braces + " " + std::to_string(cumulative.back()) + "\n";
}

}  // namespace

void LatencyHistogram::Observe(uint64_t nanos) {
  double s = static_cast<double>(nanos) / 1e9;
  size_t i =
      std::lower_bound(kLatencyBuckets.begin(), kLatencyBuckets.end(), s) -
      kLatencyBuckets.begin();
  counts_[i].fetch_add(1, kRelaxed);
  sum_nanos_.fetch_add(nanos, kRelaxed);
}

std::array<uint64_t, kLatencyBuckets.size() + 1> LatencyHistogram::Cumulative()
    const {
  std::array<uint64_t, kLatencyBuckets.size() + 1> out{};
  uint64_t running = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    running += counts_[i].load(kRelaxed);
    out[i] = running;
  }
  return out;
}

double LatencyHistogram::SumSeconds() const {
  return static_cast<double>(sum_nanos_.load(kRelaxed)) / 1e9;
}

double LatencyHistogram::Quantile(double q) const {
  auto cumulative = Cumulative();
  uint64_t total = cumulative.back();
  if (total == 0) return 0;
  double rank = q * static_cast<double>(total);
  for (size_t i = 0; i < cumulative.size(); ++i) {
    if (static_cast<double>(cumulative[i]) < rank) continue;
    double lower = i == 0 ? 0 : kLatencyBuckets[i - 1];
    if (i == kLatencyBuckets.size()) return lower;  // +Inf: report the bound
    double below = i == 0 ? 0 : static_cast<double>(cumulative[i - 1]);
    double in_bucket = static_cast<double>(cumulative[i]) - below;
    double frac = in_bucket > 0 ? (rank - below) / in_bucket : 1;
    return lower + (kLatencyBuckets[i] - lower) * frac;
  }
  return kLatencyBuckets.back();
}

Metrics::Metrics() : start_ns_(MonotonicNanos()), start_wall_ms_(WallMillis()) {
  MutexLock lock(&mu_);
  other_ = &methods_.emplace_back();
  other_->name = "other";
  last_status_ns_ = start_ns_;
}

MethodStats* Metrics::Method(std::string_view method) {
  MutexLock lock(&mu_);
  auto it = by_name_.find(method);
  if (it != by_name_.end()) return it->second;
  if (by_name_.size() >= kMaxMethods) return other_;
  MethodStats* m = &methods_.emplace_back();
  m->name = std::string(method);
  by_name_.emplace(m->name, m);
  return m;
}

void Metrics::RecordRequest(MethodStats* m, int error_code,
                            uint64_t queue_wait_ns, uint64_t run_ns) {
  m->outcomes[OutcomeIndex(error_code)].fetch_add(1, kRelaxed);
  m->total.Observe(queue_wait_ns + run_ns);
  m->queue_wait.Observe(queue_wait_ns);
}

void Metrics::SetQueueDepth(int64_t depth) {
  queue_depth_.store(depth, kRelaxed);
  int64_t peak = queue_peak_.load(kRelaxed);
  while (depth > peak && !queue_peak_.compare_exchange_weak(peak, depth)) {
  }
}

void Metrics::SetConnections(int64_t open, uint64_t accepted,
                             uint64_t rejected) {
  open_.store(open, kRelaxed);
  accepted_.store(accepted, kRelaxed);
  rejected_.store(rejected, kRelaxed);
}

void Metrics::SetBytes(uint64_t in, uint64_t out) {
  bytes_in_.store(in, kRelaxed);
  bytes_out_.store(out, kRelaxed);
}

void Metrics::SetQueue(int64_t depth, int64_t peak) {
  queue_depth_.store(depth, kRelaxed);
  queue_peak_.store(peak, kRelaxed);
}

void Metrics::SetWorkersBusy(int64_t busy, uint64_t busy_ns_total) {
  busy_.store(busy, kRelaxed);
  busy_ns_.store(busy_ns_total, kRelaxed);
}

void Metrics::WorkerFinished(uint64_t busy_ns) {
  busy_.fetch_sub(1, kRelaxed);
  busy_ns_.fetch_add(busy_ns, kRelaxed);
}

std::vector<const MethodStats*> Metrics::Methods() const {
  MutexLock lock(&mu_);
  std::vector<const MethodStats*> out;
  for (const auto& [name, m] : by_name_) out.push_back(m);
  bool other_used = false;
  for (const auto& c : other_->outcomes) other_used |= c.load(kRelaxed) > 0;
  if (other_used) out.push_back(other_);
  return out;
}

MetricsSnapshot Metrics::Snapshot() const {
  MetricsSnapshot s;
  s.uptime_seconds = static_cast<double>(MonotonicNanos() - start_ns_) / 1e9;
  for (const MethodStats* m : Methods()) {
    MethodSnapshot ms;
    ms.method = m->name;
    for (size_t i = 0; i < m->outcomes.size(); ++i) {
      uint64_t n = m->outcomes[i].load(kRelaxed);
      if (n == 0) continue;
      ms.outcomes[OutcomeName(i)] = n;
      ms.count += n;
      if (i != 0) ms.errors += n;
    }
    ms.p50_ms = m->total.Quantile(0.5) * 1e3;
    ms.p90_ms = m->total.Quantile(0.9) * 1e3;
    ms.p99_ms = m->total.Quantile(0.99) * 1e3;
    uint64_t observed = m->total.Cumulative().back();
    if (observed > 0) {
      ms.mean_ms = m->total.SumSeconds() * 1e3 / static_cast<double>(observed);
      ms.queue_wait_mean_ms =
          m->queue_wait.SumSeconds() * 1e3 / static_cast<double>(observed);
    }
    s.requests_total += ms.count;
    s.errors_total += ms.errors;
    s.methods.push_back(std::move(ms));
  }
  if (s.uptime_seconds > 0) {
    s.requests_per_second =
        static_cast<double>(s.requests_total) / s.uptime_seconds;
  }
  s.queue_depth = queue_depth_.load(kRelaxed);
  s.queue_depth_peak = queue_peak_.load(kRelaxed);
  s.workers = workers_.load(kRelaxed);
  s.workers_busy = busy_.load(kRelaxed);
  if (s.workers > 0 && s.uptime_seconds > 0) {
    s.worker_utilization =
        std::min(1.0, static_cast<double>(busy_ns_.load(kRelaxed)) / 1e9 /
                          (static_cast<double>(s.workers) * s.uptime_seconds));
  }
  s.connections_open = open_.load(kRelaxed);
  s.connections_accepted = accepted_.load(kRelaxed);
  s.connections_rejected = rejected_.load(kRelaxed);
  s.bytes_in = bytes_in_.load(kRelaxed);
  s.bytes_out = bytes_out_.load(kRelaxed);
  uint64_t rss = rss_.load(kRelaxed);
  s.rss_bytes = rss > 0 ? rss : ResidentMemoryBytes();
  s.autosave_failures = autosave_failed_.load(kRelaxed);
  s.autosave_failing = autosave_failing_.load(kRelaxed);
  return s;
}

std::string Metrics::PrometheusText() const {
  MetricsSnapshot s = Snapshot();
  std::vector<const MethodStats*> methods = Methods();
  std::string out;
  Header(&out, "goxel_requests_total", "counter",
         "Requests answered, by method and outcome (ok or error code).");
  for (const MethodStats* m : methods) {
    for (size_t i = 0; i < m->outcomes.size(); ++i) {
      uint64_t n = m->outcomes[i].load(kRelaxed);
      if (n == 0 && i != 0) continue;
      out += "goxel_requests_total{method=\"" + Label(m->name) +
             "\",outcome=\"" + OutcomeName(i) + "\"} " + std::to_string(n) +
             "\n";
    }
  }
  Header(&out, "goxel_request_duration_seconds", "histogram",
         "Time from a request being read to its reply (queue wait + run).");
  for (const MethodStats* m : methods) {
    Histogram(&out, "goxel_request_duration_seconds",
              "method=\"" + Label(m->name) + "\"", m->total);
  }
  Header(&out, "goxel_request_queue_wait_seconds", "histogram",
         "Time requests waited in the queue before a worker ran them.");
  for (const MethodStats* m : methods) {
    Histogram(&out, "goxel_request_queue_wait_seconds",
              "method=\"" + Label(m->name) + "\"", m->queue_wait);
  }
  struct Gauge {
    const char* name;
    const char* type;
    const char* help;
    double value;
  };
  const Gauge gauges[] = {
      {"goxel_queue_depth", "gauge", "Requests waiting in the queue.",
       static_cast<double>(s.queue_depth)},
      {"goxel_queue_depth_peak", "gauge", "Highest queue depth seen.",
       static_cast<double>(s.queue_depth_peak)},
      {"goxel_workers", "gauge", "Worker threads.",
       static_cast<double>(s.workers)},
      {"goxel_workers_busy", "gauge", "Workers running a job now.",
       static_cast<double>(s.workers_busy)},
      {"goxel_worker_utilization", "gauge",
       "Busy time over worker time since start (0..1).", s.worker_utilization},
      {"goxel_connections", "gauge", "Open client connections.",
       static_cast<double>(s.connections_open)},
      {"goxel_connections_accepted_total", "counter", "Connections accepted.",
       static_cast<double>(s.connections_accepted)},
      {"goxel_connections_rejected_total", "counter",
       "Connections refused (limit or peer credentials).",
       static_cast<double>(s.connections_rejected)},
      {"goxel_received_bytes_total", "counter", "Bytes read from clients.",
       static_cast<double>(s.bytes_in)},
      {"goxel_sent_bytes_total", "counter", "Bytes written to clients.",
       static_cast<double>(s.bytes_out)},
      {"goxel_uptime_seconds", "gauge", "Seconds since the daemon started.",
       s.uptime_seconds},
      {"goxel_autosave_failures_total", "counter",
       "Autosave writes that failed (each project of each pass).",
       static_cast<double>(s.autosave_failures)},
      {"goxel_autosave_failing", "gauge",
       "1 while the last autosave pass failed (health is degraded).",
       s.autosave_failing ? 1.0 : 0.0},
      {"process_resident_memory_bytes", "gauge", "Resident memory size.",
       static_cast<double>(s.rss_bytes)},
      {"process_start_time_seconds", "gauge",
       "Start time of the process since the Unix epoch.",
       static_cast<double>(start_wall_ms_) / 1e3},
  };
  for (const Gauge& g : gauges) {
    Header(&out, g.name, g.type, g.help);
    Sample(&out, g.name, g.value);
  }
  return out;
}

std::string Metrics::StatusLine() {
  MetricsSnapshot s = Snapshot();
  uint64_t now = MonotonicNanos();
  double secs = static_cast<double>(now - last_status_ns_) / 1e9;
  double rate =
      secs > 0
          ? static_cast<double>(s.requests_total - last_status_requests_) / secs
          : 0;
  last_status_ns_ = now;
  last_status_requests_ = s.requests_total;
  char buf[160];
  std::snprintf(buf, sizeof buf,
                "%lld connections, queue %lld, %lld/%lld workers busy, "
                "%.1f req/s",
                static_cast<long long>(s.connections_open),
                static_cast<long long>(s.queue_depth),
                static_cast<long long>(s.workers_busy),
                static_cast<long long>(s.workers), rate);
  return buf;
}

std::string MetricsSnapshot::ToJson() const {
  std::string o = "{";
  auto field = [&o](const char* k, const std::string& v) {
    if (o.size() > 1) o += ',';
    o += std::string("\"") + k + "\":" + v;
  };
  field("uptime_seconds", Num(uptime_seconds));
  field("requests_total", std::to_string(requests_total));
  field("errors_total", std::to_string(errors_total));
  field("requests_per_second", Num(requests_per_second));
  field("queue_depth", std::to_string(queue_depth));
  field("queue_depth_peak", std::to_string(queue_depth_peak));
  field("workers", std::to_string(workers));
  field("workers_busy", std::to_string(workers_busy));
  field("worker_utilization", Num(worker_utilization));
  field("connections_open", std::to_string(connections_open));
  field("connections_accepted", std::to_string(connections_accepted));
  field("connections_rejected", std::to_string(connections_rejected));
  field("bytes_in", std::to_string(bytes_in));
  field("bytes_out", std::to_string(bytes_out));
  field("rss_bytes", std::to_string(rss_bytes));
  field("autosave_failures", std::to_string(autosave_failures));
  field("autosave_failing", autosave_failing ? "true" : "false");
  std::string ms = "{";
  for (const MethodSnapshot& m : methods) {
    if (ms.size() > 1) ms += ',';
    AppendJsonString(m.method, &ms);
    ms += ":{\"count\":" + std::to_string(m.count) +
          ",\"errors\":" + std::to_string(m.errors) + ",\"outcomes\":{";
    bool first = true;
    for (const auto& [k, n] : m.outcomes) {
      ms += (first ? "\"" : ",\"") + k + "\":" + std::to_string(n);
      first = false;
    }
    ms += "},\"p50_ms\":" + Num(m.p50_ms) + ",\"p90_ms\":" + Num(m.p90_ms) +
          ",\"p99_ms\":" + Num(m.p99_ms) + ",\"mean_ms\":" + Num(m.mean_ms) +
          ",\"queue_wait_mean_ms\":" + Num(m.queue_wait_mean_ms) + "}";
  }
  field("methods", ms + "}");
  return o + "}";
}

uint64_t ResidentMemoryBytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long long size = 0, resident = 0;
  int n = std::fscanf(f, "%llu %llu", &size, &resident);
  std::fclose(f);
  if (n != 2) return 0;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace goxel::ops
