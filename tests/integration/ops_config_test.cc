// The configuration chain of the real binary: flags > GOXEL_* environment >
// daemon_config.json > defaults, located errors, --print-config, and
// goxel.get_config / goxel.set_config over the socket.
#include <gtest/gtest.h>

#include "integration/ops_support.h"

namespace goxel::testing {
namespace {

const std::vector<std::string> kNoGoxelEnv = {};

rapidjson::Document PrintConfig(const std::vector<std::string>& flags,
                                const std::vector<std::string>& env,
                                CommandResult* result) {
  std::vector<std::string> args = {DaemonBinary(), "--print-config"};
  args.insert(args.end(), flags.begin(), flags.end());
  *result = RunCommand(args, env);
  // Warnings may precede the JSON on stderr: parse from the first '{' at a
  // line start.
  size_t start = result->out.find("\n{");
  std::string json =
      result->out.rfind("{", 0) == 0 || start == std::string::npos
          ? result->out
          : result->out.substr(start + 1);
  return ParseJson(json);
}

TEST(OpsConfig, FlagsBeatEnvironmentBeatFileBeatDefaults) {
  TempDir dir;
  std::string file = dir.File("daemon_config.json");
  WriteFileText(file, R"({
    "server": {"workers": 3, "queue_size": 77, "max_connections": 11},
    "logging": {"level": "warning"}
  })");
  CommandResult r;
  auto cfg = PrintConfig({"--config", file, "--workers", "5"},
                         {"GOXEL_MAX_WORKERS=2", "GOXEL_QUEUE_SIZE=99"}, &r);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  ASSERT_TRUE(cfg.IsObject()) << r.out;
  EXPECT_EQ(cfg["server"]["workers"].GetInt(), 5);           // flag
  EXPECT_EQ(cfg["server"]["queue_size"].GetInt(), 99);       // env
  EXPECT_EQ(cfg["server"]["max_connections"].GetInt(), 11);  // file
  EXPECT_STREQ(cfg["logging"]["level"].GetString(), "warning");
  EXPECT_EQ(cfg["security"]["max_request_size_mb"].GetInt(), 16);  // default
}

TEST(OpsConfig, ConfigFileCanComeFromTheEnvironment) {
  TempDir dir;
  std::string file = dir.File("c.json");
  WriteFileText(file, R"({"server": {"workers": 7}})");
  CommandResult r;
  auto cfg = PrintConfig({}, {"GOXEL_CONFIG_FILE=" + file}, &r);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  ASSERT_TRUE(cfg.IsObject()) << r.out;
  EXPECT_EQ(cfg["server"]["workers"].GetInt(), 7);
}

TEST(OpsConfig, InvalidValueNamesKeyFileAndLineAndExits1) {
  TempDir dir;
  std::string file = dir.File("bad.json");
  WriteFileText(file,
                "{\n  \"server\": {\n    \"workers\": \"many\"\n  }\n}\n");
  DaemonProcess d;
  CommandResult r = RunCommand({DaemonBinary(), "--foreground", "--config",
                                file, "--socket", d.socket_path()});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("server.workers"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"many\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(file), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("line 3"), std::string::npos) << r.out;
  EXPECT_FALSE(PathExists(d.socket_path())) << "bound before validating";
}

TEST(OpsConfig, MissingConfigFileIsAnError) {
  TempDir dir;
  CommandResult r = RunCommand(
      {DaemonBinary(), "--print-config", "--config", dir.File("nope.json")});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("nope.json"), std::string::npos) << r.out;
}

TEST(OpsConfig, UnknownKeysAreLoggedAsWarnings) {
  TempDir dir;
  std::string file = dir.File("c.json");
  WriteFileText(file, R"({"server": {"workers": 2, "wrokers": 3}})");
  DaemonProcess d;
  ASSERT_TRUE(d.Start({"--config", file})) << d.Log();
  std::string log = d.Log();
  EXPECT_NE(log.find("\"level\":\"warning\""), std::string::npos) << log;
  EXPECT_NE(log.find("server.wrokers"), std::string::npos) << log;
}

TEST(OpsConfig, TheRepositoryExampleLoadsAsIs) {
  CommandResult r = RunCommand(
      {DaemonBinary(), "--print-config", "--config",
       std::string(GOXEL_SOURCE_DIR) + "/config/daemon_config.json"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out.find("warning"), std::string::npos) << r.out;
}

TEST(OpsConfig, GetConfigReturnsTheEffectiveConfiguration) {
  DaemonProcess d;
  ASSERT_TRUE(d.Start({"--workers", "3"}, {"GOXEL_QUEUE_SIZE=55"})) << d.Log();
  auto reply = CallMethod(d.socket_path(), "goxel.get_config");
  ASSERT_TRUE(reply.IsObject() && reply.HasMember("result")) << d.Log();
  const auto& cfg = reply["result"];
  EXPECT_EQ(cfg["server"]["workers"].GetInt(), 3);
  EXPECT_EQ(cfg["server"]["queue_size"].GetInt(), 55);
  EXPECT_EQ(std::string(cfg["daemon"]["socket_path"].GetString()),
            d.socket_path());
}

TEST(OpsConfig, SetConfigAppliesLiveKeysAndListsRestartKeys) {
  DaemonProcess d;
  ASSERT_TRUE(d.Start()) << d.Log();
  auto reply = CallMethod(d.socket_path(), "goxel.set_config",
                          R"({"logging.level": "debug",
                              "server": {"workers": 9}})");
  ASSERT_TRUE(reply.IsObject() && reply.HasMember("result")) << d.Log();
  const auto& r = reply["result"];
  ASSERT_EQ(r["applied"].Size(), 1u);
  EXPECT_STREQ(r["applied"][0].GetString(), "logging.level");
  ASSERT_EQ(r["restart_required"].Size(), 1u);
  EXPECT_STREQ(r["restart_required"][0].GetString(), "server.workers");
  auto cfg = CallMethod(d.socket_path(), "goxel.get_config");
  EXPECT_STREQ(cfg["result"]["logging"]["level"].GetString(), "debug");
  EXPECT_EQ(cfg["result"]["server"]["workers"].GetInt(), 4);
  // The new level is live: a ping is now logged at debug.
  CallMethod(d.socket_path(), "ping");
  EXPECT_TRUE(WaitFor(
      [&] {
        std::string log = d.Log();
        return log.find("\"level\":\"debug\"") != std::string::npos &&
               log.find("\"method\":\"ping\"") != std::string::npos;
      },
      3000))
      << d.Log();
}

TEST(OpsConfig, SetConfigRejectsInvalidValuesAndChangesNothing) {
  DaemonProcess d;
  ASSERT_TRUE(d.Start()) << d.Log();
  auto reply = CallMethod(d.socket_path(), "goxel.set_config",
                          R"({"logging.level": "debug",
                              "security.rate_limiting.burst_size": "lots"})");
  ASSERT_TRUE(reply.IsObject() && reply.HasMember("error")) << d.Log();
  EXPECT_EQ(reply["error"]["code"].GetInt(), -32602);
  std::string message = reply["error"]["message"].GetString();
  EXPECT_NE(message.find("security.rate_limiting.burst_size"),
            std::string::npos)
      << message;
  auto cfg = CallMethod(d.socket_path(), "goxel.get_config");
  EXPECT_STREQ(cfg["result"]["logging"]["level"].GetString(), "info");
}

}  // namespace
}  // namespace goxel::testing
