// Metrics and access limits of the real binary: Prometheus text checked
// with python3-prometheus-client's parser, JSON figures, socket mode and
// group, peer credentials, rate limiting, request size and memory limits,
// goxel.shutdown_daemon.
#include <grp.h>
#include <gtest/gtest.h>

#include "integration/ops_support.h"

namespace goxel::testing {
namespace {

constexpr char kParser[] = R"PY(
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = {}
for family in text_string_to_metric_families(open(sys.argv[1]).read()):
    for s in family.samples:
        labels = ",".join(f"{k}={v}" for k, v in sorted(s.labels.items()))
        out[s.name + "{" + labels + "}"] = s.value
    out["type:" + family.name] = family.type
print(json.dumps(out))
)PY";

TEST(OpsAccess, MetricsParseWithThePrometheusClientParser) {
  DaemonProcess d;
  ASSERT_TRUE(d.Start({"--enable-debug-methods"})) << d.Log();
  RpcClient c;
  ASSERT_TRUE(c.Connect(d.socket_path()));
  for (int i = 0; i < 5; ++i)
    c.Call(R"({"jsonrpc":"2.0","method":"ping","id":1})");
  c.Call(
      R"({"jsonrpc":"2.0","method":"debug.sleep","params":{"ms":30},"id":2})");
  c.Call(R"({"jsonrpc":"2.0","method":"no.such","id":3})");
  auto reply =
      ParseJson(c.Call(R"({"jsonrpc":"2.0","method":"metrics","id":4})"));
  ASSERT_TRUE(reply.HasMember("result")) << d.Log();
  EXPECT_EQ(std::string(reply["result"]["content_type"].GetString())
                .rfind("text/plain; version=0.0.4", 0),
            0u);
  std::string text = reply["result"]["text"].GetString();
  std::string path = d.dir().File("metrics.txt");
  WriteFileText(path, text);
  WriteFileText(d.dir().File("parse.py"), kParser);
  CommandResult parsed =
      RunCommand({"/usr/bin/python3", d.dir().File("parse.py"), path});
  ASSERT_EQ(parsed.exit_code, 0) << parsed.out << text;
  auto m = ParseJson(parsed.out);
  ASSERT_TRUE(m.IsObject()) << parsed.out;
  auto value = [&](const char* key) {
    return m.HasMember(key) ? m[key].GetDouble() : -1.0;
  };
  // Five here and the one DaemonProcess::Start sent to see the daemon up.
  EXPECT_EQ(value("goxel_requests_total{method=ping,outcome=ok}"), 6);
  EXPECT_EQ(value("goxel_requests_total{method=debug.sleep,outcome=ok}"), 1);
  EXPECT_EQ(value("goxel_requests_total{method=(invalid),outcome=-32601}"), 1);
  EXPECT_EQ(value("goxel_request_duration_seconds_count{method=debug.sleep}"),
            1);
  EXPECT_GE(value("goxel_request_duration_seconds_sum{method=debug.sleep}"),
            0.03);
  EXPECT_EQ(value("goxel_request_duration_seconds_bucket{le=0.01,method=debug."
                  "sleep}"),
            0);
  EXPECT_EQ(value("goxel_connections{}"), 1);
  EXPECT_EQ(value("goxel_workers{}"), 4);
  EXPECT_GE(value("goxel_queue_depth{}"), 0);
  EXPECT_GT(value("goxel_received_bytes_total{}"), 100);
  EXPECT_GT(value("process_resident_memory_bytes{}"), 1e6);
  EXPECT_STREQ(m["type:goxel_request_duration_seconds"].GetString(),
               "histogram");
}

TEST(OpsAccess, StatusAndPerformanceMetricsCarryPerMethodPercentiles) {
  DaemonProcess d;
  ASSERT_TRUE(d.Start({"--enable-debug-methods"})) << d.Log();
  for (int i = 0; i < 3; ++i)
    CallMethod(d.socket_path(), "debug.sleep", R"({"ms": 20})");
  for (const char* method :
       {"status", "goxel.get_daemon_status", "goxel.get_performance_metrics"}) {
    auto reply = CallMethod(d.socket_path(), method);
    ASSERT_TRUE(reply.HasMember("result")) << method;
    const auto& r = reply["result"];
    ASSERT_TRUE(r.HasMember("methods")) << method;
    const auto& sleep = r["methods"]["debug.sleep"];
    EXPECT_EQ(sleep["count"].GetInt(), 3) << method;
    // Percentiles are interpolated in the histogram bucket (10..25 ms).
    EXPECT_GE(sleep["p50_ms"].GetDouble(), 10.0) << method;
    EXPECT_LE(sleep["p50_ms"].GetDouble(), 25.0) << method;
    EXPECT_GE(sleep["mean_ms"].GetDouble(), 20.0) << method;
    EXPECT_GE(sleep["p99_ms"].GetDouble(), sleep["p50_ms"].GetDouble());
    EXPECT_GT(r["rss_bytes"].GetUint64(), 1000000u) << method;
    EXPECT_EQ(r["workers"].GetInt(), 4) << method;
  }
}

TEST(OpsAccess, MetricsCanBeDisabled) {
  TempDir dir;
  std::string conf = dir.File("c.json");
  WriteFileText(conf, R"({"monitoring": {"enable_metrics": false}})");
  DaemonProcess d;
  ASSERT_TRUE(d.Start({"--config", conf})) << d.Log();
  auto reply = CallMethod(d.socket_path(), "metrics");
  ASSERT_TRUE(reply.HasMember("error"));
  EXPECT_EQ(reply["error"]["code"].GetInt(), -32601);
  // Hidden from the method list too; the rest of the list is there.
  auto list = CallMethod(d.socket_path(), "list_methods");
  ASSERT_TRUE(list.HasMember("result")) << d.Log();
  bool has_metrics = false, has_ping = false;
  for (const auto& m : list["result"]["methods"].GetArray()) {
    std::string name = m["method"].GetString();
    has_metrics |= name == "metrics";
    has_ping |= name == "ping";
  }
  EXPECT_FALSE(has_metrics);
  EXPECT_TRUE(has_ping);
}

TEST(OpsAccess, SocketModeAndGroupComeFromTheSecuritySection) {
  group* g = getgrnam("daemon");
  ASSERT_NE(g, nullptr);
  TempDir dir;
  std::string conf = dir.File("c.json");
  WriteFileText(conf, R"({"security": {"socket_permissions": "0600",
                                       "socket_group": "daemon"}})");
  DaemonProcess d;
  ASSERT_TRUE(d.Start({"--config", conf})) << d.Log();
  struct stat st;
  ASSERT_EQ(stat(d.socket_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_gid, g->gr_gid);
}

