#include "ops/memory_limit.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

namespace goxel::ops {
namespace {

constexpr uint64_t kPercent = 75;

// The first line of a file; empty when it cannot be read.
std::string FirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// A byte count from memory.max / memory.limit_in_bytes; 0 for "max", an
// unreadable file or v1's "no limit" (a value near 2^63).
uint64_t ParseLimit(const std::string& text) {
  if (text.empty() || text == "max") return 0;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (end == text.c_str() || v >= (uint64_t{1} << 62)) return 0;
  return v;
}

struct CgroupLimit {
  uint64_t bytes = 0;
  std::string file;
};

// The lowest limit from `dir` up to the root of the hierarchy.
CgroupLimit LowestUpwards(const std::string& root, std::string dir,
                          const char* file) {
  CgroupLimit best;
  for (;;) {
    const std::string path = root + dir + (dir == "/" ? "" : "/") + file;
    const uint64_t v = ParseLimit(FirstLine(path));
    if (v > 0 && (best.bytes == 0 || v < best.bytes)) best = {v, path};
    if (dir.empty() || dir == "/") break;
    const size_t slash = dir.rfind('/');
    dir = slash == 0 ? "/" : dir.substr(0, slash);
  }
  return best;
}

CgroupLimit ProbeCgroup(const MemoryProbe& probe) {
  std::ifstream in(probe.proc_self_cgroup);
  std::string line;
  CgroupLimit found;
  while (std::getline(in, line)) {
    // "0::/path" (v2) or "N:memory[,…]:/path" (v1).
    const size_t a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    const std::string controllers = line.substr(a + 1, b - a - 1);
    const std::string path = line.substr(b + 1);
    CgroupLimit l;
    if (controllers.empty()) {
      l = LowestUpwards(probe.cgroup_root, path, "memory.max");
    } else if (("," + controllers + ",").find(",memory,") !=
               std::string::npos) {
      l = LowestUpwards(probe.cgroup_root + "/memory", path,
                        "memory.limit_in_bytes");
    }
    if (l.bytes > 0 && (found.bytes == 0 || l.bytes < found.bytes)) found = l;
  }
  return found;
}

std::string Percent(uint64_t total) {
  return "(" + std::to_string(kPercent) + "% of " +
         std::to_string(total >> 20) + " MiB)";
}

}  // namespace

MemoryLimit DeriveMemoryLimit(const MemoryProbe& probe) {
  const CgroupLimit cg = ProbeCgroup(probe);
  if (cg.bytes > 0)
    return {cg.bytes / 100 * kPercent,
            "cgroup " + cg.file + " " + Percent(cg.bytes)};
  uint64_t physical = probe.physical_bytes;
  if (physical == 0) {
    const long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    if (pages > 0 && size > 0) physical = uint64_t(pages) * uint64_t(size);
  }
  if (physical == 0) return {0, "none (physical memory unknown)"};
  return {physical / 100 * kPercent, "physical memory " + Percent(physical)};
}

const MemoryLimit& DefaultMemoryLimit() {
  static const MemoryLimit limit = DeriveMemoryLimit(MemoryProbe{});
  return limit;
}

MemoryLimit ResolveMemoryLimit(int max_memory_mb) {
  if (max_memory_mb > 0)
    return {uint64_t(max_memory_mb) << 20, "performance.max_memory_mb"};
  return DefaultMemoryLimit();
}

}  // namespace goxel::ops
