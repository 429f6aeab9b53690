// rpc_probe: runs one path of rpc/ N times and nothing else, for counting
// its instructions with valgrind. Unlike wall-clock time on these shared
// machines, an instruction count is the same run after run, so it tells a
// small change in the code from a change in the machine:
//
//   valgrind --tool=cachegrind --cache-sim=no build/bench/rpc/rpc_probe ping
//   10000 valgrind --tool=cachegrind --cache-sim=no build/bench/rpc/rpc_probe
//   ping 0
//
// The difference of the two "I refs" totals, divided by N, is the path's
// cost (the second run counts the set-up alone). Paths:
//   ping      one ping request: framed, parsed, run and answered
//   batch     framer + envelope parse of the 100k-request batch (rpc_bench's
//             BM_EnvelopeParseLargeBatch)
//   frame     the framer over that batch
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "rpc/envelope.h"
#include "rpc/framer.h"
#include "rpc_inputs.h"

namespace goxel::rpc {
namespace {

int Usage() {
  std::fprintf(stderr, "usage: rpc_probe ping|batch|frame N\n");
  return 2;
}

int Main(int argc, char** argv) {
  if (argc != 3) return Usage();
  const std::string_view path = argv[1];
  char* rest = nullptr;
  const long n = std::strtol(argv[2], &rest, 10);
  if (*argv[2] == '\0' || *rest != '\0' || n < 0) return Usage();
  const MethodTable& table = Table();
  size_t sum = 0;  // printed, so that no run can be left out
  if (path == "ping") {
    const std::string request =
        R"({"jsonrpc":"2.0","method":"ping","id":12345})";
    std::string out;
    for (long i = 0; i < n; ++i) {
      Framer framer;
      Framer::Frame f = framer.Next(request);
      auto parsed = ParseRequestText(
          std::string_view(request).substr(f.begin, f.end - f.begin), table);
      out.clear();
      ExecuteText(*parsed, {}, {}, &out);
      sum += out.size();
    }
  } else if (path == "batch" || path == "frame") {
    const std::string input = LargeBatch(100000);
    for (long i = 0; i < n; ++i) {
      Framer framer;
      Framer::Frame f = framer.Next(input);
      if (path == "frame") {
        sum += f.end;
        continue;
      }
      auto parsed = ParseRequestText(
          std::string_view(input).substr(f.begin, f.end - f.begin), table);
      sum += parsed->items.size();
    }
  } else {
    return Usage();
  }
  std::printf("%zu\n", sum);
  return 0;
}

}  // namespace
}  // namespace goxel::rpc

int main(int argc, char** argv) { return goxel::rpc::Main(argc, argv); }
