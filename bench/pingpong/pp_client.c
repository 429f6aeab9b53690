// pp_client: the yardstick's closed-loop load client, for newline-framed
// request/response servers on an AF_UNIX stream socket.
//
// C connections (-c) each keep P requests in flight (-P). With -c 1 -P 1 it
// uses blocking write() and read(), the cheapest sequential client; otherwise
// one thread drives every connection through epoll, reading once per
// readiness, answering each reply with the next request and writing them in
// one write() per connection.
//
//   -m raw    B-byte lines (-b, default 60, newline included) to an echo
//             server; a reply must be the same bytes.
//   -m json   {"jsonrpc":"2.0","method":M,"params":A,"id":N} (-M, default
//             ping; -A, none by default); a reply must be one JSON object
//             with a "result" member and "id" equal to an id in flight on its
//             connection (replies may come out of order).
//   -m redis  PING as a Redis inline command; a reply must be +PONG.
//
// Latency: from the clock read just before the write() that sends a request
// to the clock read after the read() that completed its reply. The first W
// replies (-W, default 2000) are warm-up, counted in neither latency nor
// throughput; throughput is counted replies over the time from the W-th reply
// to the last one. It stops by itself after W+N replies (-n, default 200000)
// or -t seconds (default 60), and prints one line:
//   LABEL conns=… pipeline=… msg=… counted=… secs=… rps=… mean_us=…
//   p50_us=… p90_us=… p99_us=… p999_us=… max_us=… errors=…
// Exit status: 0, 1 when it could not finish (connect, hang-up, time cap),
// 2 usage, 3 when any reply was wrong.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "pp_common.h"

enum { kBufSize = 256 * 1024, kMaxRequest = 4096, kMaxPipeline = 4096 };
typedef enum { kRaw, kJson, kRedis } Mode;

static struct {
  const char* socket;
  const char* label;
  const char* method;
  const char* params;
  Mode mode;
  int conns, pipeline, raw_bytes;
  uint64_t requests, warmup;
  double max_seconds;
} opt = {
    .label = "run",
    .method = "ping",
    .mode = kRaw,
    .conns = 1,
    .pipeline = 1,
    .raw_bytes = 60,
    .requests = 200000,
    .warmup = 2000,
    .max_seconds = 60,
};

// Run-wide counts.
static struct {
  uint64_t issued, completed, errors;
  uint64_t* latency_ns;  // one per counted reply
  uint64_t counted;
  uint64_t first_ns, last_ns;  // end of warm-up, last counted reply
  char raw_line[kMaxRequest];
} run;

// One slot per request a connection may have in flight. A json request's id
// is uses * P + slot + 1, uses counting the slot's earlier requests: ids are
// unique on a connection and name their slot, so the check is exact even when
// replies come out of order. Raw and redis replies come in order: request
// number k of a connection (from 0) takes slot k % P.
typedef struct {
  uint64_t id;   // of the request in flight, 0 when free
  uint64_t seq;  // its number on the connection, in sending order
  uint64_t uses;
  uint64_t sent_ns;
} Slot;

typedef struct {
  int fd;
  uint64_t sent;      // requests queued on this connection
  uint64_t answered;  // replies read on it
  Slot* slots;
  int* free_slots;  // json: stack of free slot indexes
  int free_len;
  int* unstamped;  // slots queued since the last write
  int unstamped_len;
  char in[kBufSize];
  size_t in_len;
  char out[kBufSize];
  size_t out_len, out_off;
  bool want_out;
} Conn;

static uint64_t NowNs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void* Alloc(size_t n) {
  void* p = calloc(1, n ? n : 1);
  if (p == NULL) Fail("out of memory");
  return p;
}

static int Connect(const char* path) {
  struct sockaddr_un addr;
  int fd = UnixSocket(path, 0, &addr);
  if (connect(fd, (struct sockaddr*)&addr, sizeof addr) != 0) Fail(path);
  return fd;
}

