#include "ops/pid_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

namespace goxel::ops {
namespace {

class PidFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/goxel-ops-pid-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/goxel-daemon.pid";
  }
  void TearDown() override {
    unlink(path_.c_str());
    rmdir(dir_.c_str());
  }
  std::string Contents() {
    std::ifstream in(path_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  std::string dir_, path_;
};

TEST_F(PidFileTest, WritesThePidWithMode0644) {
  mode_t old = umask(077);
  PidFile pid_file;
  Status s = pid_file.Acquire(path_, 12345);
  umask(old);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Contents(), "12345\n");
  struct stat st;
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  pid_file.Remove();
}

TEST_F(PidFileTest, SecondHolderIsRefusedWithTheRunningPid) {
  PidFile first;
  ASSERT_TRUE(first.Acquire(path_, 111).ok());
  PidFile second;
  Status s = second.Acquire(path_, 222);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "another goxel-daemon (pid 111) holds " + path_);
  EXPECT_FALSE(second.held());
  EXPECT_EQ(Contents(), "111\n");  // untouched
  first.Remove();
}

TEST_F(PidFileTest, ReadReportsPidAndWhetherItIsLocked) {
  PidFile holder;
  ASSERT_TRUE(holder.Acquire(path_, 4321).ok());
  Result<PidFile::Info> info = PidFile::Read(path_);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->pid, 4321);
  EXPECT_TRUE(info->locked);
  ASSERT_TRUE(holder.Update(9876).ok());
  EXPECT_EQ(PidFile::Read(path_)->pid, 9876);
  EXPECT_TRUE(PidFile::Read(path_)->locked);
  holder.Remove();
  EXPECT_EQ(access(path_.c_str(), F_OK), -1);
  Result<PidFile::Info> gone = PidFile::Read(path_);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().code(), StatusCode::kFileNotFound);
}

TEST_F(PidFileTest, StaleFileOfADeadProcessIsNotLockedAndCanBeTaken) {
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    PidFile p;
    _exit(p.Acquire(path_, getpid()).ok() ? 0 : 1);  // exits without Remove
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_EQ(WEXITSTATUS(status), 0);
  Result<PidFile::Info> info = PidFile::Read(path_);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->pid, child);
  EXPECT_FALSE(info->locked);
  PidFile next;
  ASSERT_TRUE(next.Acquire(path_, 55).ok());
  EXPECT_EQ(Contents(), "55\n");
  next.Remove();
}

TEST_F(PidFileTest, UnwritableDirectoryIsAnIoErrorNamingThePath) {
  PidFile p;
  Status s = p.Acquire(dir_ + "/no/such/dir/x.pid", 1);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_NE(s.message().find("/no/such/dir/x.pid"), std::string::npos);
}

}  // namespace
}  // namespace goxel::ops
