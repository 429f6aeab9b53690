// POSIX implementation of file_io.h.
#include "base/file_io.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <random>
#include <utility>

namespace goxel {
namespace {

Status ErrnoStatus(int err, const std::string& what, const std::string& path) {
  std::string msg = what + " " + path + ": " + std::strerror(err);
  StatusCode code = StatusCode::kIoError;
  if (err == ENOENT || err == ENOTDIR) code = StatusCode::kFileNotFound;
  if (err == EACCES || err == EPERM || err == EROFS) {
    code = StatusCode::kPermissionDenied;
  }
  if (err == ELOOP || err == EXDEV) {
    // A symlink where the checked path had none: swapped in since.
    code = StatusCode::kPermissionDenied;
    msg = what + " " + path +
          ": path changed while in use (a symlink or "
          "a directory outside the allowed roots appeared)";
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
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      if (fd_ >= 0) close(fd_);
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
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

// Reads the regular file open at `fd` (`path` for messages).
Result<std::vector<uint8_t>> ReadOpenFile(int fd, const std::string& path,
                                          int64_t max_bytes) {
  struct stat st;
  if (fstat(fd, &st) != 0) return ErrnoStatus(errno, "cannot stat", path);
  if (!S_ISREG(st.st_mode)) {
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
    const ssize_t n = read(fd, out.data() + done, out.size() - done);
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

constexpr int kReadFlags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;

std::string TempName(const std::string& base) {
  std::random_device rd;
  return base + ".tmp." + std::to_string(getpid()) + "." + std::to_string(rd());
}

// Writes `bytes` as `base` in the directory open at `dirfd` (`dir` for
// messages), atomically (see AtomicWriteFile).
Status AtomicWriteAt(int dirfd, const std::string& dir, const std::string& base,
                     std::span<const uint8_t> bytes, unsigned mode) {
  const std::string path = dir + "/" + base;
  std::string tmp = TempName(base);
  bool named = false;
  Fd fd(openat(dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, mode));
  if (fd.get() < 0) {
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL &&
        errno != ENOENT) {
      return ErrnoStatus(errno, "cannot create a file in", dir);
    }
    fd = Fd(openat(dirfd, tmp.c_str(),
                   O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
    if (fd.get() < 0)
      return ErrnoStatus(errno, "cannot create", dir + "/" + tmp);
    named = true;
  }
  Status s = WriteAll(fd.get(), bytes, path);
  if (s.ok() && fchmod(fd.get(), mode) != 0)
    s = ErrnoStatus(errno, "cannot chmod", path);
  if (s.ok() && fsync(fd.get()) != 0)
    s = ErrnoStatus(errno, "cannot fsync", path);
  if (s.ok() && !named) {
    // Give the unnamed file a name: through /proc (no privilege needed),
    // else AT_EMPTY_PATH (needs CAP_DAC_READ_SEARCH).
    const std::string proc = "/proc/self/fd/" + std::to_string(fd.get());
    if (linkat(AT_FDCWD, proc.c_str(), dirfd, tmp.c_str(), AT_SYMLINK_FOLLOW) !=
            0 &&
        linkat(fd.get(), "", dirfd, tmp.c_str(), AT_EMPTY_PATH) != 0) {
      s = ErrnoStatus(errno, "cannot link", dir + "/" + tmp);
    } else {
      named = true;
    }
  }
  if (s.ok() && close(fd.Release()) != 0)
    s = ErrnoStatus(errno, "cannot close", path);
  if (s.ok() && renameat(dirfd, tmp.c_str(), dirfd, base.c_str()) != 0) {
    s = ErrnoStatus(errno, "cannot rename over", path);
  }
  if (!s.ok()) {
    if (named) unlinkat(dirfd, tmp.c_str(), 0);
    return s;
  }
  if (fsync(dirfd) != 0)
    return ErrnoStatus(errno, "cannot fsync directory", dir);
  return Status::Ok();
}

// Opens the directory `rel` (relative, no "..", no symlinks expected) under
// the directory open at `rootfd`, refusing symlinks on the way.
Result<int> OpenDirBeneath(int rootfd, const std::string& root,
                           const std::string& rel) {
  const std::string shown = rel.empty() ? root : root + "/" + rel;
  const char* target = rel.empty() ? "." : rel.c_str();
  open_how how{};
  how.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  const long fd = syscall(SYS_openat2, rootfd, target, &how, sizeof how);
  if (fd >= 0) return static_cast<int>(fd);
  if (errno != ENOSYS && errno != EPERM && errno != E2BIG) {
    return ErrnoStatus(errno, "cannot open directory", shown);
  }
  // No openat2 (or a filter refuses it): walk one component at a time.
  Fd cur(dup(rootfd));
  if (cur.get() < 0) return ErrnoStatus(errno, "cannot open directory", root);
  size_t at = 0;
  while (at < rel.size()) {
    size_t slash = rel.find('/', at);
    if (slash == std::string::npos) slash = rel.size();
    const std::string part = rel.substr(at, slash - at);
    at = slash + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") return ErrnoStatus(EXDEV, "cannot open directory", shown);
    Fd next(openat(cur.get(), part.c_str(),
                   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (next.get() < 0) {
      // A symlink opened with O_NOFOLLOW|O_DIRECTORY may say ENOTDIR.
      struct stat st;
      const int err = errno;
      if (fstatat(cur.get(), part.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
          S_ISLNK(st.st_mode)) {
        return ErrnoStatus(ELOOP, "cannot open directory", shown);
      }
      return ErrnoStatus(err, "cannot open directory", shown);
    }
    cur = Fd(next.Release());
  }
  return cur.Release();
}

// Splits canonical `path` under canonical `root` into the directory between
// them (relative) and the base name.
Status SplitBeneath(const std::string& root, const std::string& path,
                    std::string* rel_dir, std::string* base) {
  if (!IsInside(path, root) || path == root) {
    return Status::Error(StatusCode::kPermissionDenied,
                         "path is outside its root: " + path)
        .With("path", path)
        .With("root", root);
  }
  std::string rel = path.substr(root == "/" ? 1 : root.size() + 1);
  const size_t slash = rel.rfind('/');
  *base = slash == std::string::npos ? rel : rel.substr(slash + 1);
  *rel_dir = slash == std::string::npos ? "" : rel.substr(0, slash);
  if (base->empty() || *base == "." || *base == "..") {
    return Status::InvalidParams("path names a directory: " + path)
        .With("path", path);
  }
  return Status::Ok();
}

Result<Fd*> OpenParentBeneath(const std::string& root, const std::string& path,
                              std::string* base, std::unique_ptr<Fd>* out) {
  std::string rel_dir;
  GOXEL_RETURN_IF_ERROR(SplitBeneath(root, path, &rel_dir, base));
  Fd rootfd(open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (rootfd.get() < 0)
    return ErrnoStatus(errno, "cannot open directory", root);
  auto dirfd = OpenDirBeneath(rootfd.get(), root, rel_dir);
  if (!dirfd.ok()) return dirfd.status();
  *out = std::make_unique<Fd>(*dirfd);
  return out->get();
}

bool PidRunning(long pid) {
  if (pid <= 0 || pid == getpid()) return false;
  return kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

// "<name>.tmp.<pid>.<digits>" → pid; -1 when the name is not one.
long TempFilePid(const char* name) {
  const std::string n(name);
  const size_t dot = n.rfind('.');
  if (dot == std::string::npos || dot + 1 == n.size()) return -1;
  for (size_t i = dot + 1; i < n.size(); ++i)
    if (!isdigit(static_cast<unsigned char>(n[i]))) return -1;
  const size_t dot2 = n.rfind('.', dot - 1);
  if (dot2 == std::string::npos || dot2 + 1 == dot || dot2 < 4) return -1;
  for (size_t i = dot2 + 1; i < dot; ++i)
    if (!isdigit(static_cast<unsigned char>(n[i]))) return -1;
  if (n.compare(dot2 - 4, 4, ".tmp") != 0) return -1;
  return std::strtol(n.c_str() + dot2 + 1, nullptr, 10);
}

void RemoveStaleIn(int dirfd, const std::string& dir, int depth,
                   int64_t* budget, std::vector<std::string>* removed) {
  DIR* d = fdopendir(dirfd);
  if (d == nullptr) {
    close(dirfd);
    return;
  }
  while (*budget > 0) {
    errno = 0;
    dirent* e = readdir(d);
    if (e == nullptr) break;
    --*budget;
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    struct stat st;
    if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      if (depth <= 0) continue;
      const int sub = openat(dirfd, e->d_name,
                             O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub >= 0)
        RemoveStaleIn(sub, dir + "/" + e->d_name, depth - 1, budget, removed);
      continue;
    }
    if (!S_ISREG(st.st_mode)) continue;
    const long pid = TempFilePid(e->d_name);
    if (pid < 0 || PidRunning(pid)) continue;
    if (unlinkat(dirfd, e->d_name, 0) == 0)
      removed->push_back(dir + "/" + e->d_name);
  }
  closedir(d);
}

}  // namespace

Result<std::vector<uint8_t>> ReadFileBytes(const std::string& path,
                                           int64_t max_bytes) {
  Fd fd(open(path.c_str(), kReadFlags));
  if (fd.get() < 0) return ErrnoStatus(errno, "cannot open", path);
  return ReadOpenFile(fd.get(), path, max_bytes);
}

Result<std::vector<uint8_t>> ReadFileBytesBeneath(const std::string& root,
                                                  const std::string& path,
                                                  int64_t max_bytes) {
  std::string base;
  std::unique_ptr<Fd> dir;
  auto dirfd = OpenParentBeneath(root, path, &base, &dir);
  if (!dirfd.ok()) return dirfd.status();
  Fd fd(openat((*dirfd)->get(), base.c_str(), kReadFlags | O_NOFOLLOW));
  if (fd.get() < 0) return ErrnoStatus(errno, "cannot open", path);
  return ReadOpenFile(fd.get(), path, max_bytes);
}

Status AtomicWriteFile(const std::string& path, std::span<const uint8_t> bytes,
                       unsigned mode) {
  const std::string dir = DirName(path);
  const size_t slash = path.rfind('/');
  const std::string base =
      slash == std::string::npos ? path : path.substr(slash + 1);
  Fd dfd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd.get() < 0) return ErrnoStatus(errno, "cannot open directory", dir);
  return AtomicWriteAt(dfd.get(), dir, base, bytes, mode);
}

Status AtomicWriteFileBeneath(const std::string& root, const std::string& path,
                              std::span<const uint8_t> bytes, unsigned mode) {
  std::string base;
  std::unique_ptr<Fd> dir;
  auto dirfd = OpenParentBeneath(root, path, &base, &dir);
  if (!dirfd.ok()) return dirfd.status();
  return AtomicWriteAt((*dirfd)->get(), DirName(path), base, bytes, mode);
}

bool PathIsInside(const std::string& path, const std::string& root) {
  return IsInside(path, root);
}

std::vector<std::string> RemoveStaleTempFiles(const std::string& dir,
                                              int max_depth,
                                              int64_t max_entries) {
  std::vector<std::string> removed;
  const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return removed;
  int64_t budget = max_entries;
  RemoveStaleIn(fd, dir, max_depth, &budget, &removed);
  return removed;
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
