// Busy projects through the real binary: the bounded wait for a project's
// lock (-32007 after performance.lock_timeout_ms, nothing changed, other
// projects and health unaffected) and optimistic concurrency with
// expected_version. debug.hold_project makes a project busy on purpose: it
// answers once the lock is held, so no test sleeps to find out.
//
// Timing is generous for slow machines: locks are held for seconds while
// the timeouts are a few hundred milliseconds.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <string>
#include <vector>

#include "integration/ops_support.h"
#include "support/daemon_harness.h"

namespace goxel::testing {
namespace {

constexpr const char* kHoldMs = "3000";  // ms; timeouts are 200-300

// One connection that numbers its requests.
class Client {
 public:
  explicit Client(const DaemonProcess& d) {
    connected_ = c_.Connect(d.socket_path());
  }
  bool connected() const { return connected_; }
  rapidjson::Document Call(const std::string& method,
                           const std::string& params = "{}") {
    return ParseJson(c_.Call(R"({"jsonrpc":"2.0","id":)" +
                             std::to_string(++id_) + R"(,"method":")" + method +
                             R"(","params":)" + params + "}"));
  }

 private:
  RpcClient c_;
  bool connected_ = false;
  int id_ = 0;
};

int ErrorCode(const rapidjson::Document& d) {
  return Has(d, "error") ? d["error"]["code"].GetInt() : 0;
}

std::string Text(const rapidjson::Value& v) {
  return v.IsString() ? std::string(v.GetString()) : std::string();
}

// The result's member `key` as an integer (-1 when absent).
int64_t ResultInt(const rapidjson::Document& d, const char* key) {
  if (!Has(d, "result") || !d["result"].HasMember(key)) return -1;
  return d["result"][key].GetInt64();
}

std::string Quoted(const std::string& s) { return "\"" + s + "\""; }

// Starts a daemon with debug methods and four workers (a hold, a waiting
// edit and the calls beside them all need one).
void StartDaemon(DaemonProcess* d, std::vector<std::string> extra_args = {},
                 std::vector<std::string> env = {}) {
  std::vector<std::string> args = {"--enable-debug-methods", "--workers", "4"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  ASSERT_TRUE(d->Start(args, env)) << d->Log();
  // No project is open at start: these tests edit the active one.
  ASSERT_TRUE(CallMethod(d->socket_path(), "goxel.create_project", "{}")
                  .HasMember("result"))
      << d->Log();
}

std::string ActiveProjectId(Client& c) {
  auto info = c.Call("goxel.get_project_info");
  EXPECT_TRUE(Has(info, "result"));
  return Has(info, "result") ? Text(info["result"]["project_id"]) : "";
}

// A second, inactive project; its id ("" on failure).
std::string CreateInactiveProject(Client& c) {
  auto b = c.Call("goxel.create_project", R"({"activate":false})");
  EXPECT_TRUE(Has(b, "result"));
  return Has(b, "result") ? Text(b["result"]["project_id"]) : "";
}

// Waits until the hold on `project` is over (a read gets through).
bool WaitReleased(Client& c, const std::string& project) {
  return WaitFor(
      [&] {
        return Has(c.Call("goxel.get_project_info",
                          R"({"project_id":)" + Quoted(project) + "}"),
                   "result");
      },
      30000);
}

// -32007 with the documented data for project `id` and `method`.
void ExpectBusy(const rapidjson::Document& r, const std::string& id,
                const char* method, int64_t timeout_ms) {
  ASSERT_EQ(ErrorCode(r), -32007) << (Has(r, "result") ? "succeeded" : "");
  const rapidjson::Value& e = r["error"];
  EXPECT_EQ(Text(e["message"]), "project " + id +
                                    " is busy: its lock was not free within " +
                                    std::to_string(timeout_ms) + " ms");
  ASSERT_TRUE(e.HasMember("data"));
  EXPECT_EQ(Text(e["data"]["project_id"]), id);
  EXPECT_EQ(Text(e["data"]["method"]), method);
  EXPECT_EQ(e["data"]["lock_timeout_ms"].GetInt64(), timeout_ms);
}

TEST(BusyProject, AnEditHeldUpLongerThanTheTimeoutFailsAndChangesNothing) {
  DaemonProcess d;
  StartDaemon(&d, {}, {"GOXEL_LOCK_TIMEOUT_MS=200"});  // the environment
  Client c(d), other(d);
  ASSERT_TRUE(c.connected() && other.connected());
  const std::string a = ActiveProjectId(c);
  const std::string b_id = CreateInactiveProject(c);
  ASSERT_FALSE(b_id.empty()) << d.Log();
  auto first =
      c.Call("goxel.add_voxel", R"({"x":1,"y":1,"z":1,"r":9,"g":9,"b":9})");
  const int64_t version = ResultInt(first, "version");
  ASSERT_GT(version, 0) << d.Log();

  auto hold =
      c.Call("debug.hold_project", std::string(R"({"ms":)") + kHoldMs + "}");
  ASSERT_TRUE(Has(hold, "result")) << d.Log();
  EXPECT_EQ(Text(hold["result"]["project_id"]), a);
  // A point edit (tried on the loop first, then waits on a worker) and a
  // region edit both give up after 200 ms.
  ExpectBusy(
      c.Call("goxel.add_voxel", R"({"x":2,"y":2,"z":2,"r":1,"g":2,"b":3})"), a,
      "goxel.add_voxel", 200);
  ExpectBusy(c.Call("goxel.fill_region",
                    R"({"min":[5,5,5],"max":[6,6,6],"color":[1,2,3]})"),
             a, "goxel.fill_region", 200);
  // Another project and the control methods are not held up.
  auto on_b =
      other.Call("goxel.add_voxel",
                 R"({"x":2,"y":2,"z":2,"r":1,"g":2,"b":3,"project_id":)" +
                     Quoted(b_id) + "}");
  EXPECT_TRUE(Has(on_b, "result")) << d.Log();
  auto health = other.Call("health");
  EXPECT_TRUE(Has(health, "result"));
  // list_projects lists the busy project as busy and the other in full.
  auto list = other.Call("goxel.list_projects");
  ASSERT_TRUE(Has(list, "result")) << d.Log();
  ASSERT_EQ(list["result"]["projects"].Size(), 2u);
  for (const auto& p : list["result"]["projects"].GetArray()) {
    if (Text(p["project_id"]) == a) {
      EXPECT_TRUE(p.HasMember("busy") && p["busy"].GetBool());
      EXPECT_FALSE(p.HasMember("voxel_count"));
    } else {
      EXPECT_EQ(Text(p["project_id"]), b_id);
      EXPECT_FALSE(p.HasMember("busy"));
      EXPECT_EQ(p["voxel_count"].GetInt64(), 1);
    }
  }

  ASSERT_TRUE(WaitReleased(c, a)) << d.Log();
  auto info = c.Call("goxel.get_project_info");
  EXPECT_EQ(ResultInt(info, "version"), version);
  EXPECT_EQ(ResultInt(info, "voxel_count"), 1);
  EXPECT_EQ(ResultInt(info, "undo_steps"), 1);
  auto voxel = c.Call("goxel.get_voxel", R"({"x":2,"y":2,"z":2})");
  ASSERT_TRUE(Has(voxel, "result"));
  EXPECT_FALSE(voxel["result"]["exists"].GetBool());
  // And the project takes edits again.
  EXPECT_TRUE(
      Has(c.Call("goxel.add_voxel", R"({"x":3,"y":3,"z":3,"r":1,"g":2,"b":3})"),
          "result"));
}

TEST(BusyProject, AReadBehindAHeldWriteTimesOutAndReadsShareAReadHold) {
  TempDir dir;
  const std::string config = dir.File("daemon_config.json");
  WriteFileText(config, R"({"performance": {"lock_timeout_ms": 300}})");
  DaemonProcess d;
  StartDaemon(&d, {"--config", config});  // the config file
  Client c(d);
  const std::string a = ActiveProjectId(c);
  ASSERT_TRUE(Has(
      c.Call("debug.hold_project", std::string(R"({"ms":)") + kHoldMs + "}"),
      "result"))
      << d.Log();
  ExpectBusy(c.Call("goxel.get_voxel", R"({"x":0,"y":0,"z":0})"), a,
             "goxel.get_voxel", 300);
  ExpectBusy(c.Call("goxel.get_project_info"), a, "goxel.get_project_info",
             300);
  ExpectBusy(c.Call("goxel.get_status"), a, "goxel.get_status", 300);
  ASSERT_TRUE(WaitReleased(c, a)) << d.Log();

  // A shared hold: reads pass, edits wait and give up.
  auto hold = c.Call("debug.hold_project",
                     std::string(R"({"shared":true,"ms":)") + kHoldMs + "}");
  ASSERT_TRUE(Has(hold, "result")) << d.Log();
  EXPECT_TRUE(hold["result"]["shared"].GetBool());
  EXPECT_TRUE(
      Has(c.Call("goxel.get_voxel", R"({"x":0,"y":0,"z":0})"), "result"));
  ExpectBusy(c.Call("goxel.remove_voxel", R"({"x":0,"y":0,"z":0})"), a,
             "goxel.remove_voxel", 300);
}

TEST(BusyProject, ZeroTimeoutWaitsForAsLongAsItTakes) {
  DaemonProcess d;
  StartDaemon(&d, {}, {"GOXEL_LOCK_TIMEOUT_MS=0"});
  Client c(d);
  ASSERT_TRUE(Has(c.Call("debug.hold_project", R"({"ms":3000})"), "result"))
      << d.Log();
  const auto start = std::chrono::steady_clock::now();
  auto r =
      c.Call("goxel.add_voxel", R"({"x":1,"y":1,"z":1,"r":1,"g":2,"b":3})");
  EXPECT_TRUE(Has(r, "result")) << d.Log();
  // It waited for the hold (which started before the call) to end.
  EXPECT_GE(std::chrono::steady_clock::now() - start,
            std::chrono::milliseconds(1000));
}

// close_project waits for a busy project outside the workspace lock: while
// it waits, calls on other projects (inline ones on the loop thread too)
// go on; when the project frees up in time, it closes.
TEST(BusyProject, CloseProjectWaitsWithoutHoldingUpOtherProjects) {
  DaemonProcess d;
  StartDaemon(&d, {}, {"GOXEL_LOCK_TIMEOUT_MS=20000"});
  Client c(d), other(d);
  ASSERT_TRUE(c.connected() && other.connected());
  const std::string a = ActiveProjectId(c);
  const std::string b_id = CreateInactiveProject(c);
  ASSERT_FALSE(b_id.empty()) << d.Log();
  ASSERT_TRUE(Has(
      c.Call("debug.hold_project", std::string(R"({"ms":)") + kHoldMs + "}"),
      "result"))
      << d.Log();
  RpcClient closer;
  ASSERT_TRUE(closer.Connect(d.socket_path()));
  ASSERT_TRUE(closer.Send(
      R"({"jsonrpc":"2.0","id":1,"method":"goxel.close_project","params":)"
      R"({"project_id":)" +
      Quoted(a) + R"(,"force":false}})" + "\n"));
  // While it waits: edits and lookups on the other project are answered
  // at once (well before the 3 s hold ends).
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 5; ++i) {
    auto r =
        other.Call("goxel.add_voxel",
                   R"({"r":1,"g":2,"b":3,"x":)" + std::to_string(i) +
                       R"(,"y":0,"z":0,"project_id":)" + Quoted(b_id) + "}");
    ASSERT_TRUE(Has(r, "result")) << d.Log();
  }
  EXPECT_TRUE(Has(
      other.Call("goxel.list_layers", R"({"project_id":)" + Quoted(b_id) + "}"),
      "result"));
  EXPECT_LT(std::chrono::steady_clock::now() - t0,
            std::chrono::milliseconds(1500));
  // The hold ends, the project is clean: it closes.
  auto closed = ParseJson(closer.ReadLine(30000));
  ASSERT_TRUE(Has(closed, "result")) << d.Log();
  auto list = other.Call("goxel.list_projects");
  ASSERT_TRUE(Has(list, "result"));
  EXPECT_EQ(list["result"]["count"].GetInt(), 1);
  EXPECT_EQ(Text(list["result"]["projects"][0]["project_id"]), b_id);
}

TEST(ExpectedVersion, MatchingSucceedsAndStaleChangesNothing) {
  DaemonProcess d;
  StartDaemon(&d);
  Client c(d);
  auto info = c.Call("goxel.get_project_info");
  const std::string a = Text(info["result"]["project_id"]);
  const int64_t v0 = ResultInt(info, "version");
  ASSERT_GT(v0, 0);
  auto status = c.Call("goxel.get_status");
  EXPECT_EQ(ResultInt(status, "project_version"), v0);
  EXPECT_TRUE(status["result"]["version"].IsString());  // v14: the daemon's

  auto add =
      c.Call("goxel.add_voxel",
             R"({"x":1,"y":2,"z":3,"r":9,"g":9,"b":9,"expected_version":)" +
                 std::to_string(v0) + "}");
  const int64_t v1 = ResultInt(add, "version");
  ASSERT_GT(v1, v0) << d.Log();

  // Someone else's edit came in between: a stale version changes nothing.
  auto stale = c.Call("goxel.fill_region",
                      R"({"min":[0,0,0],"max":[3,3,3],"color":[1,2,3],)"
                      R"("expected_version":)" +
                          std::to_string(v0) + "}");
  ASSERT_EQ(ErrorCode(stale), -32007);
  EXPECT_EQ(Text(stale["error"]["message"]),
            "project " + a + " changed: expected version " +
                std::to_string(v0) + ", it is now " + std::to_string(v1));
  const rapidjson::Value& data = stale["error"]["data"];
  EXPECT_EQ(Text(data["project_id"]), a);
  EXPECT_EQ(data["expected_version"].GetInt64(), v0);
  EXPECT_EQ(data["version"].GetInt64(), v1);
  info = c.Call("goxel.get_project_info");
  EXPECT_EQ(ResultInt(info, "version"), v1);
  EXPECT_EQ(ResultInt(info, "voxel_count"), 1);
  EXPECT_EQ(ResultInt(info, "undo_steps"), 1);

  // Undo and redo move the version onwards, never back: after the undo the
  // voxels are as at v0, but v0 is still stale.
  auto undo = c.Call("goxel.undo",
                     R"({"expected_version":)" + std::to_string(v1) + "}");
  const int64_t v2 = ResultInt(undo, "version");
  EXPECT_GT(v2, v1) << d.Log();
  EXPECT_EQ(ResultInt(undo, "voxel_count"), 0);
  EXPECT_EQ(ErrorCode(c.Call("goxel.remove_voxel",
                             R"({"x":1,"y":2,"z":3,"expected_version":)" +
                                 std::to_string(v0) + "}")),
            -32007);
  auto redo = c.Call("goxel.redo");
  const int64_t v3 = ResultInt(redo, "version");
  EXPECT_GT(v3, v2);
  EXPECT_EQ(ResultInt(c.Call("goxel.get_project_info"), "version"), v3);

  // Layer methods and batches take it too.
  auto layer = c.Call("goxel.create_layer",
                      R"({"expected_version":)" + std::to_string(v3) + "}");
  EXPECT_GT(ResultInt(layer, "version"), v3);
  EXPECT_EQ(ErrorCode(c.Call("goxel.batch_operations",
                             R"({"operations":[],"expected_version":)" +
                                 std::to_string(v3) + "}")),
            -32007);
}

TEST(ExpectedVersion, ABadValueIsAnInvalidParam) {
  DaemonProcess d;
  StartDaemon(&d);
  Client c(d);
  for (const char* bad : {R"("7")", "-1", "1.5", "[]"}) {  // null = absent
    auto r = c.Call("goxel.add_voxel",
                    std::string(R"({"x":1,"y":2,"z":3,"r":9,"g":9,"b":9,)"
                                R"("expected_version":)") +
                        bad + "}");
    ASSERT_EQ(ErrorCode(r), -32602) << bad;
    EXPECT_EQ(Text(r["error"]["data"]["param"]), "expected_version") << bad;
  }
  EXPECT_EQ(ResultInt(c.Call("goxel.get_project_info"), "voxel_count"), 0);
}

TEST(ExpectedVersion, ListMethodsDocumentsItAndTheDebugMethodNeedsTheFlag) {
  DaemonProcess d;
  ASSERT_TRUE(d.Start()) << d.Log();
  Client c(d);
  auto r = c.Call("debug.hold_project", R"({"ms":10})");
  EXPECT_EQ(ErrorCode(r), -32601);
  auto list = c.Call("list_methods");
  ASSERT_TRUE(Has(list, "result"));
  bool documented = false;
  for (const auto& m : list["result"]["methods"].GetArray()) {
    if (Text(m["method"]) != "goxel.add_voxel") continue;
    for (const auto& p : m["params"].GetArray())
      documented = documented || Text(p["name"]) == "expected_version";
    EXPECT_NE(Text(m["result"]).find("version}"), std::string::npos);
  }
  EXPECT_TRUE(documented);
}

}  // namespace
}  // namespace goxel::testing
