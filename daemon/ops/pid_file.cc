#include "ops/pid_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace goxel::ops {
namespace {

Status Errno(const std::string& what, const std::string& path) {
  return Status::IoError(what + " " + path + ": " + std::strerror(errno))
      .With("path", path);
}

// The pid written in an open PID file; 0 when absent or malformed.
pid_t ReadPid(int fd) {
  char buf[32];
  ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return 0;
  long pid = 0;
  auto r = std::from_chars(buf, buf + n, pid);
  if (r.ec != std::errc() || pid <= 0) return 0;
  return static_cast<pid_t>(pid);
}

bool SameInode(int fd, const std::string& path) {
  struct stat a, b;
  return fstat(fd, &a) == 0 && stat(path.c_str(), &b) == 0 &&
         a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

// Writes "<pid>\n" to a new locked temporary file and renames it over
// `path`. Returns the temporary's descriptor (now `path`), still locked.
Result<int> WriteLocked(const std::string& path, pid_t pid) {
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  unlink(tmp.c_str());
  int fd = open(tmp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("cannot create", tmp);
  std::string text = std::to_string(pid) + "\n";
  bool ok = flock(fd, LOCK_EX | LOCK_NB) == 0 && fchmod(fd, 0644) == 0 &&
            write(fd, text.data(), text.size()) ==
                static_cast<ssize_t>(text.size()) &&
            fsync(fd) == 0 && rename(tmp.c_str(), path.c_str()) == 0;
  if (!ok) {
    Status s = Errno("cannot write PID file", path);
    close(fd);
    unlink(tmp.c_str());
    return s;
  }
  return fd;
}

}  // namespace

PidFile::~PidFile() {
  if (fd_ >= 0) close(fd_);
}

Status PidFile::Acquire(const std::string& path, pid_t pid) {
  if (fd_ >= 0) return Status::Internal("PID file already held: " + path_);
  int fd = -1;
  // Lock the inode currently at `path`; retry if it was replaced meanwhile.
  for (int attempt = 0; attempt < 10; ++attempt) {
    fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return Errno("cannot open PID file", path);
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK) {
        Status s = Errno("cannot lock PID file", path);
        close(fd);
        return s;
      }
      pid_t other = ReadPid(fd);
      close(fd);
      return Status::ServerError("another goxel-daemon (pid " +
                                 std::to_string(other) + ") holds " + path)
          .With("pid", static_cast<int64_t>(other))
          .With("path", path);
    }
    if (SameInode(fd, path)) break;
    close(fd);
    fd = -1;
  }
  if (fd < 0) return Status::IoError("PID file keeps changing: " + path);
  Result<int> written = WriteLocked(path, pid);
  close(fd);  // the new inode at `path` is locked by `written`
  if (!written.ok()) return written.status();
  fd_ = *written;
  path_ = path;
  return Status::Ok();
}

Status PidFile::Update(pid_t pid) {
  if (fd_ < 0) return Status::Internal("PID file not held");
  Result<int> written = WriteLocked(path_, pid);
  if (!written.ok()) return written.status();
  close(fd_);
  fd_ = *written;
  return Status::Ok();
}

void PidFile::Remove() {
  if (fd_ < 0) return;
  if (SameInode(fd_, path_)) unlink(path_.c_str());
  close(fd_);
  fd_ = -1;
}

Result<PidFile::Info> PidFile::Read(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      return Status::Error(StatusCode::kFileNotFound, "no PID file at " + path)
          .With("path", path);
    }
    return Errno("cannot read PID file", path);
  }
  Info info;
  info.pid = ReadPid(fd);
  if (flock(fd, LOCK_SH | LOCK_NB) != 0) {
    info.locked = errno == EWOULDBLOCK;
  } else {
    flock(fd, LOCK_UN);
  }
  close(fd);
  return info;
}

}  // namespace goxel::ops
