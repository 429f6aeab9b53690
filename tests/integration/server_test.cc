// The core server through the real binary: ordering, concurrency, limits,
// back-pressure, socket start-up rules and the SIGTERM drain.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>
#include <vector>

#include "support/daemon_harness.h"

namespace goxel::testing {
namespace {

using namespace std::chrono_literals;

rapidjson::Document Json(const std::string& line) {
  rapidjson::Document d;
  d.Parse(line.c_str());
  EXPECT_FALSE(d.HasParseError()) << line;
  return d;
}

std::string Req(const std::string& method, const std::string& params,
                const std::string& id) {
  std::string r = R"({"jsonrpc":"2.0","method":")" + method + "\"";
  if (!params.empty()) r += ",\"params\":" + params;
  if (!id.empty()) r += ",\"id\":" + id;
  return r + "}";
}

// An integer field of the daemon's status, asked on `c`; -1 without one.
// status is a control method: the loop answers it while the workers are
// busy, so tests poll it (WaitFor) to order events by the daemon's state.
int64_t StatusInt(RpcClient& c, const char* key) {
  auto s = Json(c.Call(Req("status", "", "0")));
  if (!s.IsObject() || !s.HasMember("result") || !s["result"].HasMember(key))
    return -1;
  return s["result"][key].GetInt64();
}

int ErrorCode(const rapidjson::Document& d) {
  if (!d.IsObject() || !d.HasMember("error")) return 0;
  return d["error"]["code"].GetInt();
}

uint64_t RssKb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  while (in >> key) {
    if (key == "VmRSS:") {
      uint64_t kb;
      in >> kb;
      return kb;
    }
  }
  return 0;
}

std::string WriteConfig(const TempDir& dir, const std::string& json) {
  std::string path = dir.File("config.json");
  std::ofstream(path) << json;
  return path;
}

TEST(Server, AnswersPipelinedRequestsInOrderAcrossLoopAndPool) {
  DaemonProcess d;
  ASSERT_TRUE(d.Start({"--enable-debug-methods", "--workers", "4"})) << d.Log();
  RpcClient c;
  ASSERT_TRUE(c.Connect(d.socket_path()));
  std::string burst;
  const int kCount = 300;
  for (int i = 0; i < kCount; ++i) {
    if (i % 3 == 0) {
      burst += Req("ping", "", std::to_string(i));
    } else if (i % 3 == 1) {
      burst += Req("debug.sleep", R"({"ms":0})", std::to_string(i));
    } else {
      burst += Req("echo", "[" + std::to_string(i) + "]", std::to_string(i));
    }
    if (i % 7 == 0) burst += "\n";  // newlines optional
  }
  ASSERT_TRUE(c.Send(burst));
  for (int i = 0; i < kCount; ++i) {
    std::string line = c.ReadLine();
    ASSERT_FALSE(line.empty()) << "reply " << i << " missing";
    auto r = Json(line);
    ASSERT_TRUE(r.HasMember("result")) << line;
    EXPECT_EQ(r["id"].GetInt(), i) << line;
  }
}

