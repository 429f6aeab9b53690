// Files at the edge: whole-file reads, atomic writes, and the path policy
// that keeps every path inside the allowed roots.
//
// Thread contract: thread-safe (no shared state); concurrent writes to the
// same path each stay atomic, the last rename wins.
#ifndef GOXEL_BASE_FILE_IO_H_
#define GOXEL_BASE_FILE_IO_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"

namespace goxel {

// Reads the whole file at `path`. Only regular files are read: the file is
// opened with O_NONBLOCK, so a FIFO or a device never blocks the caller, and
// anything but a regular file is kInvalidParams "not a regular file".
// Errors: kFileNotFound (ENOENT, ENOTDIR),
// kPermissionDenied (EACCES, EPERM), kInvalidParams when not a regular file,
// kResourceExhausted when larger than max_bytes (checked before reading),
// kIoError otherwise. Details carry {path, errno text}.
Result<std::vector<uint8_t>> ReadFileBytes(const std::string& path,
                                           int64_t max_bytes);

// Replaces `path` atomically with `bytes`: writes an unnamed file
// (O_TMPFILE) in the same directory, fsyncs it, links it under a temporary
// name (`<name>.tmp.<pid>.<random>`), renames that over `path`, fsyncs the
// directory. A crash while writing leaves no file behind; only a crash in
// the instant between link and rename leaves a temporary name, which
// RemoveStaleTempFiles removes at the next start. Where the file system has
// no O_TMPFILE the data is written under the temporary name directly.
// The file gets `mode` (default 0640). On any failure the temporary file is
// removed, the previous file at `path` is left untouched, and the Status
// (kPermissionDenied, kFileNotFound for a missing directory, kIoError for
// ENOSPC and the rest) names the failing step and errno's text.
Status AtomicWriteFile(const std::string& path, std::span<const uint8_t> bytes,
                       unsigned mode = 0640);

// Confined variants: `path` is a canonical absolute path (ResolvePath's
// result) inside the canonical directory `root`. Every directory between
// them is opened relative to the one before, refusing symlinks
// (openat2 RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS where the kernel has it, else
// an O_NOFOLLOW walk), so a directory swapped for a symlink after
// ResolvePath checked the path cannot lead the read or write outside
// `root`: such a swap fails with kPermissionDenied "path changed while in
// use". The last component is never followed either.
Result<std::vector<uint8_t>> ReadFileBytesBeneath(const std::string& root,
                                                  const std::string& path,
                                                  int64_t max_bytes);
Status AtomicWriteFileBeneath(const std::string& root, const std::string& path,
                              std::span<const uint8_t> bytes,
                              unsigned mode = 0640);

// True when `path` equals `root` or lies under it (whole components).
bool PathIsInside(const std::string& path, const std::string& root);

// Removes temporary files AtomicWriteFile left behind when its process died
// (`<name>.tmp.<pid>.<digits>` whose pid is not running, or is this
// process: call before this process writes). Walks `dir` at most
// `max_depth` levels deep and looks at most at `max_entries` entries, never
// following symlinks. Returns the paths removed.
std::vector<std::string> RemoveStaleTempFiles(const std::string& dir,
                                              int max_depth,
                                              int64_t max_entries);

// Resolves `requested` under the path policy and returns the canonical
// absolute path. Relative paths resolve against data_dir. The result must lie
// inside data_dir or one of allowed_roots (compared after resolving symlinks
// and "..", by whole path components). With must_exist the file must exist
// (kFileNotFound otherwise); without, the parent directory must exist and is
// what gets resolved, so new files can be named. Errors: kPermissionDenied
// with details {path, allowed_roots} when outside, kFileNotFound,
// kInvalidParams for an empty path or one containing a NUL byte.
Result<std::string> ResolvePath(const std::string& requested,
                                const std::string& data_dir,
                                const std::vector<std::string>& allowed_roots,
                                bool must_exist);

}  // namespace goxel

#endif  // GOXEL_BASE_FILE_IO_H_