// Writes request `id` into `buf`; returns its length.
static size_t FormatRequest(char* buf, uint64_t id) {
  switch (opt.mode) {
    case kRaw:
      memcpy(buf, run.raw_line, (size_t)opt.raw_bytes);
      return (size_t)opt.raw_bytes;
    case kRedis:
      memcpy(buf, "PING\r\n", 6);
      return 6;
    case kJson:
      break;
  }
  int n =
      opt.params != NULL
          ? snprintf(buf, kMaxRequest,
                     "{\"jsonrpc\":\"2.0\",\"method\":\"%s\",\"params\":%s,"
                     "\"id\":%llu}\n",
                     opt.method, opt.params, (unsigned long long)id)
          : snprintf(buf, kMaxRequest,
                     "{\"jsonrpc\":\"2.0\",\"method\":\"%s\",\"id\":%llu}\n",
                     opt.method, (unsigned long long)id);
  return (size_t)n;
}

// A JSON-RPC reply line, as far as the client checks it.
typedef struct {
  bool has_result, has_error;
  uint64_t id;  // 0 when absent or not a positive integer
} Reply;

static const char* SkipSpace(const char* p, const char* end) {
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) p++;
  return p;
}

// `p` at a '"': returns the byte after the closing quote, or NULL.
static const char* SkipString(const char* p, const char* end) {
  for (p++; p < end; p++) {
    if (*p == '\\') {
      p++;
    } else if (*p == '"') {
      return p + 1;
    } else if ((unsigned char)*p < 0x20) {
      return NULL;
    }
  }
  return NULL;
}

// Skips one value (structure checked, scalars taken as tokens); NULL if bad.
static const char* SkipValue(const char* p, const char* end, int depth) {
  if (p >= end || depth > 64) return NULL;
  if (*p == '"') return SkipString(p, end);
  if (*p == '{' || *p == '[') {
    char close = *p == '{' ? '}' : ']';
    p = SkipSpace(p + 1, end);
    if (p < end && *p == close) return p + 1;
    for (;;) {
      if (close == '}') {
        if (p >= end || *p != '"' || !(p = SkipString(p, end))) return NULL;
        p = SkipSpace(p, end);
        if (p >= end || *p != ':') return NULL;
        p = SkipSpace(p + 1, end);
      }
      if (!(p = SkipValue(p, end, depth + 1))) return NULL;
      p = SkipSpace(p, end);
      if (p < end && *p == close) return p + 1;
      if (p >= end || *p != ',') return NULL;
      p = SkipSpace(p + 1, end);
    }
  }
  const char* start = p;
  while (p < end && strchr(",}] \t\r\n", *p) == NULL) p++;
  return p > start ? p : NULL;
}

// Scans a top-level object for its "id", "result" and "error" members.
static bool ScanReply(const char* line, size_t len, Reply* out) {
  const char* end = line + len;
  const char* p = SkipSpace(line, end);
  *out = (Reply){0};
  if (p >= end || *p != '{') return false;
  p = SkipSpace(p + 1, end);
  if (p < end && *p == '}') return SkipSpace(p + 1, end) == end;
  for (;;) {
    const char* key = p;
    if (p >= end || *p != '"' || !(p = SkipString(p, end))) return false;
    size_t key_len = (size_t)(p - key);
    p = SkipSpace(p, end);
    if (p >= end || *p != ':') return false;
    p = SkipSpace(p + 1, end);
    const char* value = p;
    if (!(p = SkipValue(p, end, 1))) return false;
    if (key_len == 4 && memcmp(key, "\"id\"", 4) == 0) {
      uint64_t id = 0;
      const char* d = value;
      while (d < p && *d >= '0' && *d <= '9' && id < UINT64_MAX / 10) {
        id = id * 10 + (uint64_t)(*d++ - '0');
      }
      out->id = d == p ? id : 0;
    } else if (key_len == 8 && memcmp(key, "\"result\"", 8) == 0) {
      out->has_result = true;
    } else if (key_len == 7 && memcmp(key, "\"error\"", 7) == 0) {
      out->has_error = true;
    }
    p = SkipSpace(p, end);
    if (p < end && *p == '}') return SkipSpace(p + 1, end) == end;
    if (p >= end || *p != ',') return false;
    p = SkipSpace(p + 1, end);
  }
}

// True when `line` (newline included) is a right reply for the mode; in json
// mode stores the reply's id in *id (0 when it has none).
static bool GoodReply(const char* line, size_t len, uint64_t* id) {
  switch (opt.mode) {
    case kRaw:
      return len == (size_t)opt.raw_bytes &&
             memcmp(line, run.raw_line, len) == 0;
    case kRedis:
      return len == 7 && memcmp(line, "+PONG\r\n", 7) == 0;
    case kJson:
      break;
  }
  Reply reply;
  if (!ScanReply(line, len, &reply)) return false;
  *id = reply.id;
  return reply.has_result && !reply.has_error && reply.id != 0;
}

