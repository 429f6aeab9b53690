// goxel-client: the command-line companion of goxel-daemon. Parses the
// command line with CLI11 and hands each verb to commands.h.
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "client/commands.h"
#include "client/exit_codes.h"
#include "rpc/json.h"

#ifndef GOXEL_VERSION
#define GOXEL_VERSION "0.0.0"
#endif

namespace goxel::client {
namespace {

constexpr char kArrayMarker = '\x1f';
constexpr const char* kDefaultSocket = "/tmp/goxel-daemon.sock";

constexpr const char* kFooter = R"(
PARAMS (call, and extra words of render/save/load/export):
  one JSON object or array:  call goxel.add_voxel '{"x":1,"y":2,"z":3}'
  or key=value words, typed the way a person means them:
    x=1 (integer)  s=1.5 (number)  hollow=true (boolean)  v=null
    position=[1,2,3] (array)  color=#ff0000 and name=tower (strings)
    a value that parses as JSON is JSON, anything else a string;
    name='"123"' forces a string, key:=JSON insists on JSON.

STDIN MODE (call - , or call with piped input):
  one request per line, as a full JSON-RPC text (objects or batches, sent
  verbatim) or as shorthand "METHOD [PARAMS...]"; '#' lines are comments.
  Replies are printed one per line, compact. --timeout bounds the wait
  after the input ends.

OUTPUT: pretty coloured JSON on a terminal, compact JSON otherwise.
  Errors go to stderr as one line: code, message and data.

EXIT CODES:
  0  success (health: the daemon answered status "ok")
  1  the daemon answered with a JSON-RPC error (or an unhealthy status)
  2  usage error (bad command line or params)
  3  cannot connect (socket missing, permission denied, refused) or the
     connection was lost
  4  timeout (no reply within --timeout seconds)

ENVIRONMENT:
  GOXEL_SOCKET_PATH  socket when --socket is not given (default
                     /tmp/goxel-daemon.sock)
  NO_COLOR           no colours even on a terminal

EXAMPLES:
  goxel-client health
  goxel-client call goxel.add_voxel x=1 y=2 z=3 color=#ff0000
  goxel-client render --out scene.png --camera isometric --width 256
  printf 'ping\nstatus\n' | goxel-client call -
)";

struct Flags {
  std::string socket;
  double timeout = 30;
  std::string json;
  std::string color = "auto";
  bool raw = false;
  bool quiet = false;
};

struct Render {
  std::string out;
  std::optional<int> width, height;
  std::optional<std::string> camera, projection, position, target, up;
  std::optional<double> fov, ortho_height;
};

// "key:=JSON-string", so that a value like "null" stays a string.
std::string StringWord(const std::string& key, const std::string& value) {
  rpc::JsonDocument d;
  return key + ":=" + rpc::ToJsonText(rpc::MakeString(value, d.GetAllocator()));
}

// Words "key=value" for the render options that were given.
std::vector<std::string> RenderWords(const Render& r,
                                     const std::vector<std::string>& extra) {
  std::vector<std::string> w;
  if (r.width) w.push_back("width=" + std::to_string(*r.width));
  if (r.height) w.push_back("height=" + std::to_string(*r.height));
  if (r.camera) w.push_back(StringWord("camera", *r.camera));
  if (r.projection) w.push_back(StringWord("projection", *r.projection));
  if (r.fov) w.push_back("fov=" + std::to_string(*r.fov));
  if (r.ortho_height) {
    w.push_back("ortho_height=" + std::to_string(*r.ortho_height));
  }
  if (r.position) w.push_back("camera_position:=[" + *r.position + "]");
  if (r.target) w.push_back("camera_target:=[" + *r.target + "]");
  if (r.up) w.push_back("camera_up:=[" + *r.up + "]");
  w.insert(w.end(), extra.begin(), extra.end());
  return w;
}

Session MakeSession(const Flags& f, const CLI::App& app) {
  Session s;
  const char* env = getenv("GOXEL_SOCKET_PATH");
  s.socket_path = !f.socket.empty() ? f.socket
                  : (env && *env)   ? std::string(env)
                                    : std::string(kDefaultSocket);
  s.timeout_seconds = f.timeout;
  s.out = DefaultOutputOptions();
  if (f.json == "pretty") s.out.style = JsonStyle::kPretty;
  if (f.json == "short") s.out.style = JsonStyle::kShort;
  if (f.color == "always") s.out.color = true;
  if (f.color == "never") s.out.color = false;
  if (f.color == "auto" && s.out.style == JsonStyle::kShort) {
    s.out.color = false;
  }
  s.out.raw = f.raw;
  s.out.quiet = f.quiet;
  s.json_requested = app.count("--json") > 0 || f.raw;
  return s;
}

int Main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  CLI::App app("goxel-client: talk to goxel-daemon over its Unix socket",
               "goxel-client");
  app.footer(kFooter);
  app.require_subcommand(1, 1);
  app.fallthrough();
  app.set_version_flag("--version",
                       std::string("goxel-client ") + GOXEL_VERSION);
  Flags f;
  app.add_option("-s,--socket", f.socket,
                 "daemon socket (default: $GOXEL_SOCKET_PATH, else " +
                     std::string(kDefaultSocket) + ")");
  app.add_option("-t,--timeout", f.timeout,
                 "seconds to wait for a reply; 0 waits forever (default 30)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--json", f.json, "JSON layout: pretty or short")
      ->check(CLI::IsMember({"pretty", "short"}));
  app.add_option("--color", f.color, "colour: auto, always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  app.add_flag("-r,--raw", f.raw, "print the result alone (strings as text)");
  app.add_flag("-q,--quiet", f.quiet, "print nothing on success");

  std::string method;
  std::vector<std::string> words;
  auto* call = app.add_subcommand(
      "call", "call METHOD with PARAMS; `call -` reads requests from stdin");
  call->add_option("method", method, "method name, or - for stdin mode");
  call->add_option("params", words, "one JSON value, or key=value words");

  auto* ping = app.add_subcommand("ping", "liveness check");
  bool latency = false;
  auto* health = app.add_subcommand(
      "health", "health check: exit 0 only when the daemon says ok");
  health->add_flag("--latency", latency,
                   "print status=... latency_ms=... instead of the reply");
  auto* status = app.add_subcommand(
      "status", "uptime, connections, queue, requests/s, memory");
  bool prometheus = false;
  auto* metrics = app.add_subcommand("metrics", "the daemon's metrics");
  metrics->add_flag("--prometheus", prometheus,
                    "print the Prometheus text exposition");
  std::optional<std::string> method_name;
  bool names_only = false;
  auto* methods = app.add_subcommand(
      "methods", "the daemon's methods with their params, as help");
  methods->add_option("name", method_name, "show one method");
  methods->add_flag("--names", names_only, "print method names only");
  auto* version = app.add_subcommand("version", "the daemon's version");

  Render r;
  auto* render = app.add_subcommand(
      "render", "render the scene and write the PNG to --out");
  render->add_option("-o,--out", r.out, "PNG file to write")->required();
  render->add_option("--width", r.width, "image width in pixels");
  render->add_option("--height", r.height, "image height in pixels");
  render->add_option("--camera", r.camera,
                     "preset: front back left right top bottom isometric");
  render->add_option("--projection", r.projection,
                     "perspective or orthographic");
  render->add_option("--fov", r.fov, "vertical field of view, degrees");
  render->add_option("--ortho-height", r.ortho_height,
                     "orthographic view height, world units");
  render->add_option("--position", r.position, "camera position X,Y,Z");
  render->add_option("--target", r.target, "camera target X,Y,Z");
  render->add_option("--up", r.up, "camera up vector X,Y,Z");
  render->add_option("params", words, "more key=value params");

  std::string path;
  bool keep_path = false;
  std::string format;
  auto add_path_verb = [&](const char* name, const char* help) {
    auto* sub = app.add_subcommand(name, help);
    sub->add_option("path", path, "file path")->required();
    sub->add_option("params", words, "more key=value params");

    sub->add_flag("--keep-path", keep_path,
                  "accepted for compatibility: paths are always sent as "
                  "given (a relative path is relative to the daemon's data "
                  "directory)");
    return sub;
  };
  auto* save = add_path_verb("save", "save the project (goxel.save_project)");
  auto* load = add_path_verb("load", "load a project (goxel.load_project)");
  auto* exp = add_path_verb("export", "export the model (goxel.export_model)");
  exp->add_option("--format", format, "format (default: by extension)");

  // CLI11 splits a positional "[a,b]" into vector items; a marker byte
  // keeps a JSON array param whole until after parsing.
  std::vector<std::string> arg_store(argv, argv + argc);
  std::vector<char*> args;
  for (auto& a : arg_store) {
    if (a.size() >= 2 && a.front() == '[' && a.back() == ']') {
      a.insert(a.begin(), kArrayMarker);
    }
    args.push_back(a.data());
  }
  try {
    app.parse(argc, args.data());
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fprintf(stderr, "goxel-client: %s (run goxel-client --help)\n", e.what());
    return kExitUsage;
  }
  for (auto& w : words) {
    if (!w.empty() && w.front() == kArrayMarker) w.erase(0, 1);
  }
  Session s = MakeSession(f, app);
  if (*call) {
    if (method == "-" || (method.empty() && !isatty(STDIN_FILENO))) {
      if (!words.empty()) {
        return Report(Fail(kExitUsage, "stdin mode takes no params"));
      }
      return RunStream(s, STDIN_FILENO);
    }
    if (method.empty()) {
      return Report(Fail(kExitUsage,
                         "call needs a METHOD (or - to read requests from "
                         "stdin); list methods with `goxel-client methods`"));
    }
    return RunCall(s, method, words);
  }
  if (*ping) return RunCall(s, "ping", {});
  if (*health) return RunHealth(s, latency);
  if (*status) return RunCall(s, "status", {});
  if (*version) return RunCall(s, "version", {});
  if (*metrics) return RunMetrics(s, prometheus);
  if (*methods) {
    if (names_only) return RunMethodNames(s);
    return RunMethods(s, method_name);
  }
  if (*render) return RunRender(s, r.out, RenderWords(r, words));
  if (*save)
    return RunPathVerb(s, "goxel.save_project", path, keep_path, words);
  if (*load)
    return RunPathVerb(s, "goxel.load_project", path, keep_path, words);
  if (*exp) {
    if (!format.empty())
      words.insert(words.begin(), StringWord("format", format));
    return RunPathVerb(s, "goxel.export_model", path, keep_path, words);
  }
  return kExitUsage;
}

}  // namespace
}  // namespace goxel::client

int main(int argc, char** argv) { return goxel::client::Main(argc, argv); }
