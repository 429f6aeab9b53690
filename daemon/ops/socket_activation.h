// Socket activation: a listening socket handed over by the service manager.
//
// systemd (and systemd-socket-activate) passes sockets as fds from 3 on,
// with LISTEN_FDS=<count> and LISTEN_PID=<our pid>; libsystemd's
// sd_listen_fds() reads (and unsets) them. On macOS, launchd hands them over
// through launch_activate_socket("Listeners"), compiled only there.
//
// The daemon serves exactly one Unix stream socket, so more than one fd, or
// an fd that is not a listening AF_UNIX stream socket, is an error. A socket
// we did not create is never unlinked by us (the server only removes paths
// it bound itself).
//
// Thread contract: call once from main before any thread starts.
#ifndef GOXEL_OPS_SOCKET_ACTIVATION_H_
#define GOXEL_OPS_SOCKET_ACTIVATION_H_

#include <string>

#include "base/status.h"

namespace goxel::ops {

struct ActivatedSocket {
  int fd = -1;         // -1: not socket-activated, bind ourselves
  std::string path;    // the socket's path as bound by the manager, if known
  std::string source;  // "systemd" or "launchd"
};

// Looks for an inherited listening socket. Errors: ServerError naming what
// was handed over when it cannot be used.
Result<ActivatedSocket> TakeActivatedSocket();

}  // namespace goxel::ops

#endif  // GOXEL_OPS_SOCKET_ACTIVATION_H_
