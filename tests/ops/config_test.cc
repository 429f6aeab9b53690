#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "ops/cli.h"
#include "ops/config_loader.h"

namespace goxel::ops {
namespace {

Result<CommandLine> Parse(std::vector<const char*> args) {
  args.insert(args.begin(), "goxel-daemon");
  return ParseCommandLine(static_cast<int>(args.size()), args.data(), "1.2.3");
}

Result<LoadedConfig> Load(std::vector<const char*> args,
                          std::map<std::string, std::string> env = {}) {
  Result<CommandLine> cli = Parse(std::move(args));
  EXPECT_TRUE(cli.ok()) << cli.status().ToString();
  if (!cli.ok()) return cli.status();
  return LoadConfig(*cli, MapEnv(std::move(env)));
}

// A file in the test's temporary directory, removed at the end.
class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    char tmpl[] = "/tmp/goxel-ops-config-XXXXXX";
    int fd = mkstemp(tmpl);
    path_ = tmpl;
    EXPECT_EQ(write(fd, text.data(), text.size()),
              static_cast<ssize_t>(text.size()));
    close(fd);
  }
  ~TempFile() { unlink(path_.c_str()); }
  const char* path() const { return path_.c_str(); }

 private:
  std::string path_;
};

TEST(CommandLine, HelpAndVersionCarryTextToPrint) {
  Result<CommandLine> help = Parse({"--help"});
  ASSERT_TRUE(help.ok());
  EXPECT_EQ(help->action, CliAction::kHelp);
  EXPECT_NE(help->text.find("--max-connections"), std::string::npos);
  EXPECT_NE(help->text.find("GOXEL_SOCKET_PATH"), std::string::npos);
  Result<CommandLine> version = Parse({"-v"});
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(version->action, CliAction::kVersion);
  EXPECT_EQ(version->text, "goxel-daemon 1.2.3\n");
}

TEST(CommandLine, UnknownFlagAndMissingArgumentAreUsageErrors) {
  Result<CommandLine> unknown = Parse({"--bogus"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("--bogus"), std::string::npos);
  EXPECT_FALSE(Parse({"--socket"}).ok());
  EXPECT_FALSE(Parse({"--stop", "--status"}).ok());
  EXPECT_FALSE(Parse({"-D", "-f"}).ok());
}

TEST(CommandLine, ActionsAndShortFlagsAreRecognised) {
  Result<CommandLine> cl = Parse({"--stop", "-p", "/tmp/x.pid", "-j8"});
  ASSERT_TRUE(cl.ok());
  EXPECT_EQ(cl->action, CliAction::kStop);
  ASSERT_EQ(cl->settings.size(), 2u);
  EXPECT_EQ(cl->settings[0].key, "daemon.pid_file");
  EXPECT_EQ(cl->settings[1].key, "server.workers");
  EXPECT_EQ(cl->settings[1].text, "8");
}

TEST(ConfigLoader, DefaultsInTheForeground) {
  Result<LoadedConfig> r = Load({});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Config& c = r->config;
  EXPECT_EQ(c.socket_path, "/tmp/goxel-daemon.sock");
  EXPECT_EQ(c.pid_file, "");
  EXPECT_EQ(c.log_file, "");
  EXPECT_EQ(c.workers, 4);
  EXPECT_EQ(c.queue_size, 1024);
  EXPECT_EQ(c.max_connections, 256);
  EXPECT_EQ(c.max_request_bytes, 16 << 20);
  EXPECT_TRUE(c.foreground);
}

TEST(ConfigLoader, DaemonizingTakesTheServicePaths) {
  Result<LoadedConfig> r = Load({"-D"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->config.socket_path, "/var/run/goxel-daemon.sock");
  EXPECT_EQ(r->config.pid_file, "/var/run/goxel-daemon.pid");
  EXPECT_EQ(r->config.log_file, "/var/log/goxel-daemon.log");
  EXPECT_FALSE(r->config.foreground);
}

TEST(ConfigLoader, FlagsBeatEnvironmentBeatsFileBeatsDefaults) {
  TempFile file(R"({"server": {"workers": 2, "queue_size": 10,
                   "max_connections": 20}, "logging": {"level": "error"}})");
  Result<LoadedConfig> r =
      Load({"-c", file.path(), "-j", "7"},
           {{"GOXEL_MAX_WORKERS", "5"}, {"GOXEL_QUEUE_SIZE", "30"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->config.workers, 7);           // flag
  EXPECT_EQ(r->config.queue_size, 30);       // environment
  EXPECT_EQ(r->config.max_connections, 20);  // file
  EXPECT_EQ(r->config.log_level, LogLevel::kError);
  EXPECT_EQ(r->config.slow_request_ms, 250);  // default
}

TEST(ConfigLoader, ConfigFileFromEnvironment) {
  TempFile file(R"({"daemon": {"socket_path": "/tmp/from-env.sock"}})");
  Result<LoadedConfig> r = Load({}, {{"GOXEL_CONFIG_FILE", file.path()}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->config.socket_path, "/tmp/from-env.sock");
}

TEST(ConfigLoader, InvalidValueNamesKeyFileAndLine) {
  TempFile file("{\n  \"server\": {\n    \"workers\": \"many\"\n  }\n}\n");
  Result<LoadedConfig> r = Load({"--config", file.path()});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            std::string("server.workers: expected an integer 1..64, got "
                        "\"many\" (") +
                file.path() + " line 3)");
}

TEST(ConfigLoader, InvalidJsonNamesLine) {
  TempFile file("{\n  \"server\": {\n    \"workers\": 4,\n  }\n}\n");
  Result<LoadedConfig> r = Load({"--config", file.path()});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(" line 4: invalid JSON"),
            std::string::npos)
      << r.status().message();
}

TEST(ConfigLoader, InvalidEnvironmentAndFlagNameTheirSource) {
  Result<LoadedConfig> env = Load({}, {{"GOXEL_MAX_WORKERS", "many"}});
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.status().message(),
            "GOXEL_MAX_WORKERS (server.workers): expected an integer 1..64, "
            "got \"many\"");
  Result<LoadedConfig> flag = Load({"-q", "70000"});
  ASSERT_FALSE(flag.ok());
  EXPECT_EQ(flag.status().message(),
            "--queue-size: expected an integer 1..65536, got 70000");
  EXPECT_FALSE(Load({"-P", "http"}).ok());
  EXPECT_FALSE(Load({"--log-level", "loud"}).ok());
}

