// goxel-batch-bench: one goxel.add_voxel_batch of N voxels through a running
// daemon, end to end: from the first byte sent to the reply's newline read.
// Runs W warm-up rounds, then R measured rounds, on one connection and
// prints one JSON line with the first round's time (cold: a fresh daemon's
// allocator and each worker's malloc arena take their memory from the kernel
// then, and page faults cost much on these VMs) and the measured rounds'
// median and best times and voxels/s. Exit 0, or 1 on a connection problem
// or a reply that is not {"result":{... "added":N ...}}.
//
//   goxel-batch-bench -s /tmp/goxel-daemon.sock [-n 100000] [-r 7] [-w 8]
//                     [--arrays]
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "voxel_batch.h"

namespace {

int Connect(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return -1;
  memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

bool SendAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = write(fd, s.data() + off, s.size() - off);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

// Reads one reply line (without the newline) into *line.
bool ReadLine(int fd, std::string* line) {
  line->clear();
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) return false;
    line->append(buf, static_cast<size_t>(n));
    if (line->back() == '\n') {
      line->pop_back();
      return true;
    }
  }
}

int Usage() {
  fprintf(stderr,
          "usage: goxel-batch-bench -s SOCKET [-n VOXELS] [-r ROUNDS] "
          "[-w WARMUP_ROUNDS] [--arrays]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string socket_path = "/tmp/goxel-daemon.sock";
  int voxels = 100000, rounds = 7, warmup = 8;
  bool arrays = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--arrays") {
      arrays = true;
    } else if ((a == "-s" || a == "-n" || a == "-r" || a == "-w") &&
               i + 1 < argc) {
      std::string v = argv[++i];
      if (a == "-s") socket_path = v;
      if (a == "-n") voxels = atoi(v.c_str());
      if (a == "-r") rounds = atoi(v.c_str());
      if (a == "-w") warmup = atoi(v.c_str());
    } else {
      return Usage();
    }
  }
  if (voxels < 1 || rounds < 1 || warmup < 0) return Usage();
  int fd = Connect(socket_path);
  if (fd < 0) {
    fprintf(stderr, "goxel-batch-bench: cannot connect to %s: %s\n",
            socket_path.c_str(), strerror(errno));
    return 1;
  }
  std::string line;
  // A project of our own, made active: the batches land there.
  if (!SendAll(fd, R"({"jsonrpc":"2.0","method":"goxel.create_project",)"
                   R"("params":{"name":"batch-bench"},"id":0})"
                   "\n") ||
      !ReadLine(fd, &line) || line.find("\"result\"") == std::string::npos) {
    fprintf(stderr, "goxel-batch-bench: create_project failed: %s\n",
            line.c_str());
    return 1;
  }
  std::vector<double> ms;
  double first_ms = 0;
  size_t bytes = 0;
  const std::string want = "\"added\":" + std::to_string(voxels);
  for (int r = 1; r <= warmup + rounds; ++r) {
    std::string request = VoxelBatchRequest(voxels, arrays, r) + "\n";
    bytes = request.size();
    auto t0 = std::chrono::steady_clock::now();
    if (!SendAll(fd, request) || !ReadLine(fd, &line)) {
      fprintf(stderr, "goxel-batch-bench: connection lost in round %d\n", r);
      return 1;
    }
    auto t1 = std::chrono::steady_clock::now();
    if (line.find("\"result\"") == std::string::npos ||
        line.find(want) == std::string::npos) {
      fprintf(stderr, "goxel-batch-bench: unexpected reply: %.300s\n",
              line.c_str());
      return 1;
    }
    const double t = std::chrono::duration<double, std::milli>(t1 - t0).count();
    if (r == 1) first_ms = t;
    if (r > warmup) ms.push_back(t);
  }
  close(fd);
  std::vector<double> sorted = ms;
  std::sort(sorted.begin(), sorted.end());
  double median = sorted[sorted.size() / 2];
  if (sorted.size() % 2 == 0) {
    median = (sorted[sorted.size() / 2 - 1] + sorted[sorted.size() / 2]) / 2;
  }
  printf(
      "{\"method\":\"goxel.add_voxel_batch\",\"voxels\":%d,\"form\":\"%s\","
      "\"warmup_rounds\":%d,\"rounds\":%d,\"request_bytes\":%zu,"
      "\"first_ms\":%.2f,\"median_ms\":%.2f,\"best_ms\":%.2f,"
      "\"median_voxels_per_s\":%.0f,\"best_voxels_per_s\":%.0f}\n",
      voxels, arrays ? "arrays" : "objects", warmup, rounds, bytes, first_ms,
      median, sorted[0], voxels / median * 1000, voxels / sorted[0] * 1000);
  return 0;
}