TEST(Server, ServesSixtyFourConnectionsAtOnce) {
  DaemonProcess d;
  ASSERT_TRUE(d.Start({"--enable-debug-methods"})) << d.Log();
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 64; ++t) {
    threads.emplace_back([&, t] {
      RpcClient c;
      if (!c.Connect(d.socket_path())) return;
      for (int i = 0; i < 40; ++i) {
        std::string tag =
            "\"c" + std::to_string(t) + "-" + std::to_string(i) + "\"";
        std::string method = i % 2 ? "echo" : "debug.sleep";
        std::string params = i % 2 ? "[" + tag + "]" : R"({"ms":0})";
        auto r = Json(c.Call(Req(method, params, tag)));
        if (r.IsObject() && r.HasMember("result") &&
            std::string(r["id"].GetString()) == tag.substr(1, tag.size() - 2))
          good.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(good.load(), 64 * 40);
}

TEST(Server, FullQueueAnswersServerBusyAtOnceAndHealthStillAnswers) {
  DaemonProcess d;
  ASSERT_TRUE(d.Start(
      {"--enable-debug-methods", "--workers", "1", "--queue-size", "1"}))
      << d.Log();
  RpcClient running, queued, refused, health;
  ASSERT_TRUE(running.Connect(d.socket_path()));
  ASSERT_TRUE(queued.Connect(d.socket_path()));
  ASSERT_TRUE(refused.Connect(d.socket_path()));
  ASSERT_TRUE(health.Connect(d.socket_path()));
  ASSERT_TRUE(running.Send(Req("debug.sleep", R"({"ms":3000})", "1") + "\n"));
  ASSERT_TRUE(WaitFor([&] { return StatusInt(health, "workers_busy") == 1; },
                      10000));  // the worker took it
  ASSERT_TRUE(queued.Send(Req("debug.sleep", R"({"ms":10})", "2") + "\n"));
  ASSERT_TRUE(WaitFor([&] { return StatusInt(health, "queue_depth") == 1; },
                      10000));  // it waits in the queue
  // "At once" is a bound: it must stay well below the 3 s job a refusal
  // would otherwise wait for, and leaves slow (sanitizer) builds 1.5 s.
  auto t0 = std::chrono::steady_clock::now();
  auto busy = Json(refused.Call(Req("debug.sleep", R"({"ms":10})", "3"), 2500));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1500ms);
  ASSERT_EQ(ErrorCode(busy), -32000);
  EXPECT_EQ(busy["error"]["data"]["queue_size"].GetInt(), 1);
  EXPECT_GT(busy["error"]["data"]["retry_after_ms"].GetInt(), 0);
  EXPECT_EQ(busy["id"].GetInt(), 3);

  t0 = std::chrono::steady_clock::now();
  auto h = Json(health.Call(Req("health", "", "4"), 2500));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1500ms);
  ASSERT_TRUE(h.HasMember("result")) << d.Log();
  EXPECT_STREQ(h["result"]["status"].GetString(), "ok");
  EXPECT_EQ(h["result"]["workers_busy"].GetInt(), 1);
  EXPECT_EQ(h["result"]["queue_depth"].GetInt(), 1);

  EXPECT_TRUE(Json(running.ReadLine()).HasMember("result"));
  EXPECT_TRUE(Json(queued.ReadLine()).HasMember("result"));
  // The refused connection is still open and served.
  EXPECT_TRUE(Json(refused.Call(Req("ping", "", "5"))).HasMember("result"));
}

// Replies of a worker with more queued work are sent in bursts, but never
// held behind a long job: here the one worker finishes a short job while
// more wait, then starts a 4 s one; the short job's reply must not wait
// for it.
TEST(Server, AReplyIsNotHeldBehindALongJob) {
  DaemonProcess d;
  ASSERT_TRUE(d.Start({"--enable-debug-methods", "--workers", "1"})) << d.Log();
  RpcClient blocker, short_job, long_job, after, probe;
  ASSERT_TRUE(probe.Connect(d.socket_path()));
  ASSERT_TRUE(blocker.Connect(d.socket_path()));
  ASSERT_TRUE(short_job.Connect(d.socket_path()));
  ASSERT_TRUE(long_job.Connect(d.socket_path()));
  ASSERT_TRUE(after.Connect(d.socket_path()));
  // Occupy the worker so that the next three queue up in this order.
  const auto t0 = std::chrono::steady_clock::now();
  // Long enough for the three polls below to see the queue fill behind it.
  ASSERT_TRUE(blocker.Send(Req("debug.sleep", R"({"ms":1000})", "1") + "\n"));
  ASSERT_TRUE(
      WaitFor([&] { return StatusInt(probe, "workers_busy") == 1; }, 10000));
  ASSERT_TRUE(short_job.Send(Req("debug.sleep", R"({"ms":0})", "2") + "\n"));
  ASSERT_TRUE(
      WaitFor([&] { return StatusInt(probe, "queue_depth") == 1; }, 10000));
  ASSERT_TRUE(long_job.Send(Req("debug.sleep", R"({"ms":4000})", "3") + "\n"));
  ASSERT_TRUE(
      WaitFor([&] { return StatusInt(probe, "queue_depth") == 2; }, 10000));
  ASSERT_TRUE(after.Send(Req("debug.sleep", R"({"ms":0})", "4") + "\n"));
  // Both come about 1 s after t0 unless held until the long job ends
  // (5 s after t0): the bound lies between the two, 1.5 s from each.
  EXPECT_TRUE(Json(blocker.ReadLine(8000)).HasMember("result"));
  EXPECT_TRUE(Json(short_job.ReadLine(8000)).HasMember("result"));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3500ms)
      << "the replies waited for the long job";
  EXPECT_TRUE(Json(long_job.ReadLine()).HasMember("result"));
  EXPECT_TRUE(Json(after.ReadLine()).HasMember("result"));
  // The worker was woken for the first job only: the others were queued
  // while it was busy and it took them without sleeping.
  auto status = Json(after.Call(Req("status", "", "5")));
  ASSERT_TRUE(status.HasMember("result")) << d.Log();
  EXPECT_EQ(status["result"]["worker_wakeups"].GetInt(), 1);
}

