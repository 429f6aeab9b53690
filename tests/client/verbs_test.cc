// The verbs whose daemon methods are written by others (render, save, load,
// export, metrics): what the client sends and how it handles the reply,
// checked against a FakeDaemon that records the request. Their runs against
// the real daemon live in client_test.cc once the methods exist.
#include <gtest/gtest.h>

#include "client/commands.h"
#include "client/params.h"
#include "rpc/json.h"
#include "tests/client/run_process.h"

namespace goxel::testing {
namespace {

std::string ClientBinary() {
  return std::string(GOXEL_BINARY_DIR) + "/client/goxel-client";
}

rpc::JsonDocument Parse(const std::string& text) {
  rpc::JsonDocument d;
  d.Parse(text.c_str());
  return d;
}

struct Exchange {
  ProcessResult result;
  rpc::JsonDocument request;
};

// Runs the client against a fake daemon answering `reply_result`.
Exchange RunAgainstFake(const TempDir& dir, const std::string& reply,
                        std::vector<std::string> args) {
  std::string sock = dir.File("fake.sock");
  FakeDaemon fake(sock, reply);
  EXPECT_TRUE(fake.ok());
  std::vector<std::string> argv = {ClientBinary(), "-s", sock};
  argv.insert(argv.end(), args.begin(), args.end());
  Exchange e;
  e.result = RunProcess(argv);
  std::string req = fake.request();
  e.request.Parse(req.c_str());
  EXPECT_FALSE(e.request.HasParseError()) << req;
  return e;
}

constexpr const char* kPngBase64 = "iVBORw0KGgpoZWxsbw==";  // sig + "hello"

TEST(ClientVerbs, RenderSendsCameraOptionsAndWritesTheDecodedPng) {
  TempDir dir;
  std::string out = dir.File("scene.png");
  Exchange e = RunAgainstFake(
      dir,
      std::string(R"({"jsonrpc":"2.0","id":1,"result":{)") +
          R"("success":true,"width":64,"height":32,)" +
          R"("format":"png","image":")" + kPngBase64 + "\"}}",
      {"render", "--out", out, "--width", "64", "--height", "32", "--camera",
       "isometric", "--fov", "30", "--position", "1,2,3", "layer_id=2"});
  ASSERT_EQ(e.result.exit_code, 0) << e.result.err;
  EXPECT_STREQ(e.request["method"].GetString(), "goxel.render_scene");
  const auto& p = e.request["params"];
  EXPECT_EQ(p["width"].GetInt(), 64);
  EXPECT_EQ(p["height"].GetInt(), 32);
  EXPECT_STREQ(p["camera"].GetString(), "isometric");
  EXPECT_DOUBLE_EQ(p["fov"].GetDouble(), 30.0);
  EXPECT_EQ(p["camera_position"][2].GetInt(), 3);
  EXPECT_EQ(p["layer_id"].GetInt(), 2);
  EXPECT_FALSE(p.HasMember("output_path"));
  EXPECT_EQ(ReadWholeFile(out), std::string("\x89PNG\r\n\x1a\nhello"));
  rpc::JsonDocument summary = Parse(e.result.out);
  EXPECT_EQ(summary["written_bytes"].GetInt(), 13);
  EXPECT_FALSE(summary.HasMember("image")) << e.result.out;
}

TEST(ClientVerbs, RenderRefusesAnImageThatIsNotPng) {
  TempDir dir;
  std::string out = dir.File("scene.png");
  Exchange e =
      RunAgainstFake(dir,
                     R"({"jsonrpc":"2.0","id":1,"result":{"format":"png",)"
                     R"("image":"R0lGODlh"}})",
                     {"render", "-o", out});
  EXPECT_EQ(e.result.exit_code, 1);
  EXPECT_NE(e.result.err.find("not a PNG"), std::string::npos);
  EXPECT_EQ(access(out.c_str(), F_OK), -1) << "nothing written";
}

TEST(ClientVerbs, RenderReportsADaemonErrorWithoutWriting) {
  TempDir dir;
  std::string out = dir.File("scene.png");
  Exchange e =
      RunAgainstFake(dir,
                     R"({"jsonrpc":"2.0","id":1,"error":{"code":-32602,)"
                     R"("message":"bad camera","data":{"param":"camera"}}})",
                     {"render", "--out", out, "--camera", "sideways"});
  EXPECT_EQ(e.result.exit_code, 1);
  EXPECT_NE(e.result.err.find("-32602: bad camera — data: "), std::string::npos)
      << e.result.err;
  EXPECT_EQ(access(out.c_str(), F_OK), -1);
}

// Paths go as given: a relative one is the daemon's, relative to its data
// directory, wherever the client runs.
TEST(ClientVerbs, SaveLoadExportSendPathsAsGiven) {
  TempDir dir;
  const std::string ok =
      R"({"jsonrpc":"2.0","id":1,"result":{"success":true}})";
  Exchange e = RunAgainstFake(dir, ok, {"save", "out.gox"});
  ASSERT_EQ(e.result.exit_code, 0) << e.result.err;
  EXPECT_STREQ(e.request["method"].GetString(), "goxel.save_project");
  EXPECT_STREQ(e.request["params"]["path"].GetString(), "out.gox");
  e = RunAgainstFake(dir, ok, {"load", "/abs/in.gox", "project_id=3"});
  ASSERT_EQ(e.result.exit_code, 0) << e.result.err;
  EXPECT_STREQ(e.request["method"].GetString(), "goxel.load_project");
  EXPECT_STREQ(e.request["params"]["path"].GetString(), "/abs/in.gox");
  EXPECT_EQ(e.request["params"]["project_id"].GetInt(), 3);
  e = RunAgainstFake(dir, ok,
                     {"export", "--keep-path", "m.obj", "--format", "obj"});
  ASSERT_EQ(e.result.exit_code, 0) << e.result.err;
  EXPECT_STREQ(e.request["method"].GetString(), "goxel.export_model");
  EXPECT_STREQ(e.request["params"]["path"].GetString(), "m.obj");
  EXPECT_STREQ(e.request["params"]["format"].GetString(), "obj");
}

TEST(ClientVerbs, MetricsPrometheusPrintsTheTextAlone) {
  TempDir dir;
  const std::string reply =
      R"({"jsonrpc":"2.0","id":1,"result":{"content_type":"text/plain; )"
      R"(version=0.0.4","text":"# TYPE goxel_up gauge\ngoxel_up 1\n"}})";
  Exchange e = RunAgainstFake(dir, reply, {"metrics", "--prometheus"});
  ASSERT_EQ(e.result.exit_code, 0) << e.result.err;
  EXPECT_STREQ(e.request["method"].GetString(), "metrics");
  EXPECT_EQ(e.result.out, "# TYPE goxel_up gauge\ngoxel_up 1\n");
  e = RunAgainstFake(dir, reply, {"metrics"});
  ASSERT_EQ(e.result.exit_code, 0);
  EXPECT_TRUE(Parse(e.result.out)["result"].HasMember("content_type"));
}

