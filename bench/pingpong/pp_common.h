// pp_common.h: the few helpers pp_server.c and pp_client.c share. Each
// program is one translation unit (`cc pp_server.c`), so these are static.
#ifndef GOXEL_BENCH_PINGPONG_PP_COMMON_H_
#define GOXEL_BENCH_PINGPONG_PP_COMMON_H_

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

// Prints "PROGRAM: WHAT: the errno text" and exits with status 1.
static inline void Fail(const char* what) {
  fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what,
          strerror(errno));
  exit(1);
}

// Prints the usage line and exits with status 2.
static inline void UsageExit(const char* usage) {
  fprintf(stderr, "usage: %s %s\n", program_invocation_short_name, usage);
  exit(2);
}

// The number `text` spells, which must lie in [low, high]; else UsageExit.
static inline double NumberArg(const char* text, double low, double high,
                               const char* usage) {
  char* end;
  double v = strtod(text, &end);
  if (end == text || *end != '\0' || !(v >= low && v <= high)) {
    UsageExit(usage);
  }
  return v;
}

// A stream socket (with `flags`, e.g. SOCK_NONBLOCK) and the address of
// `path` in *addr; exits with status 2 when the path does not fit.
static inline int UnixSocket(const char* path, int flags,
                             struct sockaddr_un* addr) {
  memset(addr, 0, sizeof *addr);
  addr->sun_family = AF_UNIX;
  if (strlen(path) >= sizeof addr->sun_path) {
    fprintf(stderr, "%s: socket path too long: %s\n",
            program_invocation_short_name, path);
    exit(2);
  }
  memcpy(addr->sun_path, path, strlen(path) + 1);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);
  if (fd < 0) Fail("socket");
  return fd;
}

#endif  // GOXEL_BENCH_PINGPONG_PP_COMMON_H_