// A worker writes the replies of a connection that has nothing else
// pending itself, without waking the loop; the loop finds the job done when
// the connection next needs it (server/README.md). Sequential requests,
// a control request pipelined behind a pooled one, and a client that
// half-closes after its request all get every reply once, in order.
TEST(Server, WorkersAnswerSequentialRequestsDirectlyAndInOrder) {
  DaemonProcess d;
  ASSERT_TRUE(d.Start({"--enable-debug-methods", "--workers", "2"})) << d.Log();
  RpcClient c;
  ASSERT_TRUE(c.Connect(d.socket_path()));
  const int kCount = 200;
  int sent = 0;
  for (int i = 0; i < kCount; ++i) {
    const std::string id = std::to_string(i);
    if (i % 10 == 9) {  // pooled then control, in one write
      ASSERT_TRUE(c.Send(Req("debug.sleep", R"({"ms":0})", id) +
                         Req("ping", "", std::to_string(kCount + i)) + "\n"));
      auto first = Json(c.ReadLine());
      ASSERT_TRUE(first.HasMember("result")) << i;
      EXPECT_EQ(first["id"].GetInt(), i);
      auto second = Json(c.ReadLine());
      ASSERT_TRUE(second.HasMember("result")) << i;
      EXPECT_EQ(second["id"].GetInt(), kCount + i);
      sent += 2;
    } else {
      auto r = Json(c.Call(Req("debug.sleep", R"({"ms":0})", id)));
      ASSERT_TRUE(r.HasMember("result")) << i << " " << d.Log();
      EXPECT_EQ(r["id"].GetInt(), i);
      sent += 1;
    }
  }
  auto status = Json(c.Call(Req("status", "", "1")));
  ASSERT_TRUE(status.HasMember("result")) << d.Log();
  ASSERT_TRUE(status["result"].HasMember("replies_direct"));
  // Most sequential replies go out directly; a few may not when the next
  // request arrives before the worker lets go of the job.
  EXPECT_GT(status["result"]["replies_direct"].GetInt64(), kCount / 4);
  EXPECT_LE(status["result"]["replies_direct"].GetInt64(), kCount);
  EXPECT_GE(status["result"]["requests_served"].GetInt64(), sent);
  // Nothing else arrives on the connection.
  EXPECT_EQ(c.ReadLine(200), "");
  EXPECT_FALSE(c.eof());

  // Half-closed after the request: the reply comes, then the close.
  RpcClient h;
  ASSERT_TRUE(h.Connect(d.socket_path()));
  ASSERT_TRUE(h.Send(Req("debug.sleep", R"({"ms":100})", "2") + "\n"));
  ASSERT_EQ(shutdown(h.fd(), SHUT_WR), 0);
  auto r = Json(h.ReadLine());
  ASSERT_TRUE(r.HasMember("result")) << d.Log();
  EXPECT_EQ(r["id"].GetInt(), 2);
  EXPECT_TRUE(h.WaitClosed(5000));

  // A client gone before its reply costs nothing: the daemon serves on.
  {
    RpcClient gone;
    ASSERT_TRUE(gone.Connect(d.socket_path()));
    ASSERT_TRUE(gone.Send(Req("debug.sleep", R"({"ms":100})", "3") + "\n"));
  }
  // Served on once the daemon has seen the close and the job has ended.
  EXPECT_TRUE(WaitFor(
      [&] {
        return StatusInt(c, "connections") == 1 &&
               StatusInt(c, "workers_busy") == 0;
      },
      10000));
  EXPECT_TRUE(
      Json(c.Call(Req("debug.sleep", R"({"ms":0})", "4"))).HasMember("result"));
}

