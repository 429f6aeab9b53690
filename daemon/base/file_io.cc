// POSIX implementation of file_io.h.
#include "base/file_io.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

namespace goxel {
namespace {

Status ErrnoStatus(int err, const std::string& what, const std::string& path) {
  std::string msg = what + " " + path + ": " + std::strerror(err);
  StatusCode code = StatusCode::kIoError;
  if (err == ENOENT || err == ENOTDIR) code = StatusCode::kFileNotFound;
  if (err == EACCES || err == EPERM || err == EROFS) {
    code = StatusCode::kPermissionDenied;
  }
  return Status::Error(code, std::move(msg))
      .With("path", path)
      .With("errno", std::string(std::strerror(err)));
}

// Closes fd on scope exit.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int Release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

std::string DirName(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status WriteAll(int fd, std::span<const uint8_t> bytes,
                const std::string& path) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus(errno, "cannot write", path);
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Result<std::string> RealPath(const std::string& path) {
  char buf[PATH_MAX];
  if (realpath(path.c_str(), buf) == nullptr) {
    return ErrnoStatus(errno, "cannot resolve", path);
  }
  return std::string(buf);
}

bool IsInside(const std::string& path, const std::string& root) {
  if (root == "/") return true;
  return path == root ||
         (path.size() > root.size() &&
          path.compare(0, root.size(), root) == 0 && path[root.size()] == '/');
}

}  // namespace

Result<std::vector<uint8_t>> ReadFileBytes(const std::string& path,
                                           int64_t max_bytes) {
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus(errno, "cannot open", path);
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return ErrnoStatus(errno, "cannot stat", path);
  if (S_ISDIR(st.st_mode)) {
    return Status::InvalidParams("not a regular file: " + path)
        .With("path", path);
  }
  if (st.st_size > max_bytes) {
    return Status::ResourceExhausted("file too large: " + path)
        .With("path", path)
        .With("size", static_cast<int64_t>(st.st_size))
        .With("max_bytes", max_bytes);
  }
  std::vector<uint8_t> out(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (true) {
    if (done == out.size()) {
      // The file may have grown since fstat: read on, within the cap.
      if (static_cast<int64_t>(out.size()) >= max_bytes) break;
      out.resize(std::min<size_t>(out.size() * 2 + 4096, max_bytes + 1));
    }
    const ssize_t n = read(fd.get(), out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus(errno, "cannot read", path);
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  out.resize(done);
  if (static_cast<int64_t>(done) > max_bytes) {
    return Status::ResourceExhausted("file too large: " + path)
        .With("path", path)
        .With("max_bytes", max_bytes);
  }
  return out;
}

Status AtomicWriteFile(const std::string& path, std::span<const uint8_t> bytes,
                       unsigned mode) {
  const std::string dir = DirName(path);
  std::random_device rd;
  const std::string tmp =
      path + ".tmp." + std::to_string(getpid()) + "." + std::to_string(rd());
  Fd fd(open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (fd.get() < 0) return ErrnoStatus(errno, "cannot create", tmp);
  Status s = WriteAll(fd.get(), bytes, tmp);
  if (s.ok() && fchmod(fd.get(), mode) != 0)
    s = ErrnoStatus(errno, "cannot chmod", tmp);
  if (s.ok() && fsync(fd.get()) != 0)
    s = ErrnoStatus(errno, "cannot fsync", tmp);
  if (s.ok() && close(fd.Release()) != 0)
    s = ErrnoStatus(errno, "cannot close", tmp);
  if (s.ok() && rename(tmp.c_str(), path.c_str()) != 0) {
    s = ErrnoStatus(errno, "cannot rename over", path);
  }
  if (!s.ok()) {
    unlink(tmp.c_str());
    return s;
  }
  Fd dfd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd.get() < 0 || fsync(dfd.get()) != 0) {
    return ErrnoStatus(errno, "cannot fsync directory", dir);
  }
  return Status::Ok();
}

Result<std::string> ResolvePath(const std::string& requested,
                                const std::string& data_dir,
                                const std::vector<std::string>& allowed_roots,
                                bool must_exist) {
  if (requested.empty() || requested.find('\0') != std::string::npos) {
    return Status::InvalidParams("empty or invalid path")
        .With("path", requested);
  }
  const std::string joined =
      requested[0] == '/' ? requested : data_dir + "/" + requested;
  std::string resolved;
  if (must_exist) {
    Result<std::string> r = RealPath(joined);
    if (!r.ok()) return r.status();
    resolved = *r;
  } else {
    const size_t slash = joined.rfind('/');
    const std::string base = joined.substr(slash + 1);
    if (base.empty() || base == "." || base == "..") {
      return Status::InvalidParams("path names a directory")
          .With("path", requested);
    }
    Result<std::string> parent =
        RealPath(slash == 0 ? "/" : joined.substr(0, slash));
    if (!parent.ok()) return parent.status();
    resolved = (*parent == "/" ? "" : *parent) + "/" + base;
    // An existing symlink as the last component is followed, then checked.
    struct stat st;
    if (lstat(resolved.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
      Result<std::string> target = RealPath(resolved);
      if (!target.ok()) return target.status();
      resolved = *target;
    }
  }
  std::vector<std::string> roots;
  for (const std::string& root : {data_dir}) roots.push_back(root);
  roots.insert(roots.end(), allowed_roots.begin(), allowed_roots.end());
  for (const std::string& root : roots) {
    Result<std::string> real = RealPath(root);
    if (real.ok() && IsInside(resolved, *real)) return resolved;
  }
  return Status::Error(StatusCode::kPermissionDenied,
                       "path is outside the allowed roots: " + requested)
      .With("path", requested)
      .With("allowed_roots", roots);
}

}  // namespace goxel
