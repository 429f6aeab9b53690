// One daemon-wide budget of the bytes that replies of reads take while they
// are built (get_layer_voxels, get_voxels_region, read_grid, renders and
// exports returned as base64). Each reply is bounded on its own; this bounds
// their sum, so many concurrent large reads cannot together take memory
// without bound. A read estimates its reply before building it and reserves
// that much; past the budget it fails at once with -32006, data {limit,
// requested, in_flight}, and never waits (no worker is blocked). The
// reservation is released when the method hands its reply off; a streamed
// result (rpc/result_stream.h) holds its reservation, of what it really
// keeps (its compact page and the parts of text in flight), until it is
// sent or dropped, and grows it while the page is collected.
//
// The budget is performance.max_read_memory_mb, or by default a quarter of
// the memory limit in force (SetReadBudget, from the live settings).
//
// Thread contract: any thread; the counters are atomics.
#ifndef GOXEL_METHODS_READ_BUDGET_H_
#define GOXEL_METHODS_READ_BUDGET_H_

#include <cstdint>

#include "base/status.h"

namespace goxel::methods {

// Sets the budget in bytes (0: unbounded).
void SetReadBudget(uint64_t bytes);
uint64_t ReadBudgetLimit();
// Bytes reserved by reads being built now.
uint64_t ReadBytesInFlight();

// The reply bytes of `bytes` returned as base64: the encoded string, then
// its copy in the reply.
inline uint64_t Base64ReplyBytes(uint64_t bytes) {
  return (bytes + 2) / 3 * 4 * 2;
}

class ReadReservation {
 public:
  ReadReservation() = default;
  ReadReservation(const ReadReservation&) = delete;
  ReadReservation& operator=(const ReadReservation&) = delete;
  ~ReadReservation() { Release(); }

  // Reserves `bytes` for a reply of `what` (e.g. "get_layer_voxels"):
  // Ok, or -32006 when the reads in flight plus `bytes` would pass the
  // budget. A reservation holds at most one amount at a time.
  [[nodiscard]] Status Reserve(uint64_t bytes, const char* what);
  // Adds `bytes` to what this reservation holds (a result that grows as it
  // is built): Ok, or -32006 as Reserve (`requested` is then the new
  // total), keeping what was held.
  [[nodiscard]] Status Grow(uint64_t bytes, const char* what);
  uint64_t bytes() const { return bytes_; }
  void Release();

 private:
  uint64_t bytes_ = 0;
};

}  // namespace goxel::methods

#endif  // GOXEL_METHODS_READ_BUDGET_H_
