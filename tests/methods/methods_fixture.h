// MethodsTest: one real daemon per test suite, a fresh active project per
// test, and a Reply that reads results and errors.
// Thread contract: Call() uses the fixture's client (one thread); other
// threads make their own RpcClient.
#ifndef GOXEL_TESTS_METHODS_METHODS_FIXTURE_H_
#define GOXEL_TESTS_METHODS_METHODS_FIXTURE_H_

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <memory>
#include <string>

#include "support/daemon_harness.h"
#include "support/rpc_reply.h"

namespace goxel::testing {

class MethodsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    daemon_ = new DaemonProcess();
    ASSERT_TRUE(daemon_->Start({"--workers", "4"})) << daemon_->Log();
  }
  static void TearDownTestSuite() {
    delete daemon_;
    daemon_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(client_.Connect(daemon_->socket_path()));
    Reply r = Call("goxel.create_project", R"({"name":"test"})");
    ASSERT_TRUE(r.ok()) << r.text;
    project_ = r.Str("project_id");
  }

  Reply Call(const std::string& method, const std::string& params = "") {
    return CallOn(client_, method, params);
  }
  // Asserts success and returns the reply.
  Reply Ok(const std::string& method, const std::string& params = "") {
    Reply r = Call(method, params);
    EXPECT_TRUE(r.ok()) << method << " " << params << " -> " << r.text;
    return r;
  }
  // The colour array of get_voxel at (x,y,z) as "r,g,b,a" ("" if empty).
  std::string ColorAt(int x, int y, int z) {
    Reply r = Ok("goxel.get_voxel", "[" + std::to_string(x) + "," +
                                        std::to_string(y) + "," +
                                        std::to_string(z) + "]");
    if (!r.ok() || !r.Bool("exists")) return "";
    const auto& c = r.result()["color"];
    return std::to_string(c[0].GetInt()) + "," + std::to_string(c[1].GetInt()) +
           "," + std::to_string(c[2].GetInt()) + "," +
           std::to_string(c[3].GetInt());
  }
  int64_t VoxelCount(const std::string& project = "") {
    std::string p =
        project.empty() ? "" : R"({"project_id":")" + project + "\"}";
    return Ok("goxel.get_project_info", p).Int("voxel_count");
  }

  static DaemonProcess* daemon_;
  RpcClient client_;
  std::string project_;
};

inline DaemonProcess* MethodsTest::daemon_ = nullptr;

}  // namespace goxel::testing

#endif  // GOXEL_TESTS_METHODS_METHODS_FIXTURE_H_