static void Record(uint64_t sent_ns, uint64_t done_ns) {
  run.completed++;
  if (run.completed == opt.warmup) run.first_ns = done_ns;
  if (run.completed <= opt.warmup || run.counted == opt.requests) return;
  run.latency_ns[run.counted++] = done_ns - sent_ns;
  run.last_ns = done_ns;
}

static int CompareU64(const void* a, const void* b) {
  uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;
  return (x > y) - (x < y);
}

static double PercentileUs(double q) {  // nearest rank
  if (run.counted == 0) return 0;
  uint64_t rank = (uint64_t)(q * (double)run.counted + 0.999999);
  if (rank < 1) rank = 1;
  return (double)run.latency_ns[rank - 1] / 1e3;
}

static void Report(void) {
  qsort(run.latency_ns, run.counted, sizeof(uint64_t), CompareU64);
  double secs =
      run.last_ns > run.first_ns ? (run.last_ns - run.first_ns) / 1e9 : 0;
  double sum = 0;
  for (uint64_t i = 0; i < run.counted; i++) sum += (double)run.latency_ns[i];
  static const char* kModeNames[] = {"raw", "json", "redis"};
  printf(
      "%s conns=%d pipeline=%d msg=%s counted=%llu secs=%.3f rps=%.0f "
      "mean_us=%.1f p50_us=%.1f p90_us=%.1f p99_us=%.1f p999_us=%.1f "
      "max_us=%.1f errors=%llu\n",
      opt.label, opt.conns, opt.pipeline, kModeNames[opt.mode],
      (unsigned long long)run.counted, secs, secs > 0 ? run.counted / secs : 0,
      run.counted ? sum / run.counted / 1e3 : 0, PercentileUs(0.5),
      PercentileUs(0.9), PercentileUs(0.99), PercentileUs(0.999),
      run.counted ? run.latency_ns[run.counted - 1] / 1e3 : 0,
      (unsigned long long)run.errors);
  fflush(stdout);
}

static uint64_t Total(void) { return opt.warmup + opt.requests; }

// -c 1 -P 1: write a request, read until its reply line, repeat.
static bool RunBlocking(void) {
  int fd = Connect(opt.socket);
  static char in[kBufSize];
  char request[kMaxRequest];
  size_t have = 0;
  uint64_t deadline = NowNs() + (uint64_t)(opt.max_seconds * 1e9);
  for (uint64_t id = 1; id <= Total(); id++) {
    size_t n = FormatRequest(request, id);
    uint64_t sent = NowNs();
    for (size_t off = 0; off < n;) {
      ssize_t w = write(fd, request + off, n - off);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) Fail("write");
      off += (size_t)w;
    }
    char* nl;
    while ((nl = memchr(in, '\n', have)) == NULL) {
      if (have == sizeof in) {
        fprintf(stderr, "pp_client: reply line over %d bytes\n", kBufSize);
        return false;
      }
      ssize_t r = read(fd, in + have, sizeof in - have);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) Fail("read");
      if (r == 0) {
        fprintf(stderr, "pp_client: server closed the connection\n");
        return false;
      }
      have += (size_t)r;
    }
    uint64_t done = NowNs();
    size_t len = (size_t)(nl - in) + 1;
    uint64_t reply_id = 0;
    if (!GoodReply(in, len, &reply_id) ||
        (opt.mode == kJson && reply_id != id)) {
      run.errors++;
    }
    memmove(in, in + len, have - len);
    have -= len;
    Record(sent, done);
    if (done > deadline) {
      fprintf(stderr, "pp_client: time cap of %g s reached\n", opt.max_seconds);
      return false;
    }
  }
  close(fd);
  return true;
}

// Queues the next request on `c` into a free slot (stamped at the next write).
static void Send(Conn* c) {
  int slot = opt.mode == kJson ? c->free_slots[--c->free_len]
                               : (int)(c->sent % (uint64_t)opt.pipeline);
  Slot* s = &c->slots[slot];
  s->seq = c->sent++;
  uint64_t id = s->uses++ * (uint64_t)opt.pipeline + (uint64_t)slot + 1;
  s->id = id;
  c->unstamped[c->unstamped_len++] = slot;
  c->out_len += FormatRequest(c->out + c->out_len, id);
  run.issued++;
}