TEST(Server, RefusesTheConnectionOverTheLimitAndKeepsServingTheOthers) {
  DaemonProcess d;
  ASSERT_TRUE(d.Start({"--max-connections", "2"})) << d.Log();
  RpcClient a, b, c;
  ASSERT_TRUE(a.Connect(d.socket_path()));
  ASSERT_TRUE(Json(a.Call(Req("ping", "", "1"))).HasMember("result"));
  ASSERT_TRUE(b.Connect(d.socket_path()));
  ASSERT_TRUE(Json(b.Call(Req("ping", "", "1"))).HasMember("result"));
  // Four reserve connections past the limit serve control methods only.
  RpcClient reserve[4];
  for (RpcClient& r : reserve) {
    ASSERT_TRUE(r.Connect(d.socket_path()));
    ASSERT_TRUE(Json(r.Call(Req("ping", "", "1"))).HasMember("result"));
  }
  ASSERT_TRUE(c.Connect(d.socket_path()));
  auto err = Json(c.ReadLine());
  ASSERT_EQ(ErrorCode(err), -32000);
  EXPECT_EQ(err["error"]["data"]["max_connections"].GetInt(), 2);
  EXPECT_TRUE(c.WaitClosed(3000));
  EXPECT_TRUE(Json(a.Call(Req("ping", "", "2"))).HasMember("result"));
  EXPECT_TRUE(Json(b.Call(Req("ping", "", "2"))).HasMember("result"));
  const int64_t open = StatusInt(a, "connections");
  ASSERT_GT(open, 1);
  b.Close();
  // A slot is free again once the daemon has seen the close.
  ASSERT_TRUE(
      WaitFor([&] { return StatusInt(a, "connections") == open - 1; }, 10000));
  RpcClient again;
  ASSERT_TRUE(again.Connect(d.socket_path()));
  EXPECT_TRUE(Json(again.Call(Req("ping", "", "3"))).HasMember("result"));
}

TEST(Server, OversizeRequestGetsAnErrorAndTheConnectionIsClosed) {
  DaemonProcess d;
  std::string cfg =
      WriteConfig(d.dir(), R"({"security": {"max_request_size_mb": 1}})");
  ASSERT_TRUE(d.Start({"--config", cfg})) << d.Log();
  RpcClient c;
  ASSERT_TRUE(c.Connect(d.socket_path()));
  std::string big = R"({"jsonrpc":"2.0","method":"echo","params":[")" +
                    std::string(2 << 20, 'x') + R"("],"id":1})";
  c.Send(big);  // the daemon may close before reading it all
  auto err = Json(c.ReadLine());
  ASSERT_EQ(ErrorCode(err), -32600) << d.Log();
  EXPECT_EQ(err["error"]["data"]["limit_bytes"].GetInt64(), 1 << 20);
  EXPECT_TRUE(c.WaitClosed(3000));
  RpcClient other;
  ASSERT_TRUE(other.Connect(d.socket_path()));
  EXPECT_TRUE(Json(other.Call(Req("ping", "", "1"))).HasMember("result"));
}

TEST(Server, ReadsLargeRequestsUnderTheLimit) {
  DaemonProcess d;
  ASSERT_TRUE(d.Start()) << d.Log();
  RpcClient c;
  ASSERT_TRUE(c.Connect(d.socket_path()));
  std::string payload(8 << 20, 'y');
  auto r = Json(c.Call(Req("echo", "[\"" + payload + "\"]", "7"), 20000));
  ASSERT_TRUE(r.HasMember("result"));
  EXPECT_EQ(r["result"][0].GetStringLength(), payload.size());
}

