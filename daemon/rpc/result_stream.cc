#include "rpc/result_stream.h"

#include <atomic>

namespace goxel::rpc {

namespace {
std::atomic<uint64_t> g_live{0};
}  // namespace

ResultStream::ResultStream() { g_live.fetch_add(1, std::memory_order_relaxed); }
ResultStream::~ResultStream() {
  g_live.fetch_sub(1, std::memory_order_relaxed);
}

uint64_t LiveResultStreams() { return g_live.load(std::memory_order_relaxed); }

}  // namespace goxel::rpc
