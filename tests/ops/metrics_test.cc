#include "ops/metrics.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace goxel::ops {
namespace {

constexpr uint64_t kMs = 1000000;

TEST(LatencyHistogram, QuantilesFallInTheRightBuckets) {
  LatencyHistogram h;
  EXPECT_EQ(h.Quantile(0.5), 0);
  for (int i = 0; i < 90; ++i) h.Observe(3 * kMs);    // (2.5 ms, 5 ms]
  for (int i = 0; i < 10; ++i) h.Observe(400 * kMs);  // (250 ms, 500 ms]
  EXPECT_GT(h.Quantile(0.5), 0.0025);
  EXPECT_LE(h.Quantile(0.5), 0.005);
  EXPECT_LE(h.Quantile(0.9), 0.005);
  EXPECT_GT(h.Quantile(0.99), 0.25);
  EXPECT_LE(h.Quantile(0.99), 0.5);
  EXPECT_NEAR(h.SumSeconds(), 90 * 0.003 + 10 * 0.4, 1e-9);
  EXPECT_EQ(h.Cumulative().back(), 100u);
}

TEST(Metrics, CountsRequestsByMethodAndOutcome) {
  Metrics m;
  MethodStats* ping = m.Method("ping");
  EXPECT_EQ(m.Method("ping"), ping);
  for (int i = 0; i < 5; ++i) m.RecordRequest(ping, 0, 0, kMs);
  m.RecordRequest(m.Method("goxel.add_voxel"), -32602, 2 * kMs, kMs);
  MetricsSnapshot s = m.Snapshot();
  EXPECT_EQ(s.requests_total, 6u);
  EXPECT_EQ(s.errors_total, 1u);
  ASSERT_EQ(s.methods.size(), 2u);
  EXPECT_EQ(s.methods[0].method, "goxel.add_voxel");
  EXPECT_EQ(s.methods[0].outcomes.at("-32602"), 1u);
  EXPECT_NEAR(s.methods[0].queue_wait_mean_ms, 2.0, 1e-9);
  EXPECT_EQ(s.methods[1].method, "ping");
  EXPECT_EQ(s.methods[1].count, 5u);
  EXPECT_NEAR(s.methods[1].mean_ms, 1.0, 1e-9);
}

TEST(Metrics, GaugesTrackConnectionsQueueAndWorkers) {
  Metrics m;
  m.SetWorkers(4);
  m.ConnectionAccepted();
  m.ConnectionAccepted();
  m.ConnectionClosed();
  m.ConnectionRejected();
  m.SetQueueDepth(7);
  m.SetQueueDepth(2);
  m.WorkerStarted();
  m.WorkerStarted();
  m.WorkerFinished(kMs);
  m.AddBytesIn(100);
  m.AddBytesOut(250);
  MetricsSnapshot s = m.Snapshot();
  EXPECT_EQ(s.connections_open, 1);
  EXPECT_EQ(s.connections_accepted, 2u);
  EXPECT_EQ(s.connections_rejected, 1u);
  EXPECT_EQ(s.queue_depth, 2);
  EXPECT_EQ(s.queue_depth_peak, 7);
  EXPECT_EQ(s.workers_busy, 1);
  EXPECT_GT(s.worker_utilization, 0);
  EXPECT_LE(s.worker_utilization, 1);
  EXPECT_EQ(s.bytes_in, 100u);
  EXPECT_EQ(s.bytes_out, 250u);
  EXPECT_GT(s.rss_bytes, 1u << 20);  // a gtest binary uses over 1 MiB
}

TEST(Metrics, MethodNamesBeyondTheLimitShareOther) {
  Metrics m;
  for (size_t i = 0; i < Metrics::kMaxMethods; ++i) {
    m.RecordRequest(m.Method("m" + std::to_string(i)), 0, 0, 1);
  }
  MethodStats* extra = m.Method("one-too-many");
  EXPECT_EQ(extra->name, "other");
  m.RecordRequest(extra, -32601, 0, 1);
  EXPECT_EQ(m.Snapshot().methods.size(), Metrics::kMaxMethods + 1);
}

TEST(Metrics, ConcurrentRecordingLosesNothing) {
  Metrics m;
  MethodStats* s = m.Method("echo");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) m.RecordRequest(s, 0, 10, 20);
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(m.Snapshot().requests_total, 40000u);
}

TEST(Metrics, SnapshotJsonParses) {
  Metrics m;
  m.RecordRequest(m.Method("we\"ird"), 0, 0, 5 * kMs);
  rapidjson::Document doc;
  std::string json = m.Snapshot().ToJson();
  doc.Parse(json.c_str());
  ASSERT_FALSE(doc.HasParseError()) << json;
  EXPECT_EQ(doc["requests_total"].GetUint64(), 1u);
  const auto& w = doc["methods"]["we\"ird"];
  EXPECT_EQ(w["outcomes"]["ok"].GetUint64(), 1u);
  EXPECT_GT(w["p50_ms"].GetDouble(), 2.5);
  EXPECT_LE(w["p99_ms"].GetDouble(), 5.0);
}

