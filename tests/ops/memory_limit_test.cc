// The memory limit in force: configured, else 75% of the cgroup's limit
// (v2 memory.max, lowest on the way up; v1 memory.limit_in_bytes), else 75%
// of physical memory. The cgroup files here are mocks in a temp directory.
#include "ops/memory_limit.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace goxel::ops {
namespace {

class MockCgroup {
 public:
  MockCgroup() {
    char tmpl[] = "/tmp/goxel-memlimit-XXXXXX";
    root_ = mkdtemp(tmpl);
  }
  ~MockCgroup() { std::filesystem::remove_all(root_); }
  void Write(const std::string& rel, const std::string& text) {
    const std::filesystem::path p = root_ + "/" + rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  MemoryProbe Probe() const {
    MemoryProbe p;
    p.proc_self_cgroup = root_ + "/proc-self-cgroup";
    p.cgroup_root = root_ + "/cg";
    p.physical_bytes = uint64_t{8} << 30;
    return p;
  }
  const std::string& root() const { return root_; }

 private:
  std::string root_;
};

TEST(MemoryLimit, ConfiguredValueWins) {
  const MemoryLimit l = ResolveMemoryLimit(512);
  EXPECT_EQ(l.bytes, uint64_t{512} << 20);
  EXPECT_EQ(l.source, "performance.max_memory_mb");
}

TEST(MemoryLimit, CgroupV2MemoryMaxGivesThreeQuarters) {
  MockCgroup m;
  m.Write("proc-self-cgroup", "0::/system.slice/goxel.service\n");
  m.Write("cg/system.slice/goxel.service/memory.max", "1073741824\n");
  m.Write("cg/system.slice/memory.max", "max\n");
  const MemoryLimit l = DeriveMemoryLimit(m.Probe());
  EXPECT_EQ(l.bytes, uint64_t{1073741824} / 100 * 75);
  EXPECT_NE(l.source.find("goxel.service/memory.max"), std::string::npos)
      << l.source;
}

TEST(MemoryLimit, TheLowestLimitOnTheWayUpApplies) {
  MockCgroup m;
  m.Write("proc-self-cgroup", "0::/a/b\n");
  m.Write("cg/a/b/memory.max", "max\n");
  m.Write("cg/a/memory.max", "209715200\n");
  const MemoryLimit l = DeriveMemoryLimit(m.Probe());
  EXPECT_EQ(l.bytes, uint64_t{209715200} / 100 * 75);
}

TEST(MemoryLimit, CgroupV1LimitIsRead) {
  MockCgroup m;
  m.Write("proc-self-cgroup", "4:memory:/docker/x\n2:cpu:/docker/x\n");
  m.Write("cg/memory/docker/x/memory.limit_in_bytes", "536870912\n");
  EXPECT_EQ(DeriveMemoryLimit(m.Probe()).bytes, uint64_t{536870912} / 100 * 75);
}

TEST(MemoryLimit, WithoutACgroupLimitPhysicalMemoryIsUsed) {
  MockCgroup m;
  m.Write("proc-self-cgroup", "0::/user.slice\n");
  m.Write("cg/user.slice/memory.max", "max\n");
  const MemoryLimit l = DeriveMemoryLimit(m.Probe());
  EXPECT_EQ(l.bytes, (uint64_t{8} << 30) / 100 * 75);
  EXPECT_EQ(l.source.rfind("physical memory", 0), 0u) << l.source;
  // No cgroup file at all: the same fallback.
  MemoryProbe none = m.Probe();
  none.proc_self_cgroup = m.root() + "/absent";
  EXPECT_EQ(DeriveMemoryLimit(none).bytes, l.bytes);
}

TEST(MemoryLimit, TheSystemDefaultIsPositive) {
  EXPECT_GT(DefaultMemoryLimit().bytes, 0u);
  EXPECT_EQ(ResolveMemoryLimit(0).bytes, DefaultMemoryLimit().bytes);
}

}  // namespace
}  // namespace goxel::ops
