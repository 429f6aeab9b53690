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

namespace goxel::testing {

// A parsed reply.
struct Reply {
  std::string text;
  rapidjson::Document doc;

  bool ok() const { return doc.IsObject() && doc.HasMember("result"); }
  const rapidjson::Value& result() const { return doc["result"]; }
  int code() const {
    return doc.IsObject() && doc.HasMember("error")
               ? doc["error"]["code"].GetInt()
               : 0;
  }
  // error.data[key] as text ("" when absent).
  std::string data(const char* key) const {
    if (!doc.IsObject() || !doc.HasMember("error")) return "";
    const auto& e = doc["error"];
    if (!e.HasMember("data") || !e["data"].HasMember(key)) return "";
    const auto& v = e["data"][key];
    if (v.IsString()) return v.GetString();
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    v.Accept(w);
    return sb.GetString();
  }
  int64_t Int(const char* key) const { return result()[key].GetInt64(); }
  bool Bool(const char* key) const { return result()[key].GetBool(); }
  std::string Str(const char* key) const { return result()[key].GetString(); }
};

inline Reply CallOn(RpcClient& c, const std::string& method,
                    const std::string& params, int timeout_ms = 20000) {
  Reply r;
  std::string req = R"({"jsonrpc":"2.0","id":1,"method":")" + method + "\"";
  if (!params.empty()) req += ",\"params\":" + params;
  req += "}";
  r.text = c.Call(req, timeout_ms);
  r.doc.Parse(r.text.c_str());
  return r;
}

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
