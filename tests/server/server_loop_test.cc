// server::Server in process: its loop runs on a thread of the test, with a
// method table of test methods (a control ping, a pooled echo, a pooled
// "hold" that waits at a gate the test opens) and a real pool. Events are
// ordered by state (the gate's count of held calls, the pool's depth, the
// server's stats), never by sleeps.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "server/server.h"
#include "support/daemon_harness.h"

namespace goxel::server {
namespace {

using goxel::testing::RpcClient;

// Calls of "hold" wait here until the test opens the gate.
class Gate {
 public:
  void Enter() {
    std::unique_lock<std::mutex> lock(mu_);
    ++held_;
    changed_.notify_all();
    changed_.wait(lock, [this] { return open_; });
    --held_;
  }
  // Waits (up to 10 s) until `n` calls are held; false if they never are.
  bool WaitHeld(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, std::chrono::seconds(10),
                             [&] { return held_ >= n; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  int held_ = 0;
  bool open_ = false;
};

// Polls `pred` until it holds (up to 10 s): for state the test cannot wait
// on directly (counters of the loop thread).
template <typename Pred>
bool Eventually(Pred pred) {
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::yield();
  }
  return pred();
}

std::string Req(const std::string& method, int id) {
  return R"({"jsonrpc":"2.0","method":")" + method + R"(","id":)" +
         std::to_string(id) + "}\n";
}

int IdOf(const std::string& line) {
  rapidjson::Document d;
  d.Parse(line.c_str());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("id") ||
      !d["id"].IsInt()) {
    return -1;
  }
  return d["id"].GetInt();
}

int ErrorCodeOf(const std::string& line) {
  rapidjson::Document d;
  d.Parse(line.c_str());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("error")) return 0;
  return d["error"]["code"].GetInt();
}

class InProcessServer {
 public:
  explicit InProcessServer(size_t workers = 2, size_t queue = 4)
      : pool_(workers, queue, /*priority=*/false) {
    signal(SIGPIPE, SIG_IGN);  // as main.cc: the server's contract
    char tmpl[] = "/tmp/goxel-server-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    AddMethod("ping", rpc::kControl | rpc::kReadOnly);
    AddMethod("echo_pooled", rpc::kPooled | rpc::kReadOnly);
    AddMethod("hold", rpc::kPooled, [this] { gate_.Enter(); });
    ServerOptions options;
    options.socket_path = socket_path();
    options.shutdown_timeout_ms = 10000;
    server_ = std::make_unique<Server>(options, &table_, &pool_, ServerHooks{});
    Status started = server_->Start();
    start_error_ = started.ok() ? "" : started.ToString();
    if (started.ok()) {
      loop_ = std::thread([this] { run_status_ = server_->Run(); });
    }
  }
  ~InProcessServer() {
    gate_.Open();
    Stop();
    pool_.Shutdown(-1);
    server_.reset();
    rmdir(dir_.c_str());
  }

  // Asks the loop to stop and waits for Run to return.
  void Stop() {
    if (!loop_.joinable()) return;
    server_->RequestShutdown();
    loop_.join();
  }

  const std::string& start_error() const { return start_error_; }
  std::string socket_path() const { return dir_ + "/s.sock"; }
  Gate& gate() { return gate_; }
  Server& server() { return *server_; }
  pool::ThreadPool& pool() { return pool_; }

 private:
  void AddMethod(const std::string& name, uint32_t flags,
                 std::function<void()> body = {}) {
    rpc::MethodSpec spec;
    spec.name = name;
    spec.description = "test method";
    spec.result = "true";
    spec.flags = flags;
    spec.handler = [body](rpc::Call& call) {
      if (body) body();
      call.result().SetBool(true);
      return Status::Ok();
    };
    Status s = table_.Add(std::move(spec));
    EXPECT_TRUE(s.ok()) << s.ToString();
  }

