// Framer and envelope throughput: MB/s over pipelined small requests and
// over large batches, and ns per request for the whole parse + execute +
// reply path of a control method.
//
//   build/bench/rpc/rpc_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <string>

#include "rpc/envelope.h"
#include "rpc/framer.h"
#include "rpc/method_table.h"
#include "rpc_inputs.h"

namespace goxel::rpc {
namespace {

std::string PipelinedPings(int n) {
  std::string s;
  for (int i = 0; i < n; ++i)
    s +=
        R"({"jsonrpc":"2.0","method":"ping","id":)" + std::to_string(i) + "}\n";
  return s;
}

void BM_FramerPipelined(benchmark::State& state) {
  std::string input = PipelinedPings(10000);
  for (auto _ : state) {
    Framer framer;
    size_t texts = 0;
    for (;;) {
      auto f = framer.Next(input);
      if (f.kind == Framer::Kind::kNeedMore) break;
      ++texts;
    }
    benchmark::DoNotOptimize(texts);
  }
  state.SetBytesProcessed(state.iterations() * input.size());
}
BENCHMARK(BM_FramerPipelined);

void BM_FramerLargeBatch(benchmark::State& state) {
  std::string input = LargeBatch(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    Framer framer;
    auto f = framer.Next(input);
    benchmark::DoNotOptimize(f);
  }
  state.SetBytesProcessed(state.iterations() * input.size());
}
BENCHMARK(BM_FramerLargeBatch)->Arg(10000)->Arg(100000);

// Framer + envelope parse + execute + reply serialisation of a large batch.
void BM_FramerEnvelopeLargeBatch(benchmark::State& state) {
  std::string input = LargeBatch(static_cast<int>(state.range(0)));
  std::string out;
  for (auto _ : state) {
    Framer framer;
    auto f = framer.Next(input);
    auto parsed = ParseRequestText(
        std::string_view(input).substr(f.begin, f.end - f.begin), Table());
    out.clear();
    ExecuteText(*parsed, {}, {}, &out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * input.size());
  state.counters["ns_per_request"] = benchmark::Counter(
      static_cast<double>(state.iterations() * state.range(0)),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_FramerEnvelopeLargeBatch)->Arg(10000)->Arg(100000);

// Framer + envelope parse only (no execution).
void BM_EnvelopeParseLargeBatch(benchmark::State& state) {
  std::string input = LargeBatch(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    Framer framer;
    auto f = framer.Next(input);
    auto parsed = ParseRequestText(
        std::string_view(input).substr(f.begin, f.end - f.begin), Table());
    benchmark::DoNotOptimize(parsed.get());
  }
  state.SetBytesProcessed(state.iterations() * input.size());
}
BENCHMARK(BM_EnvelopeParseLargeBatch)->Arg(100000);

// One small control request, end to end as the loop runs it.
void BM_PingRequest(benchmark::State& state) {
  std::string input = R"({"jsonrpc":"2.0","method":"ping","id":12345})";
  std::string out;
  for (auto _ : state) {
    Framer framer;
    auto f = framer.Next(input);
    auto parsed = ParseRequestText(
        std::string_view(input).substr(f.begin, f.end - f.begin), Table());
    out.clear();
    ExecuteText(*parsed, {}, {}, &out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PingRequest);

}  // namespace
}  // namespace goxel::rpc
