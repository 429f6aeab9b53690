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

TEST(ConfigLoader, LockTimeoutComesFromFileAndEnvironment) {
  Result<LoadedConfig> d = Load({});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->config.lock_timeout_ms, 10000);  // default
  TempFile file(R"({"performance": {"lock_timeout_ms": 250}})");
  Result<LoadedConfig> f = Load({"-c", file.path()});
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->config.lock_timeout_ms, 250);
  Result<LoadedConfig> e =
      Load({"-c", file.path()}, {{"GOXEL_LOCK_TIMEOUT_MS", "0"}});
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->config.lock_timeout_ms, 0);  // 0: wait for as long as it takes
  Result<LoadedConfig> bad = Load({}, {{"GOXEL_LOCK_TIMEOUT_MS", "-1"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "GOXEL_LOCK_TIMEOUT_MS (performance.lock_timeout_ms): expected an "
            "integer 0..3600000, got -1");
}

TEST(ConfigLoader, ReadMemoryBudgetComesFromFileAndEnvironment) {
  Result<LoadedConfig> d = Load({});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->config.max_read_memory_mb, 0);  // default: derived
  TempFile file(R"({"performance": {"max_read_memory_mb": 64}})");
  Result<LoadedConfig> f = Load({"-c", file.path()});
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->config.max_read_memory_mb, 64);
  Result<LoadedConfig> e =
      Load({"-c", file.path()}, {{"GOXEL_MAX_READ_MEMORY_MB", "8"}});
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->config.max_read_memory_mb, 8);
  Result<LoadedConfig> bad = Load({}, {{"GOXEL_MAX_READ_MEMORY_MB", "-1"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "GOXEL_MAX_READ_MEMORY_MB (performance.max_read_memory_mb): "
            "expected an integer 0..16777216, got -1");
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

TEST(ConfigLoader, MissingOptionalConfigMeansDefaultsWithAWarning) {
  Result<LoadedConfig> r =
      Load({"--optional-config", "/nonexistent/goxel.json"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->config.config_file, "");
  EXPECT_EQ(r->config.socket_path, "/tmp/goxel-daemon.sock");
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_EQ(r->warnings[0],
            "no config file /nonexistent/goxel.json (--optional-config): "
            "using the defaults");
}

TEST(ConfigLoader, OptionalConfigIsReadWhenItExists) {
  TempFile file(R"({"server": {"workers": 3}})");
  Result<LoadedConfig> r = Load({"--optional-config", file.path()});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->config.workers, 3);
  EXPECT_EQ(r->config.config_file, file.path());
  EXPECT_TRUE(r->warnings.empty());
}

TEST(ConfigLoader, ConfigAndEnvironmentFileBeatTheOptionalConfig) {
  TempFile optional(R"({"server": {"workers": 3}})");
  TempFile named(R"({"server": {"workers": 5}})");
  Result<LoadedConfig> flag =
      Load({"--optional-config", optional.path(), "--config", named.path()});
  ASSERT_TRUE(flag.ok()) << flag.status().ToString();
  EXPECT_EQ(flag->config.workers, 5);
  Result<LoadedConfig> env = Load({"--optional-config", optional.path()},
                                  {{"GOXEL_CONFIG_FILE", named.path()}});
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  EXPECT_EQ(env->config.workers, 5);
  // A named file stays required even when an optional one is given.
  EXPECT_FALSE(Load({"--optional-config", optional.path(), "--config",
                     "/nonexistent/goxel.json"})
                   .ok());
}

TEST(ConfigLoader, OptionalConfigThatExistsButCannotBeReadIsAnError) {
  // FILE/daemon_config.json: the parent is a file (ENOTDIR), not missing.
  TempFile parent("{}");
  std::string path = std::string(parent.path()) + "/daemon_config.json";
  Result<LoadedConfig> r = Load({"--optional-config", path.c_str()});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(path + ": cannot read: Not a directory"),
            std::string::npos)
      << r.status().message();
  TempFile broken("{\n  \"server\": 1,\n");
  EXPECT_FALSE(Load({"--optional-config", broken.path()}).ok());
  EXPECT_FALSE(Parse({"--optional-config", ""}).ok());
  EXPECT_FALSE(Parse({"--optional-config"}).ok());
}

TEST(ConfigLoader, SystemdDirectoriesFillUnsetPaths) {
  Result<LoadedConfig> r =
      Load({"--foreground"}, {{"RUNTIME_DIRECTORY", "/run/goxel:/run/other"},
                              {"STATE_DIRECTORY", "/var/lib/goxel"},
                              {"CACHE_DIRECTORY", "/var/cache/goxel"},
                              {"LOGS_DIRECTORY", "/var/log/goxel"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Config& c = r->config;
  EXPECT_EQ(c.socket_path, "/run/goxel/goxel-daemon.sock");
  EXPECT_EQ(c.data_directory, "/var/lib/goxel");
  EXPECT_EQ(c.cache_directory, "/var/cache/goxel");
  EXPECT_EQ(c.pid_file, "");  // systemd tracks the main PID
  EXPECT_EQ(c.log_file, "");  // stderr: the journal
}

TEST(ConfigLoader, SystemdDirectoriesLoseToEveryOtherLayer) {
  TempFile file(R"({"daemon": {"socket_path": "/run/goxel/file.sock"},
                   "paths": {"data_directory": "/srv/goxel"}})");
  std::map<std::string, std::string> env = {{"RUNTIME_DIRECTORY", "/run/goxel"},
                                            {"STATE_DIRECTORY", "/var/lib/g"}};
  Result<LoadedConfig> from_file = Load({"-c", file.path()}, env);
  ASSERT_TRUE(from_file.ok()) << from_file.status().ToString();
  EXPECT_EQ(from_file->config.socket_path, "/run/goxel/file.sock");
  EXPECT_EQ(from_file->config.data_directory, "/srv/goxel");
  env["GOXEL_SOCKET_PATH"] = "/run/goxel/env.sock";
  Result<LoadedConfig> from_env = Load({}, env);
  ASSERT_TRUE(from_env.ok()) << from_env.status().ToString();
  EXPECT_EQ(from_env->config.socket_path, "/run/goxel/env.sock");
  Result<LoadedConfig> from_flag = Load({"-s", "/run/goxel/flag.sock"}, env);
  ASSERT_TRUE(from_flag.ok()) << from_flag.status().ToString();
  EXPECT_EQ(from_flag->config.socket_path, "/run/goxel/flag.sock");
  // Empty or relative values are not directories systemd would set.
  Result<LoadedConfig> odd =
      Load({}, {{"RUNTIME_DIRECTORY", ""}, {"STATE_DIRECTORY", "goxel"}});
  ASSERT_TRUE(odd.ok()) << odd.status().ToString();
  EXPECT_EQ(odd->config.socket_path, "/tmp/goxel-daemon.sock");
  EXPECT_EQ(odd->config.data_directory, "");
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
  // Paths come from `defaults` when daemonizing (the file leaves them empty
  // so that a non-root --foreground run, as in the guide's Docker image, can
  // bind its socket).
  EXPECT_EQ(c.socket_path, "/var/run/goxel-daemon.sock");
  EXPECT_EQ(c.pid_file, "/var/run/goxel-daemon.pid");
  EXPECT_EQ(c.log_file, "/var/log/goxel-daemon.log");
  Result<LoadedConfig> fg = Load({"-c", path.c_str(), "--foreground"});
  ASSERT_TRUE(fg.ok()) << fg.status().ToString();
  EXPECT_EQ(fg->config.socket_path, "/tmp/goxel-daemon.sock");
  EXPECT_EQ(fg->config.pid_file, "");
  EXPECT_EQ(fg->config.log_file, "");
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
