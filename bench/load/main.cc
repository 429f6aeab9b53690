// goxel-bench: a closed-loop load generator for goxel-daemon (or any
// newline-framed JSON-RPC 2.0 server on a Unix socket). See UsageText() in
// options.cc and README.md in this folder.
#include <csignal>
#include <cstdio>
#include <string>

#include "load_run.h"
#include "options.h"

namespace goxel::bench {
namespace {

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20) {
      char buf[8];
      snprintf(buf, sizeof buf, "\\u%04x", u);
      out.append(buf);
    } else {
      out.push_back(c);
    }
  }
  return out + "\"";
}

void PrintReport(const Options& o, const RunResult& r) {
  auto us = [&](double q) {
    return static_cast<double>(r.latency.ValueAtQuantile(q)) / 1000.0;
  };
  double rps = r.seconds > 0 ? static_cast<double>(r.replies) / r.seconds : 0;
  printf(
      "{\"method\":%s,\"connections\":%d,\"pipeline\":%d,\"threads\":%d,"
      "\"requests\":%llu,\"errors\":%llu,\"error_replies\":%llu,"
      "\"seconds\":%.3f,\"rps\":%.0f,\"p50_us\":%.1f,\"p90_us\":%.1f,"
      "\"p99_us\":%.1f,\"p999_us\":%.1f,\"max_us\":%.1f}\n",
      JsonString(o.label).c_str(), o.connections, o.pipeline, o.threads,
      static_cast<unsigned long long>(r.replies),
      static_cast<unsigned long long>(r.errors),
      static_cast<unsigned long long>(r.error_replies), r.seconds, rps,
      us(0.50), us(0.90), us(0.99), us(0.999),
      static_cast<double>(r.latency.max_ns()) / 1000.0);
  fflush(stdout);
}

int Main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  Options options;
  std::string error;
  switch (ParseOptions(argc, argv, &options, &error)) {
    case ParseResult::kHelp:
      fputs(UsageText(), stdout);
      return 0;
    case ParseResult::kUsageError:
      fprintf(stderr, "goxel-bench: %s\n%s", error.c_str(), UsageText());
      return 2;
    case ParseResult::kOk:
      break;
  }
  RunResult result = RunLoad(options);
  if (!result.failure.empty()) {
    fprintf(stderr, "goxel-bench: %s\n", result.failure.c_str());
    return 1;
  }
  PrintReport(options, result);
  if (result.time_cap_hit) {
    fprintf(stderr, "goxel-bench: time cap of %.1f s reached before the end\n",
            options.max_seconds);
    return 1;
  }
  if (result.replies == 0) {
    fprintf(stderr, "goxel-bench: no reply was measured\n");
    return 1;
  }
  return result.errors > 0 || result.error_replies > 0 ? 3 : 0;
}

}  // namespace
}  // namespace goxel::bench

int main(int argc, char** argv) { return goxel::bench::Main(argc, argv); }