TEST(OpsAccess, PeersNotInAllowedUidsGetOneErrorAndAreClosed) {
  TempDir dir;
  std::string conf = dir.File("c.json");
  uint32_t other = getuid() + 4242;
  WriteFileText(conf, R"({"security": {"allowed_uids": [)" +
                          std::to_string(other) + "]}}");
  DaemonProcess d;
  ASSERT_TRUE(d.Spawn({DaemonBinary(), "--foreground", "--socket",
                       d.socket_path(), "--config", conf}));
  ASSERT_TRUE(WaitFor([&] { return PathExists(d.socket_path()); }, 5000));
  RpcClient c;
  ASSERT_TRUE(WaitFor([&] { return c.Connect(d.socket_path()); }, 5000));
  auto reply = ParseJson(c.ReadLine(5000));
  ASSERT_TRUE(Has(reply, "error")) << d.Log();
  EXPECT_EQ(reply["error"]["code"].GetInt(), -32005);
  EXPECT_EQ(reply["error"]["data"]["peer_uid"].GetInt64(), getuid());
  EXPECT_TRUE(c.WaitClosed(5000));
  EXPECT_NE(d.Log().find("connection refused"), std::string::npos) << d.Log();
  // Allowing our uid live (set_config is refused to us, so use SIGHUP).
  WriteFileText(conf, R"({"security": {"allowed_uids": [)" +
                          std::to_string(getuid()) + "]}}");
  d.Signal(SIGHUP);
  EXPECT_TRUE(WaitFor(
      [&] { return Has(CallMethod(d.socket_path(), "ping"), "result"); },
      3000));
}

