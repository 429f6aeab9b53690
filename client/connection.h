// Connection: one blocking Unix-socket connection to goxel-daemon with a
// deadline, and a reader that cuts replies out of the byte stream with the
// daemon's own Framer (so a reply split across reads, or several replies in
// one read, come out whole).
//
// Failures are Statuses carrying the exit code (exit_codes.h): connect
// errors (kExitConnect) name the socket path and a reason a person can act
// on; a missed deadline is kExitTimeout.
//
// Thread contract: not thread-safe; one Connection per thread.
#ifndef GOXEL_CLIENT_CONNECTION_H_
#define GOXEL_CLIENT_CONNECTION_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "rpc/framer.h"

namespace goxel::client {

using Clock = std::chrono::steady_clock;

// A point in time after which waiting stops; nullopt waits forever.
using Deadline = std::optional<Clock::time_point>;

// A deadline `seconds` from now; <= 0 means none.
Deadline DeadlineIn(double seconds);

// The explanation for a failed connect(2) errno, e.g. "no such file — is
// goxel-daemon running?". `path` is used to name the socket's group.
std::string ConnectErrorReason(int err, const std::string& path);

class Connection {
 public:
  Connection() = default;
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Connects to the socket at `path`, retrying while the daemon's backlog is
  // full, until `deadline`.
  Status Open(const std::string& path, Deadline deadline);

  // Writes all of `bytes`, waiting for room until `deadline`.
  Status SendAll(std::string_view bytes, Deadline deadline);

  // Half-closes the connection: the daemon sees end of input, answers what
  // it received and then closes.
  void ShutdownWrite();

  // The next complete JSON text from the daemon. kExitConnect when the
  // daemon closes first (`*eof` is set then, if given), kExitTimeout at the
  // deadline.
  Result<std::string> ReadText(Deadline deadline, bool* eof = nullptr);

  // Moves the next complete JSON text already received into `*text`; false
  // when none is complete yet. Error (exit 1) for bytes that are not JSON.
  Result<bool> TakeText(std::string* text);

  // Reads once (after waiting until readable or the deadline) into the
  // receive buffer. kExitConnect at end of stream (`*eof` set).
  Status Fill(Deadline deadline, bool* eof);

  int fd() const { return fd_; }
  const std::string& path() const { return path_; }

 private:
  int fd_ = -1;
  std::string path_;
  std::string buf_;
  rpc::Framer framer_{rpc::FramerLimits{1u << 30, 512}};
};

}  // namespace goxel::client

#endif  // GOXEL_CLIENT_CONNECTION_H_