TEST(ClientVerbs, HealthExits1WhenTheDaemonIsNotOk) {
  TempDir dir;
  Exchange e = RunAgainstFake(
      dir, R"({"jsonrpc":"2.0","id":1,"result":{"status":"degraded"}})",
      {"health"});
  EXPECT_EQ(e.result.exit_code, 1);
  EXPECT_NE(e.result.err.find("not healthy"), std::string::npos);
}

TEST(ClientVerbs, AReplyThatIsNotJsonRpcIsAnError) {
  TempDir dir;
  Exchange e = RunAgainstFake(dir, R"({"hello":"world"})", {"ping"});
  EXPECT_EQ(e.result.exit_code, 1);
  EXPECT_NE(e.result.err.find("not JSON-RPC"), std::string::npos);
}

TEST(ClientParams, ShorthandLinesSplitOnBlanksKeepingJsonWhole) {
  auto w = client::SplitShorthand("  echo  x=1\t{\"a\": [1, 2]} ");
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0], "echo");
  EXPECT_EQ(w[2], "{\"a\": [1, 2]}");
  w = client::SplitShorthand("m [1, 2]");
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[1], "[1, 2]");
}

TEST(ClientParams, LaterKeysReplaceEarlierOnes) {
  rpc::JsonDocument d;
  ASSERT_TRUE(client::BuildParams({"x=1", "x=2"}, &d).ok());
  EXPECT_EQ(rpc::ToJsonText(d), "{\"x\":2}");
  EXPECT_FALSE(client::BuildParams({"7"}, &d).ok()) << "a bare scalar";
}

TEST(ClientParams, Base64DecodesWithAndWithoutPadding) {
  EXPECT_EQ(*client::DecodeBase64("aGVsbG8="), "hello");
  EXPECT_EQ(*client::DecodeBase64("aGVsbG8"), "hello");
  EXPECT_EQ(*client::DecodeBase64("aGVs\nbG8="), "hello");
  EXPECT_FALSE(client::DecodeBase64("a$b").ok());
}

}  // namespace
}  // namespace goxel::testing
