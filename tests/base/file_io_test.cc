#include "base/file_io.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace goxel {
namespace {

namespace fs = std::filesystem;

class FileIoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/goxel_file_io_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = fs::canonical(tmpl).string();
    fs::create_directory(dir_ + "/data");
    fs::create_directory(dir_ + "/other");
    data_ = dir_ + "/data";
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Put(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
  }
  std::string dir_, data_;
};

std::vector<uint8_t> Bytes(const std::string& s) {
  return {s.begin(), s.end()};
}

TEST_F(FileIoTest, ReadsWholeFile) {
  Put(data_ + "/a.txt", "hello");
  Result<std::vector<uint8_t>> r = ReadFileBytes(data_ + "/a.txt", 100);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, Bytes("hello"));
}

TEST_F(FileIoTest, MissingFileIsFileNotFound) {
  auto r = ReadFileBytes(data_ + "/nope", 100);
  EXPECT_EQ(r.status().code(), StatusCode::kFileNotFound);
}

TEST_F(FileIoTest, TooLargeFileIsRefused) {
  Put(data_ + "/big", std::string(1000, 'x'));
  auto r = ReadFileBytes(data_ + "/big", 999);
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
}

TEST_F(FileIoTest, DirectoryIsNotAFile) {
  EXPECT_EQ(ReadFileBytes(data_, 100).status().code(),
            StatusCode::kInvalidParams);
}

TEST_F(FileIoTest, AtomicWriteReplacesAndSetsMode) {
  const std::string p = data_ + "/out.bin";
  Put(p, "old");
  ASSERT_TRUE(AtomicWriteFile(p, Bytes("new contents")).ok());
  auto r = ReadFileBytes(p, 100);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, Bytes("new contents"));
  struct stat st;
  ASSERT_EQ(stat(p.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  // No temporary file is left behind.
  int files = 0;
  for (auto& e : fs::directory_iterator(data_)) files += e.is_regular_file();
  EXPECT_EQ(files, 1);
}

TEST_F(FileIoTest, FailedWriteLeavesOldFileIntact) {
  // Renaming a file over a non-empty directory fails deterministically, even
  // as root: the target stays as it was and no temporary file remains.
  const std::string target = data_ + "/taken";
  fs::create_directory(target);
  Put(target + "/keep.txt", "keep");
  Status s = AtomicWriteFile(target, Bytes("x"));
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("rename"), std::string::npos) << s.ToString();
  EXPECT_TRUE(fs::is_directory(target));
  auto keep = ReadFileBytes(target + "/keep.txt", 100);
  ASSERT_TRUE(keep.ok());
  EXPECT_EQ(*keep, Bytes("keep"));
  int entries = 0;
  for (auto& e : fs::directory_iterator(data_)) entries += !e.path().empty();
  EXPECT_EQ(entries, 1);
}

TEST_F(FileIoTest, WriteIntoMissingDirectoryFails) {
  Status s = AtomicWriteFile(data_ + "/no/such/dir/f", Bytes("x"));
  EXPECT_EQ(s.code(), StatusCode::kFileNotFound) << s.ToString();
}

TEST_F(FileIoTest, RelativePathResolvesInsideDataDir) {
  Put(data_ + "/m.vox", "v");
  auto r = ResolvePath("m.vox", data_, {}, true);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, data_ + "/m.vox");
  auto fresh = ResolvePath("new.gox", data_, {}, false);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(*fresh, data_ + "/new.gox");
}

TEST_F(FileIoTest, DotDotLeavingRootsIsDenied) {
  Put(dir_ + "/other/secret", "s");
  auto r = ResolvePath("../other/secret", data_, {}, true);
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  ASSERT_NE(r.status().Find("allowed_roots"), nullptr);
  ASSERT_NE(r.status().Find("path"), nullptr);
  EXPECT_EQ(std::get<std::string>(*r.status().Find("path")), "../other/secret");
}

TEST_F(FileIoTest, AllowedRootsAdmitAbsolutePaths) {
  Put(dir_ + "/other/ok", "s");
  EXPECT_EQ(ResolvePath(dir_ + "/other/ok", data_, {}, true).status().code(),
            StatusCode::kPermissionDenied);
  auto r = ResolvePath(dir_ + "/other/ok", data_, {dir_ + "/other"}, true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, dir_ + "/other/ok");
}

TEST_F(FileIoTest, SymlinkLeavingRootsIsDenied) {
  Put(dir_ + "/other/target", "t");
  fs::create_symlink(dir_ + "/other/target", data_ + "/link");
  fs::create_directory_symlink(dir_ + "/other", data_ + "/dirlink");
  EXPECT_EQ(ResolvePath("link", data_, {}, true).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(ResolvePath("dirlink/new", data_, {}, false).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(ResolvePath("link", data_, {}, false).status().code(),
            StatusCode::kPermissionDenied);
}

TEST_F(FileIoTest, PrefixOfRootIsNotInside) {
  fs::create_directory(dir_ + "/data2");
  Put(dir_ + "/data2/f", "f");
  EXPECT_EQ(ResolvePath(dir_ + "/data2/f", data_, {}, true).status().code(),
            StatusCode::kPermissionDenied);
}

TEST_F(FileIoTest, MissingFileResolvesToFileNotFound) {
  EXPECT_EQ(ResolvePath("absent.gox", data_, {}, true).status().code(),
            StatusCode::kFileNotFound);
}

}  // namespace
}  // namespace goxel