TEST(Server, NestingDeeperThanTheLimitIsAnErrorNotACrash) {
  DaemonProcess d;
  ASSERT_TRUE(d.Start()) << d.Log();
  RpcClient c;
  ASSERT_TRUE(c.Connect(d.socket_path()));
  for (int depth : {129, 200000}) {
    std::string deep = R"({"jsonrpc":"2.0","method":"echo","id":1,"params":)" +
                       std::string(depth, '[') + std::string(depth, ']') + "}";
    auto err = Json(c.Call(deep));
    ASSERT_EQ(ErrorCode(err), -32600) << depth;
    EXPECT_EQ(err["error"]["data"]["max_depth"].GetInt(), 128);
  }
  std::string ok = R"({"jsonrpc":"2.0","method":"echo","id":2,"params":)" +
                   std::string(126, '[') + std::string(126, ']') + "}";
  EXPECT_TRUE(Json(c.Call(ok)).HasMember("result"));
}

TEST(Server, GarbageGetsAParseErrorAndTheConnectionResynchronises) {
  DaemonProcess d;
  ASSERT_TRUE(d.Start()) << d.Log();
  RpcClient c;
  ASSERT_TRUE(c.Connect(d.socket_path()));
  ASSERT_TRUE(c.Send("this is not json {\"id\":9}\n" + Req("ping", "", "1") +
                     "\n{\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"id\":2,}\n" +
                     Req("ping", "", "3") + "\n"));
  auto e1 = Json(c.ReadLine());
  EXPECT_EQ(ErrorCode(e1), -32700);
  EXPECT_TRUE(e1["id"].IsNull());
  EXPECT_EQ(Json(c.ReadLine())["id"].GetInt(), 1);
  auto e2 = Json(c.ReadLine());  // trailing comma: strict parser
  EXPECT_EQ(ErrorCode(e2), -32700);
  EXPECT_EQ(Json(c.ReadLine())["id"].GetInt(), 3);
}

// Text that can no longer become JSON is answered as soon as its offending
// byte arrives (no newline needed), and the connection resynchronises at the
// next newline: it never waits for brackets that cannot close what is open.
TEST(Server, MismatchedBracketsAreAnsweredAtOnceAndTheConnectionGoesOn) {
  DaemonProcess d;
  ASSERT_TRUE(d.Start()) << d.Log();
  RpcClient c;
  ASSERT_TRUE(c.Connect(d.socket_path()));
  // JSON-RPC 2.0's own "rpc call Batch, invalid JSON" example.
  ASSERT_TRUE(
      c.Send(R"([{"jsonrpc":"2.0","method":"echo","params":[1],"id":"1"},)"
             R"({"jsonrpc":"2.0","method"])"));
  auto e = Json(c.ReadLine());
  ASSERT_EQ(ErrorCode(e), -32700);
  EXPECT_TRUE(e["id"].IsNull());
  EXPECT_TRUE(e["error"]["data"].HasMember("offset"));
  EXPECT_TRUE(e["error"]["data"].HasMember("reason"));
  ASSERT_TRUE(c.Send("\n" + Req("ping", "", "1") + "\n"));
  EXPECT_EQ(Json(c.ReadLine())["id"].GetInt(), 1);
  // A raw newline cuts a string: reported, and the next line is served.
  ASSERT_TRUE(c.Send("{\"jsonrpc\":\"2.0\",\"method\":\"pi\n" +
                     Req("ping", "", "2") + "\n"));
  EXPECT_EQ(ErrorCode(Json(c.ReadLine())), -32700);
  EXPECT_EQ(Json(c.ReadLine())["id"].GetInt(), 2);
  // 100k '[': too deep at the 129th, the rest of the line skipped.
  ASSERT_TRUE(
      c.Send(std::string(100000, '[') + "\n" + Req("ping", "", "3") + "\n"));
  EXPECT_EQ(ErrorCode(Json(c.ReadLine())), -32600);
  EXPECT_EQ(Json(c.ReadLine())["id"].GetInt(), 3);
  // A request cut off after a key, then 1,000 pings: the first becomes its
  // value, the second cannot follow and is reported with the rest of its
  // line; all the others are answered.
  std::string stream = R"({"jsonrpc":"2.0","method":"echo","params":)"
                       "\n";
  for (int i = 0; i < 1000; ++i) {
    stream += Req("ping", "", std::to_string(100 + i)) + "\n";
  }
  ASSERT_TRUE(c.Send(stream));
  EXPECT_EQ(ErrorCode(Json(c.ReadLine())), -32700);
  for (int i = 2; i < 1000; ++i) {
    auto r = Json(c.ReadLine());
    ASSERT_TRUE(r.HasMember("id")) << i;
    ASSERT_EQ(r["id"].GetInt(), 100 + i);
  }
}

