// goxel.add_voxel_batch in process: parse (ParseRequestText) + voxels
// decode + the edit + the reply, for one request of N voxels; items/s are
// voxels/s. The end-to-end figure through the socket is goxel-batch-bench's
// (bench/README.md).
//
//   build/bench/methods/batch_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "methods/goxel_methods.h"
#include "methods/workspace.h"
#include "rpc/envelope.h"
#include "rpc/method_table.h"
#include "voxel_batch.h"

namespace goxel::methods {
namespace {

struct Daemon {
  Workspace ws;
  rpc::MethodTable table;
  Daemon() {
    if (!RegisterGoxelMethods(&table, &ws).ok()) std::abort();
    std::string out;
    Run(R"({"jsonrpc":"2.0","method":"goxel.create_project","id":1})", &out);
  }
  void Run(const std::string& text, std::string* out) {
    auto parsed = rpc::ParseRequestText(text, table);
    rpc::ExecuteText(*parsed, {}, {}, out);
  }
};

Daemon& Shared() {
  static Daemon* d = new Daemon();
  return *d;
}

void BM_AddVoxelBatch(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const std::string request = VoxelBatchRequest(n, state.range(1) != 0, 2);
  Daemon& d = Shared();
  std::string out;
  for (auto _ : state) {
    out.clear();
    d.Run(request, &out);
    benchmark::DoNotOptimize(out.data());
  }
  if (out.find("\"added\":" + std::to_string(n)) == std::string::npos) {
    state.SkipWithError(("unexpected reply: " + out.substr(0, 200)).c_str());
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.SetBytesProcessed(state.iterations() * request.size());
}
BENCHMARK(BM_AddVoxelBatch)
    ->ArgNames({"voxels", "arrays"})
    ->Args({100000, 0})
    ->Args({100000, 1})
    ->Unit(benchmark::kMillisecond);

// Parse only (envelope + validation): the part the loop or a worker pays
// before the handler runs.
void BM_AddVoxelBatchParse(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const std::string request = VoxelBatchRequest(n, false, 2);
  Daemon& d = Shared();
  for (auto _ : state) {
    auto parsed = rpc::ParseRequestText(request, d.table);
    benchmark::DoNotOptimize(parsed.get());
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.SetBytesProcessed(state.iterations() * request.size());
}
BENCHMARK(BM_AddVoxelBatchParse)->Arg(100000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace goxel::methods