TEST(Metrics, StatusLineSummarisesLoad) {
  Metrics m;
  m.SetWorkers(4);
  m.ConnectionAccepted();
  std::string line = m.StatusLine();
  EXPECT_EQ(line.substr(0, 32), "1 connections, queue 0, 0/4 work");
  EXPECT_NE(line.find("req/s"), std::string::npos);
}

// Parses the exposition with the reference Python parser
// (Debian python3-prometheus-client, hence /usr/bin/python3 rather than a
// python3 from PATH) and prints "name{labels} value" per sample.
std::string ParseWithPrometheusClient(const std::string& text) {
  std::string path = "/tmp/goxel-ops-metrics-" + std::to_string(getpid());
  std::ofstream(path) << text;
  std::string cmd =
      "/usr/bin/python3 -c 'import sys\n"
      "from prometheus_client.parser import text_string_to_metric_families\n"
      "for f in text_string_to_metric_families(open(sys.argv[1]).read()):\n"
      "  for s in f.samples:\n"
      "    l = \",\".join(k + \"=\" + v for k, v in sorted(s.labels.items()))\n"
      "    print(f.type, s.name + \"{\" + l + \"}\", s.value)\n' " +
      path + " 2>&1";
  std::string out;
  if (std::FILE* p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    int rc = pclose(p);
    if (rc != 0) out = "parser failed: " + out;
  }
  unlink(path.c_str());
  return out;
}

TEST(Metrics, FailedAutosavesAreCounted) {
  Metrics m;
  auto text = [&m] { return m.PrometheusText(); };
  EXPECT_NE(text().find("\ngoxel_autosave_failures_total 0\n"),
            std::string::npos);
  EXPECT_NE(text().find("\ngoxel_autosave_failing 0\n"), std::string::npos);
  m.SetAutosave(3, true);
  EXPECT_NE(text().find("\ngoxel_autosave_failures_total 3\n"),
            std::string::npos)
      << text();
  EXPECT_NE(text().find("\ngoxel_autosave_failing 1\n"), std::string::npos);
  EXPECT_NE(text().find("# TYPE goxel_autosave_failures_total counter"),
            std::string::npos);
  rapidjson::Document doc;
  std::string json = m.Snapshot().ToJson();
  doc.Parse(json.c_str());
  ASSERT_FALSE(doc.HasParseError()) << json;
  EXPECT_EQ(doc["autosave_failures"].GetUint64(), 3u);
  EXPECT_TRUE(doc["autosave_failing"].GetBool());
  m.SetAutosave(3, false);
  EXPECT_NE(text().find("\ngoxel_autosave_failing 0\n"), std::string::npos);
  EXPECT_EQ(m.Snapshot().autosave_failures, 3u);
}

TEST(Metrics, PrometheusTextParsesWithTheReferenceParser) {
  Metrics m;
  m.SetWorkers(2);
  m.ConnectionAccepted();
  MethodStats* ping = m.Method("ping");
  m.RecordRequest(ping, 0, 0, 30000);  // 30 us
  m.RecordRequest(ping, 0, 0, 30000);
  m.RecordRequest(m.Method("goxel.export"), -32004, 5 * kMs, 300 * kMs);
  std::string parsed = ParseWithPrometheusClient(m.PrometheusText());
  ASSERT_EQ(parsed.find("parser failed"), std::string::npos) << parsed;
  auto has = [&](const std::string& line) {
    return parsed.find(line + "\n") != std::string::npos;
  };
  EXPECT_TRUE(has("counter goxel_requests_total{method=ping,outcome=ok} 2.0"))
      << parsed;
  EXPECT_TRUE(
      has("counter goxel_requests_total{method=goxel.export,"
          "outcome=-32004} 1.0"));
  EXPECT_TRUE(
      has("histogram goxel_request_duration_seconds_bucket{le=5e-05,"
          "method=ping} 2.0"));
  EXPECT_TRUE(
      has("histogram goxel_request_duration_seconds_bucket{le=0.25,"
          "method=goxel.export} 0.0"));
  EXPECT_TRUE(
      has("histogram goxel_request_duration_seconds_bucket{le=0.5,"
          "method=goxel.export} 1.0"));
  EXPECT_TRUE(
      has("histogram goxel_request_duration_seconds_count{method=ping}"
          " 2.0"));
  EXPECT_TRUE(has("gauge goxel_workers{} 2.0"));
  EXPECT_TRUE(has("gauge goxel_connections{} 1.0"));
  EXPECT_TRUE(has("gauge goxel_queue_depth{} 0.0"));
  EXPECT_TRUE(has("gauge goxel_workers_busy{} 0.0"));
  EXPECT_NE(parsed.find("gauge process_resident_memory_bytes{} "),
            std::string::npos);
}

}  // namespace
}  // namespace goxel::ops
