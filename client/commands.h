// The verbs of goxel-client. Each Run* function talks to the daemon, prints
// per the session's OutputOptions and returns the process exit code
// (exit_codes.h); failures are printed to stderr as one line.
//
// Thread contract: not thread-safe; called once from main.
#ifndef GOXEL_CLIENT_COMMANDS_H_
#define GOXEL_CLIENT_COMMANDS_H_

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "client/output.h"
#include "rpc/json.h"

namespace goxel::client {

// Where and how to talk, shared by every verb.
struct Session {
  std::string socket_path;
  double timeout_seconds = 30;  // <= 0: wait forever
  OutputOptions out;
  bool json_requested = false;  // --json or --raw given: verbs that print
                                // text print JSON instead
};

// One request/reply round trip. The reply document is returned whether it
// carries a result or an error; transport failures are a Status.
Result<rpc::JsonDocument> CallMethod(const Session& s,
                                     const std::string& method,
                                     const rpc::JsonValue& params);

// Prints a reply (error replies as one line on stderr) and returns 0 or 1.
int Finish(const Session& s, const rpc::JsonDocument& reply);

// Prints a failed Status and returns its exit code.
int Report(const Status& status);

// `call METHOD [PARAMS...]`, and the verbs that only call a method and
// print its reply (ping, status, version).
int RunCall(const Session& s, const std::string& method,
            const std::vector<std::string>& words);

// `call -` and piped stdin: requests from `fd`, replies one per line.
int RunStream(const Session& s, int fd);

// `health`: exit 0 only when the daemon answers {"status":"ok"}. With
// `latency`, prints "status=ok latency_ms=0.123" instead of the reply.
int RunHealth(const Session& s, bool latency);

// `metrics`: the reply, or with `prometheus` the text exposition alone.
int RunMetrics(const Session& s, bool prometheus);

// `methods [NAME]`: the daemon's method table as help text (JSON when
// Session::json_requested).
int RunMethods(const Session& s, const std::optional<std::string>& name);

// `methods --names`: one method name per line (for shell completion).
int RunMethodNames(const Session& s);

// `render --out FILE`: goxel.render_scene with `words` as params (no
// output_path, so the daemon returns the image as base64), decoded and
// written to `out`.
int RunRender(const Session& s, const std::string& out,
              const std::vector<std::string>& words);

// `save`/`load`/`export`: `method` with {path} plus key=value `words`.
// The path goes as given: a relative one is relative to the daemon's data
// directory, wherever the client runs. `keep_path` (the old opt-in to
// that) changes nothing.
int RunPathVerb(const Session& s, const std::string& method,
                const std::string& path, bool keep_path,
                const std::vector<std::string>& words);

// Decodes standard base64 (padding optional, whitespace ignored).
Result<std::string> DecodeBase64(std::string_view text);

}  // namespace goxel::client

#endif  // GOXEL_CLIENT_COMMANDS_H_
