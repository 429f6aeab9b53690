#include "methods/read_budget.h"

#include <atomic>
#include <string>

namespace goxel::methods {

namespace {

std::atomic<uint64_t> g_limit{0};
std::atomic<uint64_t> g_in_flight{0};

}  // namespace

void SetReadBudget(uint64_t bytes) {
  g_limit.store(bytes, std::memory_order_relaxed);
}
uint64_t ReadBudgetLimit() { return g_limit.load(std::memory_order_relaxed); }
uint64_t ReadBytesInFlight() {
  return g_in_flight.load(std::memory_order_relaxed);
}

Status ReadReservation::Reserve(uint64_t bytes, const char* what) {
  Release();
  return Grow(bytes, what);
}

Status ReadReservation::Grow(uint64_t bytes, const char* what) {
  const uint64_t limit = ReadBudgetLimit();
  uint64_t cur = g_in_flight.load(std::memory_order_relaxed);
  do {
    if (limit != 0 && (bytes > limit || cur > limit - bytes)) {
      return Status::ResourceExhausted(
                 std::string("read memory budget: the reply of ") + what +
                 " (about " + std::to_string((bytes_ + bytes) >> 10) +
                 " KiB) would take the replies being built past "
                 "performance.max_read_memory_mb (" +
                 std::to_string(limit >> 20) + " MiB; " +
                 std::to_string(cur >> 10) +
                 " KiB in flight). Retry later, or read in smaller pages "
                 "or regions")
          .With("limit", static_cast<int64_t>(limit))
          .With("requested", static_cast<int64_t>(bytes_ + bytes))
          .With("in_flight", static_cast<int64_t>(cur));
    }
  } while (!g_in_flight.compare_exchange_weak(cur, cur + bytes,
                                              std::memory_order_relaxed));
  bytes_ += bytes;
  return Status::Ok();
}

void ReadReservation::Release() {
  if (bytes_ == 0) return;
  g_in_flight.fetch_sub(bytes_, std::memory_order_relaxed);
  bytes_ = 0;
}

}  // namespace goxel::methods