TEST(OpsAccess, RateLimitAnswersRetryAfterAndKeepsTheConnection) {
  TempDir dir;
  std::string conf = dir.File("c.json");
  WriteFileText(conf, R"({"security": {"rate_limiting": {
      "enabled": true, "requests_per_second": 2, "burst_size": 3}}})");
  DaemonProcess d;
  ASSERT_TRUE(d.Start({"--config", conf})) << d.Log();
  RpcClient c;
  ASSERT_TRUE(c.Connect(d.socket_path()));
  int ok = 0, limited = 0;
  int64_t retry_after = 0;
  for (int i = 0; i < 6; ++i) {
    auto r = ParseJson(c.Call(R"({"jsonrpc":"2.0","method":"ping","id":7})"));
    if (r.HasMember("result")) ++ok;
    if (r.HasMember("error")) {
      ++limited;
      EXPECT_EQ(r["error"]["code"].GetInt(), -32000);
      EXPECT_EQ(r["id"].GetInt(), 7);
      retry_after = r["error"]["data"]["retry_after_ms"].GetInt64();
    }
  }
  // WaitReady's ping used its own connection: this one starts full.
  EXPECT_EQ(ok, 3);
  EXPECT_EQ(limited, 3);
  EXPECT_GT(retry_after, 0);
  EXPECT_LE(retry_after, 500);
  // The limiter is a clock: waiting the retry_after it announced is the
  // behaviour under test (a client that does so is served), not an
  // ordering; 20 ms over it absorbs the rounding to whole milliseconds.
  std::this_thread::sleep_for(std::chrono::milliseconds(retry_after + 20));
  auto r = ParseJson(c.Call(R"({"jsonrpc":"2.0","method":"ping","id":8})"));
  EXPECT_TRUE(r.HasMember("result")) << "connection not usable after waiting";
  // Refused requests are counted like answered ones, under their error.
  // (Waiting again so that the metrics call is not limited itself.)
  std::this_thread::sleep_for(std::chrono::milliseconds(retry_after + 20));
  auto m = ParseJson(c.Call(R"({"jsonrpc":"2.0","method":"metrics","id":9})"));
  ASSERT_TRUE(m.HasMember("result")) << d.Log();
  std::string text = m["result"]["text"].GetString();
  EXPECT_NE(
      text.find("goxel_requests_total{method=\"ping\",outcome=\"-32000\"} "
                "3\n"),
      std::string::npos)
      << text;
}

TEST(OpsAccess, MemoryLimitRefusesAllocatingMethodsOnly) {
  TempDir dir;
  std::string conf = dir.File("c.json");
  WriteFileText(conf, R"({"performance": {"max_memory_mb": 1}})");
  DaemonProcess d;
  ASSERT_TRUE(d.Start({"--config", conf})) << d.Log();
  ASSERT_TRUE(CallMethod(d.socket_path(), "goxel.create_project", "{}")
                  .HasMember("result"));
  // 20,000 voxels, each alone in its block: more than 1 MiB of engine.
  std::string batch = R"({"color":[255,0,0,255],"voxels":[)";
  for (int i = 0; i < 20000; ++i)
    batch += (i ? ",[" : "[") + std::to_string(i * 16) + ",0,0]";
  batch += "]}";
  auto add = CallMethod(d.socket_path(), "goxel.add_voxel_batch", batch);
  ASSERT_TRUE(add.HasMember("error")) << d.Log();
  EXPECT_EQ(add["error"]["code"].GetInt(), -32006);
  EXPECT_EQ(add["error"]["data"]["limit"].GetInt64(), int64_t{1} << 20);
  EXPECT_TRUE(
      CallMethod(d.socket_path(), "goxel.get_voxel", R"({"x":1,"y":2,"z":3})")
          .HasMember("result"));
  EXPECT_TRUE(Has(CallMethod(d.socket_path(), "health"), "result"));
  // Raising the limit live lets the edit through.
  auto set = CallMethod(d.socket_path(), "goxel.set_config",
                        R"({"performance.max_memory_mb": 4096})");
  ASSERT_TRUE(set.HasMember("result"));
  add = CallMethod(d.socket_path(), "goxel.add_voxel_batch", batch);
  EXPECT_TRUE(add.HasMember("result")) << d.Log();
}

TEST(OpsAccess, MaxRequestSizeComesFromTheConfig) {
  TempDir dir;
  std::string conf = dir.File("c.json");
  WriteFileText(conf, R"({"security": {"max_request_size_mb": 1}})");
  DaemonProcess d;
  ASSERT_TRUE(d.Start({"--config", conf})) << d.Log();
  RpcClient c;
  ASSERT_TRUE(c.Connect(d.socket_path()));
  std::string big = R"({"jsonrpc":"2.0","method":"echo","id":1,"params":[")" +
                    std::string(1100000, 'x') + "\"]}";
  // The daemon answers and closes as soon as the limit is passed, so the
  // rest of the text may meet a closed socket (EPIPE): the reply is there.
  c.Send(big + "\n");
  auto r = ParseJson(c.ReadLine());
  ASSERT_TRUE(r.HasMember("error"));
  EXPECT_EQ(r["error"]["data"]["limit_bytes"].GetInt64(), 1 << 20);
}

TEST(OpsAccess, ShutdownDaemonStopsGracefully) {
  DaemonProcess d;
  ASSERT_TRUE(d.Start()) << d.Log();
  auto r = CallMethod(d.socket_path(), "goxel.shutdown_daemon");
  EXPECT_TRUE(r.HasMember("result"));
  int st = d.Wait(10000);
  ASSERT_TRUE(WIFEXITED(st)) << st;
  EXPECT_EQ(WEXITSTATUS(st), 0);
  EXPECT_FALSE(PathExists(d.socket_path()));
}

}  // namespace
}  // namespace goxel::testing