  std::string dir_;
  rpc::MethodTable table_;
  pool::ThreadPool pool_;
  Gate gate_;
  std::unique_ptr<Server> server_;
  std::thread loop_;
  Status run_status_;
  std::string start_error_;
};

TEST(ServerLoop, RepliesOfOneConnectionComeBackInRequestOrder) {
  InProcessServer s;
  ASSERT_EQ(s.start_error(), "");
  RpcClient c;
  ASSERT_TRUE(c.Connect(s.socket_path()));
  // A pooled call that waits, then a control call and a pooled one behind
  // it: the control call must not overtake the held one.
  ASSERT_TRUE(c.Send(Req("hold", 1) + Req("ping", 2) + Req("echo_pooled", 3)));
  ASSERT_TRUE(s.gate().WaitHeld(1));
  s.gate().Open();
  EXPECT_EQ(IdOf(c.ReadLine()), 1);
  EXPECT_EQ(IdOf(c.ReadLine()), 2);
  EXPECT_EQ(IdOf(c.ReadLine()), 3);
}

TEST(ServerLoop, ControlCallsAnswerWhileEveryWorkerIsHeld) {
  InProcessServer s(/*workers=*/2);
  ASSERT_EQ(s.start_error(), "");
  RpcClient a, b, health;
  ASSERT_TRUE(a.Connect(s.socket_path()));
  ASSERT_TRUE(b.Connect(s.socket_path()));
  ASSERT_TRUE(health.Connect(s.socket_path()));
  ASSERT_TRUE(a.Send(Req("hold", 1)));
  ASSERT_TRUE(b.Send(Req("hold", 2)));
  ASSERT_TRUE(s.gate().WaitHeld(2));  // both workers are inside "hold"
  ASSERT_TRUE(health.Send(Req("ping", 3)));
  EXPECT_EQ(IdOf(health.ReadLine()), 3);
  s.gate().Open();
  EXPECT_EQ(IdOf(a.ReadLine()), 1);
  EXPECT_EQ(IdOf(b.ReadLine()), 2);
}

TEST(ServerLoop, AFullQueueIsAnsweredServerBusyAtOnce) {
  InProcessServer s(/*workers=*/1, /*queue=*/2);
  ASSERT_EQ(s.start_error(), "");
  RpcClient running;
  ASSERT_TRUE(running.Connect(s.socket_path()));
  ASSERT_TRUE(running.Send(Req("hold", 1)));
  ASSERT_TRUE(s.gate().WaitHeld(1));  // the one worker is held
  RpcClient queued[2];
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(queued[i].Connect(s.socket_path()));
    ASSERT_TRUE(queued[i].Send(Req("echo_pooled", 10 + i)));
  }
  ASSERT_TRUE(Eventually([&] { return s.pool().depth() == 2; }));
  RpcClient refused;
  ASSERT_TRUE(refused.Connect(s.socket_path()));
  ASSERT_TRUE(refused.Send(Req("echo_pooled", 20)));
  const std::string busy = refused.ReadLine();
  EXPECT_EQ(ErrorCodeOf(busy), -32000) << busy;
  EXPECT_EQ(IdOf(busy), 20);
  s.gate().Open();
  EXPECT_EQ(IdOf(running.ReadLine()), 1);
  EXPECT_EQ(IdOf(queued[0].ReadLine()), 10);
  EXPECT_EQ(IdOf(queued[1].ReadLine()), 11);
}

TEST(ServerLoop, AClientThatLeavesMidJobIsForgotten) {
  InProcessServer s;
  ASSERT_EQ(s.start_error(), "");
  {
    RpcClient c;
    ASSERT_TRUE(c.Connect(s.socket_path()));
    ASSERT_TRUE(c.Send(Req("hold", 1)));
    ASSERT_TRUE(s.gate().WaitHeld(1));
  }  // closed while its job runs
  s.gate().Open();
  EXPECT_TRUE(Eventually([&] {
    return s.server().stats().connections_open.load() == 0 &&
           s.pool().busy() == 0;
  }));
  RpcClient next;  // and the server goes on
  ASSERT_TRUE(next.Connect(s.socket_path()));
  ASSERT_TRUE(next.Send(Req("echo_pooled", 2)));
  EXPECT_EQ(IdOf(next.ReadLine()), 2);
}

TEST(ServerLoop, ShutdownLetsTheRunningJobAnswerThenRemovesTheSocket) {
  InProcessServer s;
  ASSERT_EQ(s.start_error(), "");
  RpcClient c;
  ASSERT_TRUE(c.Connect(s.socket_path()));
  ASSERT_TRUE(c.Send(Req("hold", 1)));
  ASSERT_TRUE(s.gate().WaitHeld(1));
  std::thread stopper([&] { s.Stop(); });
  // The loop stops accepting first: a new client cannot get in any more.
  EXPECT_TRUE(Eventually([&] {
    RpcClient late;
    return !late.Connect(s.socket_path());
  }));
  s.gate().Open();
  EXPECT_EQ(IdOf(c.ReadLine()), 1);  // the running job still answered
  stopper.join();
  struct stat st;
  EXPECT_NE(stat(s.socket_path().c_str(), &st), 0);  // socket removed
}

}  // namespace
}  // namespace goxel::server
