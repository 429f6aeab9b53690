// goxel-client through the real binary against the real daemon: every verb,
// key=value typing, stdin mode, each exit code, terminal vs pipe output.
#include <grp.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>

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

size_t CountLines(const std::string& s) {
  return static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
}

class ClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    daemon_ = new DaemonProcess();
    ASSERT_TRUE(daemon_->Start({"--workers", "2", "--enable-debug-methods"}))
        << daemon_->Log();
  }
  static void TearDownTestSuite() {
    delete daemon_;
    daemon_ = nullptr;
  }

  // goxel-client --socket S args... with `input` on stdin.
  ProcessResult Client(std::vector<std::string> args,
                       const std::string& input = "") {
    std::vector<std::string> argv = {ClientBinary(), "--socket",
                                     daemon_->socket_path()};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, input);
  }

  static DaemonProcess* daemon_;
};

DaemonProcess* ClientTest::daemon_ = nullptr;

TEST_F(ClientTest, PingPrintsTheCompactReplyOnOneLineWhenPiped) {
  ProcessResult r = Client({"ping"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(CountLines(r.out), 1u) << r.out;
  rpc::JsonDocument d = Parse(r.out);
  ASSERT_TRUE(d.IsObject()) << r.out;
  EXPECT_STREQ(d["jsonrpc"].GetString(), "2.0");
  EXPECT_TRUE(d["result"]["pong"].GetBool());
  EXPECT_EQ(r.err, "");
}

TEST_F(ClientTest, KeyValueWordsAreTypedTheWayAPersonMeansThem) {
  ProcessResult r = Client(
      {"--raw", "call", "echo", "x=1", "s=1.5", "neg=-7", "color=#ff0000",
       "hollow=true", "name=tower", "position=[1,2,3]", "nothing=null",
       "quoted=\"123\"", "forced:={\"a\":2}", "empty=", "spaced=a b"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  rpc::JsonDocument d = Parse(r.out);
  ASSERT_TRUE(d.IsObject()) << r.out;
  EXPECT_TRUE(d["x"].IsInt64());
  EXPECT_EQ(d["x"].GetInt64(), 1);
  EXPECT_TRUE(d["s"].IsDouble());
  EXPECT_DOUBLE_EQ(d["s"].GetDouble(), 1.5);
  EXPECT_EQ(d["neg"].GetInt64(), -7);
  EXPECT_STREQ(d["color"].GetString(), "#ff0000");
  EXPECT_TRUE(d["hollow"].IsBool() && d["hollow"].GetBool());
  EXPECT_STREQ(d["name"].GetString(), "tower");
  ASSERT_TRUE(d["position"].IsArray());
  EXPECT_EQ(d["position"].Size(), 3u);
  EXPECT_EQ(d["position"][2].GetInt(), 3);
  EXPECT_TRUE(d["nothing"].IsNull());
  EXPECT_STREQ(d["quoted"].GetString(), "123");
  EXPECT_EQ(d["forced"]["a"].GetInt(), 2);
  EXPECT_STREQ(d["empty"].GetString(), "");
  EXPECT_STREQ(d["spaced"].GetString(), "a b");
}

TEST_F(ClientTest, OneJsonValueIsSentAsTheParams) {
  ProcessResult r = Client({"--raw", "call", "echo", "[1,\"two\",{\"3\":4}]"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "[1,\"two\",{\"3\":4}]\n");
  r = Client({"--raw", "call", "echo", "{\"k\":[true]}"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"k\":[true]}\n");
}

TEST_F(ClientTest, UnknownMethodExits1WithOneReadableLineOnStderr) {
  ProcessResult r = Client({"call", "no.such_method", "x=1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(CountLines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("-32601"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no.such_method"), std::string::npos) << r.err;
}

TEST_F(ClientTest, InvalidParamsShowTheDaemonsData) {
  ProcessResult r = Client({"call", "debug.sleep", "ms=oops"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("-32602"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("data:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ms"), std::string::npos) << r.err;
}

TEST_F(ClientTest, UsageErrorsExit2) {
  const std::vector<std::vector<std::string>> cases = {
      {},                           // no verb
      {"frobnicate"},               // unknown verb
      {"call", "echo", "x"},        // not key=value
      {"call", "echo", "{\"a\":"},  // invalid JSON params
      {"call", "echo", "p:=[1,"},   // key:= needs JSON
      {"call", "echo", "=1"},       // empty key
      {"--json=fancy", "ping"},     // bad choice
      {"--timeout", "-3", "ping"},  // negative timeout
      {"render"},                   // --out is required
      {"ping", "--no-such-flag"},
  };
  for (const auto& args : cases) {
    ProcessResult r = Client(args);
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    EXPECT_EQ(r.exit_code, 2) << joined << "\n" << r.err;
    EXPECT_FALSE(r.err.empty()) << joined;
    EXPECT_EQ(r.out, "") << joined;
  }
}

TEST_F(ClientTest, HelpDocumentsTheExitCodes) {
  ProcessResult r = Client({"--help"});
  ASSERT_EQ(r.exit_code, 0);
  for (const char* s : {"EXIT CODES", "3  cannot connect", "4  timeout",
                        "GOXEL_SOCKET_PATH", "key=value"}) {
    EXPECT_NE(r.out.find(s), std::string::npos) << s;
  }
}

TEST_F(ClientTest, HealthExits0AndReportsLatency) {
  ProcessResult r = Client({"health"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_STREQ(Parse(r.out)["result"]["status"].GetString(), "ok");
  r = Client({"health", "--latency"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("status=ok latency_ms=", 0), 0u) << r.out;
  double ms = std::stod(r.out.substr(r.out.find('=', 10) + 1));
  EXPECT_GT(ms, 0.0);
  EXPECT_LT(ms, 5000.0);
}

TEST_F(ClientTest, StatusNamesTheDaemonsPid) {
  ProcessResult r = Client({"status"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  rpc::JsonDocument d = Parse(r.out);
  EXPECT_EQ(d["result"]["pid"].GetInt64(), daemon_->pid());
  EXPECT_TRUE(d["result"].HasMember("uptime_seconds"));
  EXPECT_TRUE(d["result"].HasMember("memory_rss_bytes"));
}

TEST_F(ClientTest, VersionAsksTheDaemon) {
  ProcessResult r = Client({"--raw", "version"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_STREQ(Parse(r.out)["protocol"].GetString(), "JSON-RPC 2.0");
  r = Client({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("goxel-client ", 0), 0u) << r.out;
}

TEST_F(ClientTest, MethodsPrintsTheTableAsHelp) {
  ProcessResult r = Client({"methods"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("debug.sleep\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ms (integer, required)"), std::string::npos);
  EXPECT_NE(r.out.find("health\n"), std::string::npos);
  r = Client({"methods", "debug.sleep"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("health\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("-> {slept_ms}"), std::string::npos) << r.out;
  r = Client({"methods", "nope.none"});
  EXPECT_EQ(r.exit_code, 1);
  r = Client({"methods", "--names"});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("\necho\n"), std::string::npos) << r.out;
  r = Client({"--json=short", "methods"});
  ASSERT_EQ(r.exit_code, 0);
  rpc::JsonDocument d = Parse(r.out);
  ASSERT_TRUE(d.IsObject()) << r.out;
  EXPECT_EQ(d["result"]["count"].GetInt(),
            static_cast<int>(d["result"]["methods"].Size()));
}

TEST_F(ClientTest, RawAndQuiet) {
  ProcessResult r = Client({"--raw", "ping"});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_TRUE(Parse(r.out)["pong"].GetBool()) << r.out;
  r = Client({"--quiet", "ping"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
  r = Client({"--quiet", "call", "nope"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("-32601"), std::string::npos);
}

TEST_F(ClientTest, PrettyJsonWhenAskedEvenInAPipe) {
  ProcessResult r = Client({"--json=pretty", "ping"});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_GT(CountLines(r.out), 3u) << r.out;
  EXPECT_NE(r.out.find("\n  \"result\": {\n    \"pong\": true"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find('\033'), std::string::npos);
}

TEST_F(ClientTest, StdinModeAnswersEachRequestOnOneLine) {
  std::string input =
      "# a comment\n"
      "ping\n"
      "echo x=1 name=tower\n"
      "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[7],\"id\":\"s\"}\n"
      "{\"jsonrpc\":\"2.0\",\"method\":\"ping\"}\n"  // notification
      "[{\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"id\":10},\n"
      " {\"jsonrpc\":\"2.0\",\"method\":\"version\",\"id\":11}]\n"
      "\n"
      "echo {\"deep\":{\"a\":[1]}}";  // last line unterminated
  ProcessResult r = Client({"call", "-"}, input);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::vector<std::string> got;
  for (std::string l; std::getline(lines, l);) got.push_back(l);
  ASSERT_EQ(got.size(), 5u) << r.out;
  EXPECT_EQ(Parse(got[0])["id"].GetInt(), 1);
  EXPECT_TRUE(Parse(got[0])["result"]["pong"].GetBool());
  EXPECT_EQ(Parse(got[1])["result"]["name"], "tower");
  EXPECT_EQ(Parse(got[2])["id"], "s");
  EXPECT_EQ(Parse(got[2])["result"][0].GetInt(), 7);
  rpc::JsonDocument batch = Parse(got[3]);
  ASSERT_TRUE(batch.IsArray()) << got[3];
  EXPECT_EQ(batch.Size(), 2u);
  EXPECT_EQ(Parse(got[4])["result"]["deep"]["a"][0].GetInt(), 1);
  EXPECT_EQ(Parse(got[4])["id"].GetInt(), 3);
}

TEST_F(ClientTest, PipedStdinWithoutMethodIsStdinMode) {
  ProcessResult r = Client({"call"}, "ping\nhealth\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(CountLines(r.out), 2u) << r.out;
}

TEST_F(ClientTest, StdinModeExits1WhenAnyReplyIsAnError) {
  ProcessResult r = Client({"call", "-"}, "ping\nno.such\nping\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(CountLines(r.out), 3u) << r.out;
  EXPECT_NE(r.out.find("-32601"), std::string::npos);
  r = Client({"call", "-"}, "ping\necho notkv\n");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("notkv"), std::string::npos) << r.err;
  EXPECT_EQ(CountLines(r.out), 1u);
}

TEST_F(ClientTest, TimeoutExits4) {
  ProcessResult r =
      Client({"--timeout", "0.5", "call", "debug.sleep", "ms=3000"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("timed out"), std::string::npos) << r.err;
  EXPECT_LT(r.seconds, 2.5);
  r = Client({"--timeout", "0.5", "call", "-"}, "debug.sleep ms=3000\n");
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_LT(r.seconds, 2.5);
}

TEST_F(ClientTest, MetricsPrometheusPrintsTheDaemonsTextExposition) {
  ASSERT_EQ(Client({"ping"}).exit_code, 0);
  ProcessResult r = Client({"metrics", "--prometheus"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("# TYPE goxel_requests_total counter"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("\"jsonrpc\""), std::string::npos);
}

TEST_F(ClientTest, RenderWritesThePngTheDaemonReturns) {
  ASSERT_EQ(Client({"call", "goxel.create_project", "name=r"}).exit_code, 0);
  ASSERT_EQ(
      Client({"call", "goxel.add_voxel", "x=0", "y=0", "z=0", "color=#ff0000"})
          .exit_code,
      0);
  TempDir dir;
  std::string out = dir.File("r.png");
  ProcessResult r = Client({"render", "--out", out, "--width", "24", "--height",
                            "16", "--camera", "front"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string png = ReadWholeFile(out);
  ASSERT_GT(png.size(), 24u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n"));
  // IHDR width and height, big-endian, at bytes 16..23.
  EXPECT_EQ(static_cast<unsigned char>(png[19]), 24);
  EXPECT_EQ(static_cast<unsigned char>(png[23]), 16);
  EXPECT_EQ(Parse(r.out)["written_bytes"].GetUint64(), png.size());
}

TEST(ClientConnect, MissingSocketExits3AndSaysWhy) {
  TempDir dir;
  std::string path = dir.File("absent.sock");
  ProcessResult r = RunProcess({ClientBinary(), "-s", path, "ping"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no such file — is goxel-daemon running?"),
            std::string::npos)
      << r.err;
}

TEST(ClientConnect, SocketFromTheEnvironment) {
  TempDir dir;
  std::string path = dir.File("env.sock");
  ProcessResult r =
      RunProcess({ClientBinary(), "ping"}, "", {"GOXEL_SOCKET_PATH=" + path});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
}

TEST(ClientConnect, StaleSocketExits3ConnectionRefused) {
  TempDir dir;
  std::string path = dir.File("stale.sock");
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  close(fd);  // bound, never listened: the file stays, nobody answers
  ProcessResult r = RunProcess({ClientBinary(), "-s", path, "health"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("connection refused — stale socket?"), std::string::npos)
      << r.err;
}

// Root bypasses socket permissions, so as root the client runs as `nobody`
// (setpriv); otherwise the socket is made mode 000.
TEST(ClientConnect, PermissionDeniedExits3AndNamesTheGroup) {
  DaemonProcess d;
  chmod(d.dir().path().c_str(), 0755);
  ASSERT_TRUE(d.Start()) << d.Log();
  std::vector<std::string> argv;
  if (geteuid() == 0) {
    ASSERT_EQ(chmod(d.socket_path().c_str(), 0660), 0);
    argv = {"/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup",
            "--clear-groups", ClientBinary()};
  } else {
    ASSERT_EQ(chmod(d.socket_path().c_str(), 0), 0);
    argv = {ClientBinary()};
  }
  argv.insert(argv.end(), {"-s", d.socket_path(), "ping"});
  ProcessResult r = RunProcess(argv);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  struct stat st;
  ASSERT_EQ(stat(d.socket_path().c_str(), &st), 0);
  group* g = getgrgid(st.st_gid);
  ASSERT_NE(g, nullptr);
  EXPECT_NE(r.err.find("permission denied — are you in group " +
                       std::string(g->gr_name) + "?"),
            std::string::npos)
      << r.err;
}

TEST(ClientOutput, PrettyColouredOnATerminalCompactInAPipe) {
  DaemonProcess d;
  ASSERT_TRUE(d.Start()) << d.Log();
  ProcessResult tty = RunInPty({ClientBinary(), "-s", d.socket_path(), "ping"},
                               {"TERM=xterm"}, {"NO_COLOR"});
  ASSERT_EQ(tty.exit_code, 0) << tty.out;
  EXPECT_NE(tty.out.find("\033[34;1m\"pong\"\033[0m"), std::string::npos)
      << tty.out;
  EXPECT_GT(CountLines(tty.out), 3u);
  ProcessResult no_color =
      RunInPty({ClientBinary(), "-s", d.socket_path(), "ping"}, {"NO_COLOR=1"});
  EXPECT_EQ(no_color.out.find('\033'), std::string::npos) << no_color.out;
  EXPECT_GT(CountLines(no_color.out), 3u);
  ProcessResult pipe = RunProcess(
      {ClientBinary(), "-s", d.socket_path(), "--color=always", "ping"});
  EXPECT_EQ(pipe.out.find('\033'), std::string::npos)
      << "short JSON carries no colour: " << pipe.out;
  EXPECT_EQ(CountLines(pipe.out), 1u);
}

}  // namespace
}  // namespace goxel::testing
