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

// Reads the whole file at `path`. Errors: kFileNotFound (ENOENT, ENOTDIR),
// kPermissionDenied (EACCES, EPERM), kInvalidParams when it is a directory,
// kResourceExhausted when larger than max_bytes (checked before reading),
// kIoError otherwise. Details carry {path, errno text}.
Result<std::vector<uint8_t>> ReadFileBytes(const std::string& path,
                                           int64_t max_bytes);

// Replaces `path` atomically with `bytes`: writes a temporary file in the
// same directory, fsyncs it, renames it over `path`, fsyncs the directory.
// The file gets `mode` (default 0640). On any failure the temporary file is
// removed, the previous file at `path` is left untouched, and the Status
// (kPermissionDenied, kFileNotFound for a missing directory, kIoError for
// ENOSPC and the rest) names the failing step and errno's text.
Status AtomicWriteFile(const std::string& path, std::span<const uint8_t> bytes,
                       unsigned mode = 0640);

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
