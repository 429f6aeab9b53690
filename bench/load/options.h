// Command-line options of goxel-bench and the request templates they imply.
#ifndef GOXEL_BENCH_LOAD_OPTIONS_H_
#define GOXEL_BENCH_LOAD_OPTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace goxel::bench {

// One request body: the bytes sent are `prefix` + id + `suffix` (JSON-RPC
// mode), or `prefix` alone (raw mode, where `suffix` is empty and no id is
// written).
struct RequestTemplate {
  std::string prefix;
  std::string suffix;
};

struct Options {
  std::string socket_path = "/tmp/goxel-daemon.sock";
  int connections = 1;
  int pipeline = 1;
  int threads = 1;
  uint64_t requests = 0;   // Counted requests (count mode) when > 0.
  double duration_s = 0;   // Measured seconds (duration mode) when > 0.
  uint64_t warmup = 1000;  // Replies before measuring starts.
  double max_seconds = 0;  // Hard cap on the whole run.
  std::string method = "ping";
  std::string params;  // Raw JSON object or array; empty: no params.
  std::string file;    // File of request bodies, one per line.
  int raw_bytes = 0;   // Raw echo mode (line length) when > 0.
  std::string label;   // The "method" field of the report.
  std::vector<RequestTemplate> templates;
};

enum class ParseResult { kOk, kHelp, kUsageError };

// Parses argv into `options` and builds its request templates (reading the
// request file when one is given). On kUsageError, `error` says what was
// wrong in one line. Not thread-safe (uses getopt).
ParseResult ParseOptions(int argc, char** argv, Options* options,
                         std::string* error);

// The usage text printed by --help and after a usage error.
const char* UsageText();

}  // namespace goxel::bench

#endif  // GOXEL_BENCH_LOAD_OPTIONS_H_