TEST(Server, NotificationsAndBatchesFollowTheSpecification) {
  DaemonProcess d;
  ASSERT_TRUE(d.Start({"--enable-debug-methods"})) << d.Log();
  RpcClient c;
  ASSERT_TRUE(c.Connect(d.socket_path()));
  ASSERT_TRUE(c.Send(Req("ping", "", "") + Req("no.such.method", "", "") + "[" +
                     Req("ping", "", "") + "]" + Req("ping", "", "1") + "\n"));
  auto only = Json(c.ReadLine());
  EXPECT_EQ(only["id"].GetInt(), 1);  // nothing came before it
  auto batch = Json(c.Call("[" + Req("ping", "", "1") + "," +
                           Req("debug.sleep", R"({"ms":1})", "2") + "," +
                           Req("debug.sleep", R"({"ms":1})", "") + "," +
                           Req("nope", "", "3") + "]"));
  ASSERT_TRUE(batch.IsArray());
  ASSERT_EQ(batch.Size(), 3u);
  EXPECT_EQ(batch[0]["id"].GetInt(), 1);
  EXPECT_EQ(batch[1]["id"].GetInt(), 2);
  EXPECT_EQ(batch[2]["error"]["code"].GetInt(), -32601);
}

TEST(Server, AClientThatVanishesMidRequestCostsNothing) {
  DaemonProcess d;
  ASSERT_TRUE(d.Start({"--enable-debug-methods", "--workers", "2"})) << d.Log();
  for (int i = 0; i < 20; ++i) {
    RpcClient gone;
    ASSERT_TRUE(gone.Connect(d.socket_path()));
    ASSERT_TRUE(gone.Send(Req("debug.sleep", R"({"ms":20})", "1") +
                          Req("echo", "[1]", "2")));
  }  // each closes with work in flight
  RpcClient c;
  ASSERT_TRUE(c.Connect(d.socket_path()));
  // Every vanished client is let go (the work it left runs out).
  EXPECT_TRUE(WaitFor([&] { return StatusInt(c, "connections") == 1; }, 10000))
      << d.Log();
  EXPECT_TRUE(d.Running());
}

TEST(Server, PausesAClientThatDoesNotReadAndDropsIt) {
  DaemonProcess d;
  std::string cfg =
      WriteConfig(d.dir(), R"({"server": {"max_pending_reply_mb": 1,
                                             "timeout_seconds": 1}})");
  ASSERT_TRUE(d.Start({"--config", cfg})) << d.Log();
  const uint64_t baseline_kb = RssKb(d.pid());
  RpcClient hog;
  ASSERT_TRUE(hog.Connect(d.socket_path()));
  int fd = hog.fd();
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  std::string req = Req("echo", "[\"" + std::string(60000, 'z') + "\"]", "1");
  size_t sent = 0;
  size_t offset = 0;  // into `req`: a partial send resumes where it stopped
  auto deadline = std::chrono::steady_clock::now() + 8s;
  bool closed = false;
  while (std::chrono::steady_clock::now() < deadline) {
    ssize_t n = send(fd, req.data() + offset, req.size() - offset,
                     MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      offset = (offset + static_cast<size_t>(n)) % req.size();
      continue;
    }
    if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) {
      closed = true;
      break;
    }
    std::this_thread::sleep_for(20ms);  // the daemon stopped reading us
  }
  EXPECT_TRUE(closed) << "the daemon kept a client that never reads";
  // Dropped for not reading, not for anything else (e.g. request size).
  EXPECT_NE(d.Log().find("does not read its replies"), std::string::npos)
      << d.Log();
  EXPECT_GT(sent, 1u << 20);  // it read past the 1 MiB bound before pausing
  // Growth over the daemon's own baseline (sanitizer builds start large).
  EXPECT_LT(RssKb(d.pid()), baseline_kb + 32u * 1024)
      << "memory grew with the backlog";
  RpcClient other;
  ASSERT_TRUE(other.Connect(d.socket_path()));
  EXPECT_TRUE(Json(other.Call(Req("ping", "", "1"))).HasMember("result"));
}

