// goxel-client's exit codes, and how a Status carries one.
//
// Every failure inside the client is a goxel::Status whose detail field
// "exit_code" says how the process ends; ExitCodeOf() reads it back.
// Thread contract: stateless functions; thread-safe.
#ifndef GOXEL_CLIENT_EXIT_CODES_H_
#define GOXEL_CLIENT_EXIT_CODES_H_

#include <string>

#include "base/status.h"

namespace goxel::client {

enum ExitCode : int {
  kExitOk = 0,        // the call succeeded (health: the daemon said ok)
  kExitRpcError = 1,  // the daemon answered with a JSON-RPC error
  kExitUsage = 2,     // malformed command line or params
  kExitConnect = 3,   // cannot connect, or the connection was lost
  kExitTimeout = 4,   // no reply within --timeout
};

// A non-OK Status that ends the process with `code`.
Status Fail(ExitCode code, std::string message);

// The exit code a Status asks for: 0 for OK, its "exit_code" detail when
// present, 1 otherwise.
int ExitCodeOf(const Status& status);

}  // namespace goxel::client

#endif  // GOXEL_CLIENT_EXIT_CODES_H_