// Which slot a reply answers: raw and redis, the oldest in flight; json, the
// one its id names, else (no id, or none in flight) the oldest. -1 if none.
static int ReplySlot(const Conn* c, uint64_t id) {
  if (opt.mode != kJson) {
    if (c->answered == c->sent) return -1;
    return (int)(c->answered % (uint64_t)opt.pipeline);
  }
  if (id >= 1) {
    int slot = (int)((id - 1) % (uint64_t)opt.pipeline);
    if (c->slots[slot].id == id) return slot;
  }
  // Unmatched: count it against the oldest request in flight.
  int oldest = -1;
  for (int s = 0; s < opt.pipeline; s++) {
    if (c->slots[s].id != 0 &&
        (oldest < 0 || c->slots[s].seq < c->slots[oldest].seq)) {
      oldest = s;
    }
  }
  return oldest;
}

// Stamps the queued requests and writes; false when the write would block.
static bool Flush(Conn* c) {
  if (c->unstamped_len > 0) {
    uint64_t now = NowNs();
    for (int i = 0; i < c->unstamped_len; i++) {
      c->slots[c->unstamped[i]].sent_ns = now;
    }
    c->unstamped_len = 0;
  }
  while (c->out_off < c->out_len) {
    ssize_t w = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
    if (w > 0) {
      c->out_off += (size_t)w;
    } else if (w < 0 && errno == EINTR) {
      continue;
    } else if (w < 0 && errno == EAGAIN) {
      // Keep only unsent bytes, so the buffer never holds more than P requests.
      memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
      c->out_len -= c->out_off;
      c->out_off = 0;
      return false;
    } else {
      Fail("write");
    }
  }
  c->out_off = c->out_len = 0;
  return true;
}

static void SetWatch(int epoll_fd, Conn* c, bool want_out) {
  if (c->want_out == want_out) return;
  c->want_out = want_out;
  struct epoll_event ev = {.events = EPOLLIN | (want_out ? EPOLLOUT : 0),
                           .data.ptr = c};
  if (epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c->fd, &ev) != 0) Fail("epoll_ctl");
}

// Reads once and handles every complete reply; false on hang-up.
static bool OnReadable(Conn* c) {
  ssize_t r = read(c->fd, c->in + c->in_len, sizeof c->in - c->in_len);
  if (r < 0 && (errno == EAGAIN || errno == EINTR)) return true;
  if (r < 0) Fail("read");
  if (r == 0) {
    fprintf(stderr, "pp_client: server closed a connection\n");
    return false;
  }
  uint64_t done = NowNs();
  c->in_len += (size_t)r;
  char* start = c->in;
  char* end = c->in + c->in_len;
  char* nl;
  while ((nl = memchr(start, '\n', (size_t)(end - start))) != NULL) {
    size_t len = (size_t)(nl - start) + 1;
    uint64_t id = 0;
    bool good = GoodReply(start, len, &id);
    int slot = ReplySlot(c, id);
    if (slot < 0) {
      fprintf(stderr, "pp_client: a reply with no request in flight\n");
      return false;
    }
    if (!good || (opt.mode == kJson && c->slots[slot].id != id)) run.errors++;
    Record(c->slots[slot].sent_ns, done);
    c->answered++;
    c->slots[slot].id = 0;
    if (opt.mode == kJson) c->free_slots[c->free_len++] = slot;
    if (run.issued < Total()) Send(c);
    start = nl + 1;
  }
  c->in_len = (size_t)(end - start);
  memmove(c->in, start, c->in_len);
  if (c->in_len == sizeof c->in) {
    fprintf(stderr, "pp_client: reply line over %d bytes\n", kBufSize);
    return false;
  }
  return true;
}