TEST(Server, SigtermDrainsRunningWorkAndRemovesTheSocket) {
  DaemonProcess d;
  ASSERT_TRUE(d.Start({"--enable-debug-methods", "--workers", "1"})) << d.Log();
  struct stat st;
  ASSERT_EQ(stat(d.socket_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0660u);
  RpcClient a, b, probe;
  ASSERT_TRUE(a.Connect(d.socket_path()));
  ASSERT_TRUE(b.Connect(d.socket_path()));
  ASSERT_TRUE(probe.Connect(d.socket_path()));
  // One job running, one queued, when the signal comes.
  // Long enough for the polls to see b's job queued behind it.
  ASSERT_TRUE(a.Send(Req("debug.sleep", R"({"ms":1500})", "1") + "\n"));
  ASSERT_TRUE(
      WaitFor([&] { return StatusInt(probe, "workers_busy") == 1; }, 10000));
  ASSERT_TRUE(b.Send(Req("debug.sleep", R"({"ms":50})", "2") + "\n"));
  ASSERT_TRUE(
      WaitFor([&] { return StatusInt(probe, "queue_depth") == 1; }, 10000));
  d.Signal(SIGTERM);
  auto ra = Json(a.ReadLine(5000));
  auto rb = Json(b.ReadLine(5000));
  EXPECT_TRUE(ra.IsObject() && ra.HasMember("result")) << d.Log();
  EXPECT_TRUE(rb.IsObject() && rb.HasMember("result")) << d.Log();
  int st_exit = d.Wait(10000);
  ASSERT_NE(st_exit, -1);
  EXPECT_TRUE(WIFEXITED(st_exit));
  EXPECT_EQ(WEXITSTATUS(st_exit), 0) << d.Log();
  EXPECT_NE(stat(d.socket_path().c_str(), &st), 0) << "socket left behind";
}

// A client that does not read its last reply is not waited for past the
// shutdown bound. The closing phase waited a fixed 2 s, so with
// daemon.shutdown_timeout_seconds = 1 the stop guard ended the process
// first, with exit code 1 and "shutdown timeout passed".
TEST(Server, AClientThatDoesNotReadDelaysNoStopPastItsBound) {
  DaemonProcess d;
  std::string cfg =
      WriteConfig(d.dir(), R"({"daemon": {"shutdown_timeout_seconds": 1}})");
  ASSERT_TRUE(d.Start({"--config", cfg})) << d.Log();
  RpcClient hog, probe;
  ASSERT_TRUE(hog.Connect(d.socket_path()));
  ASSERT_TRUE(probe.Connect(d.socket_path()));
  // A 4 MiB reply: more than the socket buffers take; never read.
  ASSERT_TRUE(hog.Send(
      Req("echo", "[\"" + std::string(4u << 20, 'z') + "\"]", "1") + "\n"));
  ASSERT_TRUE(WaitFor(
      [&] { return StatusInt(probe, "bytes_out") > int64_t{64} << 10; }, 10000))
      << "the reply was not being written";
  d.Signal(SIGTERM);
  int st_exit = d.Wait(10000);
  ASSERT_NE(st_exit, -1);
  EXPECT_TRUE(WIFEXITED(st_exit));
  EXPECT_EQ(WEXITSTATUS(st_exit), 0) << d.Log();
  EXPECT_EQ(d.Log().find("shutdown timeout passed"), std::string::npos)
      << d.Log();
}

TEST(Server, ReplacesAStaleSocket) {
  DaemonProcess d;
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  strncpy(addr.sun_path, d.socket_path().c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  close(fd);  // bound, never listened: nobody answers there
  ASSERT_TRUE(d.Start()) << d.Log();
  EXPECT_NE(d.Log().find("stale"), std::string::npos);
}

TEST(Server, RefusesToStartWhereALiveDaemonAnswers) {
  DaemonProcess first;
  ASSERT_TRUE(first.Start()) << first.Log();
  DaemonProcess second;
  ASSERT_TRUE(second.Spawn(
      {DaemonBinary(), "--foreground", "--socket", first.socket_path()}));
  int st = second.Wait(10000);
  ASSERT_NE(st, -1);
  EXPECT_EQ(WEXITSTATUS(st), 1);
  EXPECT_NE(second.Log().find("already serving"), std::string::npos)
      << second.Log();
  RpcClient c;
  ASSERT_TRUE(c.Connect(first.socket_path()));
  EXPECT_TRUE(Json(c.Call(Req("ping", "", "1"))).HasMember("result"));
}

TEST(Server, NeverRemovesAPathThatIsNotASocket) {
  DaemonProcess d;
  std::ofstream(d.socket_path()) << "precious";
  ASSERT_TRUE(
      d.Spawn({DaemonBinary(), "--foreground", "--socket", d.socket_path()}));
  int st = d.Wait(10000);
  ASSERT_NE(st, -1);
  EXPECT_EQ(WEXITSTATUS(st), 1);
  EXPECT_NE(d.Log().find("not a socket"), std::string::npos) << d.Log();
  std::ifstream in(d.socket_path());
  std::string content;
  in >> content;
  EXPECT_EQ(content, "precious");
}

TEST(Server, ControlRequestsQueuedBehindPooledWorkKeepTheirOrder) {
  DaemonProcess d;
  ASSERT_TRUE(d.Start({"--enable-debug-methods"})) << d.Log();
  RpcClient c;
  ASSERT_TRUE(c.Connect(d.socket_path()));
  ASSERT_TRUE(
      c.Send(Req("debug.sleep", R"({"ms":50})", "1") +
             Req("goxel.get_config", "", "2") +
             Req("goxel.set_config", R"({"logging.level":"debug"})", "3") +
             Req("debug.sleep", R"({"ms":1})", "4") + "\n"));
  for (int id = 1; id <= 4; ++id) {
    auto r = Json(c.ReadLine());
    ASSERT_TRUE(r.IsObject() && r.HasMember("result")) << d.Log();
    EXPECT_EQ(r["id"].GetInt(), id);
  }
}

TEST(Server, LoopOnlyMethodsInAPooledBatchAreRefusedClearly) {
  DaemonProcess d;
  ASSERT_TRUE(d.Start({"--enable-debug-methods"})) << d.Log();
  RpcClient c;
  ASSERT_TRUE(c.Connect(d.socket_path()));
  auto batch = Json(c.Call(
      "[" + Req("debug.sleep", R"({"ms":1})", "1") + "," +
      Req("goxel.set_config", R"({"logging.level":"debug"})", "2") + "]"));
  ASSERT_TRUE(batch.IsArray());
  ASSERT_EQ(batch.Size(), 2u);
  EXPECT_TRUE(batch[0].HasMember("result"));
  EXPECT_EQ(batch[1]["error"]["code"].GetInt(), -32600);
  EXPECT_STREQ(batch[1]["error"]["data"]["method"].GetString(),
               "goxel.set_config");
  // On its own it works.
  auto alone = Json(
      c.Call(Req("goxel.set_config", R"({"logging.level":"debug"})", "3")));
  EXPECT_TRUE(alone.HasMember("result")) << d.Log();
}

}  // namespace
}  // namespace goxel::testing