TEST(ConfigLoader, MissingConfigFileIsAnError) {
  Result<LoadedConfig> r = Load({"-c", "/nonexistent/goxel.json"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("/nonexistent/goxel.json"),
            std::string::npos);
}

TEST(ConfigLoader, UnknownKeysWarnAndCommentsAndForeignSectionsDoNot) {
  TempFile file(R"({"_comment": "x", "server": {"_comment": "y", "wrkers": 3},
                   "bogus": 1, "auto_start": {"anything": true},
                   "environment": {"A": "b"}})");
  Result<LoadedConfig> r = Load({"-c", file.path()});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->warnings.size(), 2u);
  EXPECT_NE(r->warnings[0].find("server.wrkers"), std::string::npos);
  EXPECT_NE(r->warnings[0].find("line 1"), std::string::npos);
  EXPECT_NE(r->warnings[1].find("bogus"), std::string::npos);
}

TEST(ConfigLoader, SectionMustBeAnObject) {
  TempFile file(R"({"security": {"rate_limiting": true}})");
  Result<LoadedConfig> r = Load({"-c", file.path()});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("security.rate_limiting: expected an "
                                      "object"),
            std::string::npos);
}

TEST(ConfigLoader, RepositoryExampleLoadsAsIs) {
  std::string path =
      std::string(GOXEL_SOURCE_DIR) + "/config/daemon_config.json";
  Result<LoadedConfig> r = Load({"-c", path.c_str()});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->warnings.empty()) << r->warnings[0];
  const Config& c = r->config;
  EXPECT_TRUE(c.daemonize);
  EXPECT_EQ(c.socket_path, "/var/run/goxel-daemon.sock");
  EXPECT_EQ(c.user, "goxel");
  EXPECT_EQ(c.socket_permissions, 0660u);
  EXPECT_TRUE(c.rate_limit.enabled);
  EXPECT_EQ(c.rate_limit.burst_size, 200);
  EXPECT_EQ(c.max_memory_mb, 512);
  EXPECT_EQ(c.allowed_paths, std::vector<std::string>{"/var/lib/goxel"});
}

TEST(ConfigLoader, PrintedConfigLoadsBackToTheSameConfig) {
  Result<LoadedConfig> first =
      Load({"-j", "9", "-s", "/tmp/a.sock", "--log-level", "debug"});
  ASSERT_TRUE(first.ok());
  first->config.allowed_uids = {0, 1000};
  std::string json = ConfigToJson(first->config);
  Config reloaded;
  std::vector<std::string> warnings;
  ASSERT_TRUE(ApplyConfigText(json, "printed", &reloaded, &warnings).ok());
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(ConfigToJson(reloaded), json);
  ConfigChange none = DiffConfigs(first->config, reloaded);
  EXPECT_TRUE(none.applied.empty());
  EXPECT_TRUE(none.restart_required.empty());
  EXPECT_EQ(reloaded.workers, 9);
}

TEST(ConfigLoader, PatchAppliesLiveKeysAndListsRestartKeys) {
  Config c;
  Result<ConfigChange> r = ApplyConfigPatch(
      R"({"logging": {"level": "debug"}, "server.workers": 8,
          "security.rate_limiting.burst_size": 5})",
      &c);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(c.log_level, LogLevel::kDebug);
  EXPECT_EQ(c.rate_limit.burst_size, 5);
  EXPECT_EQ(c.workers, 4);  // needs a restart: not applied
  EXPECT_EQ(r->applied,
            (std::vector<std::string>{"logging.level",
                                      "security.rate_limiting.burst_size"}));
  EXPECT_EQ(r->restart_required, std::vector<std::string>{"server.workers"});
}

TEST(ConfigLoader, PatchWithAnErrorChangesNothing) {
  Config c;
  EXPECT_FALSE(
      ApplyConfigPatch(
          R"({"logging.level": "debug", "logging.slow_request_ms": -1})", &c)
          .ok());
  EXPECT_EQ(c.log_level, LogLevel::kInfo);
  Result<ConfigChange> unknown = ApplyConfigPatch(R"({"nope": 1})", &c);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("nope"), std::string::npos);
}

}  // namespace
}  // namespace goxel::ops