static bool RunEpoll(void) {
  int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) Fail("epoll_create1");
  Conn* conns = Alloc((size_t)opt.conns * sizeof(Conn));
  for (int i = 0; i < opt.conns; i++) {
    Conn* c = &conns[i];
    c->fd = Connect(opt.socket);
    fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
    c->slots = Alloc((size_t)opt.pipeline * sizeof(Slot));
    c->free_slots = Alloc((size_t)opt.pipeline * sizeof(int));
    c->unstamped = Alloc((size_t)opt.pipeline * sizeof(int));
    for (int s = opt.pipeline - 1; s >= 0; s--)
      c->free_slots[c->free_len++] = s;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, c->fd, &ev) != 0) Fail("epoll_ctl");
  }
  for (int i = 0; i < opt.conns; i++) {
    for (int k = 0; k < opt.pipeline && run.issued < Total(); k++) {
      Send(&conns[i]);
    }
    if (!Flush(&conns[i])) SetWatch(epoll_fd, &conns[i], true);
  }
  uint64_t deadline = NowNs() + (uint64_t)(opt.max_seconds * 1e9);
  struct epoll_event events[1024];
  bool ok = true;
  while (ok && run.completed < Total()) {
    int n = epoll_wait(epoll_fd, events, 1024, 1000);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) Fail("epoll_wait");
    if (NowNs() > deadline) {
      fprintf(stderr, "pp_client: time cap of %g s reached\n", opt.max_seconds);
      ok = false;
    }
    for (int e = 0; e < n && ok; e++) {
      Conn* c = events[e].data.ptr;
      if (events[e].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        ok = OnReadable(c);
      }
      if (ok) SetWatch(epoll_fd, c, !Flush(c));
    }
  }
  for (int i = 0; i < opt.conns; i++) close(conns[i].fd);
  close(epoll_fd);
  return ok;
}

static const char kUsage[] =
    "-s SOCKET [-c CONNS] [-P IN_FLIGHT] [-n REQUESTS] [-W WARMUP] "
    "[-t MAX_SECONDS] [-m raw|json|redis] [-b BYTES] [-L LABEL] [-M METHOD] "
    "[-A PARAMS_JSON]";

int main(int argc, char** argv) {
  int o;
  while ((o = getopt(argc, argv, "s:c:P:n:W:t:m:b:L:M:A:")) != -1) {
    switch (o) {
      case 's':
        opt.socket = optarg;
        break;
      case 'c':
        opt.conns = (int)NumberArg(optarg, 1, 10000, kUsage);
        break;
      case 'P':
        opt.pipeline = (int)NumberArg(optarg, 1, kMaxPipeline, kUsage);
        break;
      case 'n':
        opt.requests = (uint64_t)NumberArg(optarg, 1, 1e9, kUsage);
        break;
      case 'W':
        opt.warmup = (uint64_t)NumberArg(optarg, 0, 1e9, kUsage);
        break;
      case 't':
        opt.max_seconds = NumberArg(optarg, 1e-3, 1e6, kUsage);
        break;
      case 'b':
        opt.raw_bytes = (int)NumberArg(optarg, 2, kMaxRequest - 1, kUsage);
        break;
      case 'L':
        opt.label = optarg;
        break;
      case 'M':
        opt.method = optarg;
        break;
      case 'A':
        opt.params = optarg;
        break;
      case 'm':
        if (strcmp(optarg, "raw") == 0) {
          opt.mode = kRaw;
        } else if (strcmp(optarg, "json") == 0) {
          opt.mode = kJson;
        } else if (strcmp(optarg, "redis") == 0) {
          opt.mode = kRedis;
        } else {
          UsageExit(kUsage);
        }
        break;
      default:
        UsageExit(kUsage);
    }
  }
  // A json request is at most ~100 bytes plus the method and params.
  if (opt.socket == NULL || optind != argc || strlen(opt.method) > 512 ||
      (opt.params != NULL && strlen(opt.params) > kMaxRequest - 700) ||
      strpbrk(opt.method, "\"\\\n") != NULL ||
      (opt.params != NULL && strchr(opt.params, '\n') != NULL)) {
    UsageExit(kUsage);
  }
  for (int i = 0; i < opt.raw_bytes - 1; i++)
    run.raw_line[i] = (char)('a' + i % 26);
  run.raw_line[opt.raw_bytes - 1] = '\n';
  // One connection's P unsent requests fit its output buffer.
  char longest[kMaxRequest];
  if ((size_t)opt.pipeline * FormatRequest(longest, UINT64_MAX) > kBufSize) {
    fprintf(stderr, "pp_client: -P %d requests do not fit %d bytes\n",
            opt.pipeline, kBufSize);
    return 2;
  }
  run.latency_ns = Alloc(opt.requests * sizeof(uint64_t));
  if (opt.warmup == 0) run.first_ns = NowNs();

  bool finished =
      opt.conns == 1 && opt.pipeline == 1 ? RunBlocking() : RunEpoll();
  Report();
  if (!finished) return 1;
  return run.errors ? 3 : 0;
}
