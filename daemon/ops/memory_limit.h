// The memory limit in force and where it came from: performance.max_memory_mb
// when set (> 0); otherwise 75% of the cgroup's memory.max (the lowest on the
// way up from this process's cgroup, v2, or memory.limit_in_bytes, v1) when
// one is set; otherwise 75% of physical memory. The daemon refuses edits past
// it with -32006 (the engine's own bytes, voxel::EngineBytes, are what is
// compared), so the kernel's OOM killer never has to choose.
//
// Thread contract: pure functions of their arguments, except
// DefaultMemoryLimit, which probes the system once (thread-safe static).
#ifndef GOXEL_OPS_MEMORY_LIMIT_H_
#define GOXEL_OPS_MEMORY_LIMIT_H_

#include <cstdint>
#include <string>

namespace goxel::ops {

struct MemoryLimit {
  uint64_t bytes = 0;  // 0 only when nothing could be probed.
  // "performance.max_memory_mb", "cgroup memory.max <path> (75% of N MiB)"
  // or "physical memory (75% of N MiB)".
  std::string source;
};

// Where to look; tests point these at files of their own.
struct MemoryProbe {
  std::string proc_self_cgroup = "/proc/self/cgroup";
  std::string cgroup_root = "/sys/fs/cgroup";
  uint64_t physical_bytes = 0;  // 0: sysconf(_SC_PHYS_PAGES) * page size.
};

// The derived default (no max_memory_mb), from `probe`.
MemoryLimit DeriveMemoryLimit(const MemoryProbe& probe);

// The system's derived default, probed once per process.
const MemoryLimit& DefaultMemoryLimit();

// The limit in force for a configured performance.max_memory_mb (0: unset).
MemoryLimit ResolveMemoryLimit(int max_memory_mb);

}  // namespace goxel::ops

#endif  // GOXEL_OPS_MEMORY_LIMIT_H_
