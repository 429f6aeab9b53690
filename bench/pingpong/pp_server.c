// pp_server: the yardstick server. A newline-framed echo server on an AF_UNIX
// stream socket, the floor any Unix-socket request/response server on this
// machine can be compared with, in the same run.
//
//   inline  every line is answered on the single epoll loop thread (the floor);
//   worker  every line is copied into a job and handed to a worker thread
//           through a bounded queue (one mutex, one condvar); the worker
//           builds the reply and hands it back through a done list and an
//           eventfd whose writes are coalesced by a flag (one write per loop
//           wake-up, like uv_async_send). A job that finds the queue full is
//           answered at once by the loop with kFullLine.
//
// Usage: pp_server SOCKET inline|worker [-w WORKERS] [-q QUEUE] [-T SECONDS]
// With -w 0 nothing takes the queued lines: the first QUEUE lines are never
// answered and every later one gets kFullLine (a test of that answer).
// It stops by itself after SECONDS (default 600), or on SIGTERM or SIGINT,
// removes SOCKET and prints its counts on stderr.
//
// Bounds: a connection whose unsent replies pass kOutHigh bytes is not read
// until they drain; one whose line passes kLineMax bytes is closed.
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#include "pp_common.h"

enum {
  kReadChunk = 64 * 1024,  // bytes asked of one read()
  kOutHigh = 1024 * 1024,  // stop reading a connection above this backlog
  kLineMax = 1024 * 1024,  // longest request line accepted
  kMaxWorkers = 64,
  kMaxEvents = 256,
};
static const char kFullLine[] = "ERR queue full\n";

// Tags for the non-connection descriptors in epoll's data.u64; connections
// use their fd (always below 2^31).
static const uint64_t kTagListen = 1ull << 40;
static const uint64_t kTagWake = 2ull << 40;
static const uint64_t kTagSignal = 3ull << 40;
static const uint64_t kTagTimer = 4ull << 40;

typedef struct {
  char* data;
  size_t len;  // bytes held
  size_t off;  // bytes already consumed (sent, or parsed)
  size_t cap;
} Buf;

typedef struct {
  int fd;
  uint32_t gen;    // tells a reply for a closed fd from one for its reuse
  uint32_t watch;  // the epoll events currently asked for
  bool touched;    // in the loop's list of connections to flush
  Buf in;
  Buf out;
} Conn;

// A request on its way to a worker, or a reply on its way back.
typedef struct Job {
  struct Job* next;
  int fd;
  uint32_t gen;
  size_t len;
  char bytes[];
} Job;

// Loop thread only.
static struct {
  int epoll_fd;
  int listen_fd;
  int wake_fd;   // eventfd, worker mode only
  Conn** conns;  // by fd
  size_t conns_cap;
  uint32_t next_gen;
  int* touched;  // fds whose out buffer got replies from workers
  size_t touched_len, touched_cap;
  bool worker_mode;
  unsigned long long requests, full, wakeups, refused;
} loop;

// Shared by the loop and the workers.
static struct {
  pthread_mutex_t mu;
  pthread_cond_t nonempty;
  Job** ring;  // bounded FIFO of requests, guarded by mu
  size_t cap, head, count;
  bool stopping;  // guarded by mu
  pthread_mutex_t done_mu;
  Job* done_head;  // replies, guarded by done_mu
  Job* done_tail;
  atomic_bool wake_pending;  // an eventfd write is on its way
} pool = {
    .mu = PTHREAD_MUTEX_INITIALIZER,
    .nonempty = PTHREAD_COND_INITIALIZER,
    .cap = 1024,
    .done_mu = PTHREAD_MUTEX_INITIALIZER,
};

static void* CheckedRealloc(void* p, size_t n) {
  void* q = realloc(p, n);
  if (q == NULL) Fail("out of memory");
  return q;
}

static void BufReserve(Buf* b, size_t more) {
  if (b->off > 0 && b->len + more > b->cap) {  // reclaim consumed bytes first
    memmove(b->data, b->data + b->off, b->len - b->off);
    b->len -= b->off;
    b->off = 0;
  }
  if (b->len + more <= b->cap) return;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < b->len + more) cap *= 2;
  b->data = CheckedRealloc(b->data, cap);
  b->cap = cap;
}

static void BufAppend(Buf* b, const char* bytes, size_t n) {
  BufReserve(b, n);
  memcpy(b->data + b->len, bytes, n);
  b->len += n;
}

static size_t BufPending(const Buf* b) { return b->len - b->off; }

static void Watch(int fd, uint32_t events, uint64_t tag, int op) {
  struct epoll_event ev = {.events = events, .data.u64 = tag};
  if (epoll_ctl(loop.epoll_fd, op, fd, &ev) != 0) Fail("epoll_ctl");
}

// Asks epoll for input while the backlog is small, for output while any.
static void Rewatch(Conn* c) {
  uint32_t want = 0;
  if (BufPending(&c->out) < kOutHigh) want |= EPOLLIN;
  if (BufPending(&c->out) > 0) want |= EPOLLOUT;
  if (want == c->watch) return;
  c->watch = want;
  Watch(c->fd, want, (uint64_t)c->fd, EPOLL_CTL_MOD);
}

static void CloseConn(Conn* c) {
  epoll_ctl(loop.epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
  loop.conns[c->fd] = NULL;
  free(c->in.data);
  free(c->out.data);
  free(c);
}

// Writes what it can; false when the connection was closed.
static bool Flush(Conn* c) {
  while (BufPending(&c->out) > 0) {
    ssize_t n = write(c->fd, c->out.data + c->out.off, BufPending(&c->out));
    if (n > 0) {
      c->out.off += (size_t)n;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      break;
    } else {
      CloseConn(c);
      return false;
    }
  }
  if (BufPending(&c->out) == 0) c->out.len = c->out.off = 0;
  Rewatch(c);
  return true;
}

// Worker mode: queues a copy of the line, or answers kFullLine at once.
static void Submit(Conn* c, const char* line, size_t n) {
  Job* job = CheckedRealloc(NULL, sizeof(Job) + n);
  job->next = NULL;
  job->fd = c->fd;
  job->gen = c->gen;
  job->len = n;
  memcpy(job->bytes, line, n);
  pthread_mutex_lock(&pool.mu);
  bool queued = pool.count < pool.cap;
  if (queued) {
    pool.ring[(pool.head + pool.count) % pool.cap] = job;
    pool.count++;
    pthread_cond_signal(&pool.nonempty);
  }
  pthread_mutex_unlock(&pool.mu);
  if (!queued) {
    free(job);
    loop.full++;
    BufAppend(&c->out, kFullLine, sizeof(kFullLine) - 1);
  }
}

// One request line, newline included.
static void Answer(Conn* c, const char* line, size_t n) {
  loop.requests++;
  if (loop.worker_mode) {
    Submit(c, line, n);
  } else {
    BufAppend(&c->out, line, n);
  }
}

static void OnReadable(Conn* c) {
  BufReserve(&c->in, kReadChunk);
  ssize_t n = read(c->fd, c->in.data + c->in.len, c->in.cap - c->in.len);
  if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) {
    return;
  }
  if (n <= 0) {
    CloseConn(c);
    return;
  }
  c->in.len += (size_t)n;
  for (;;) {
    char* start = c->in.data + c->in.off;
    char* nl = memchr(start, '\n', BufPending(&c->in));
    if (nl == NULL) break;
    size_t line = (size_t)(nl - start) + 1;
    Answer(c, start, line);
    c->in.off += line;
  }
  if (BufPending(&c->in) == 0) c->in.len = c->in.off = 0;
  if (BufPending(&c->in) > kLineMax) {
    fprintf(stderr, "pp_server: closing fd %d: line over %d bytes\n", c->fd,
            kLineMax);
    CloseConn(c);
    return;
  }
  Flush(c);
}

static void OnAccept(void) {
  for (;;) {
    int fd = accept4(loop.listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) loop.refused++;
      return;  // EMFILE and the like: the backlog keeps it for later
    }
    if ((size_t)fd >= loop.conns_cap) {
      size_t cap = loop.conns_cap ? loop.conns_cap : 256;
      while (cap <= (size_t)fd) cap *= 2;
      loop.conns = CheckedRealloc(loop.conns, cap * sizeof(Conn*));
      memset(loop.conns + loop.conns_cap, 0,
             (cap - loop.conns_cap) * sizeof(Conn*));
      loop.conns_cap = cap;
    }
    Conn* c = calloc(1, sizeof(Conn));
    if (c == NULL) Fail("out of memory");
    c->fd = fd;
    c->gen = ++loop.next_gen;
    c->watch = EPOLLIN;
    loop.conns[fd] = c;
    Watch(fd, EPOLLIN, (uint64_t)fd, EPOLL_CTL_ADD);
  }
}

static void* WorkerMain(void* arg) {
  (void)arg;
  for (;;) {
    pthread_mutex_lock(&pool.mu);
    while (pool.count == 0 && !pool.stopping) {
      pthread_cond_wait(&pool.nonempty, &pool.mu);
    }
    if (pool.count == 0) {  // stopping and drained
      pthread_mutex_unlock(&pool.mu);
      return NULL;
    }
    Job* request = pool.ring[pool.head];
    pool.head = (pool.head + 1) % pool.cap;
    pool.count--;
    pthread_mutex_unlock(&pool.mu);

    // The work: build the reply in a buffer of its own.
    Job* reply = CheckedRealloc(NULL, sizeof(Job) + request->len);
    *reply = *request;
    reply->next = NULL;
    memcpy(reply->bytes, request->bytes, request->len);
    free(request);

    pthread_mutex_lock(&pool.done_mu);
    if (pool.done_tail) {
      pool.done_tail->next = reply;
    } else {
      pool.done_head = reply;
    }
    pool.done_tail = reply;
    pthread_mutex_unlock(&pool.done_mu);
    if (!atomic_exchange(&pool.wake_pending, true)) {
      uint64_t one = 1;
      if (write(loop.wake_fd, &one, sizeof one) < 0 && errno != EAGAIN) {
        Fail("eventfd write");
      }
    }
  }
}

// Loop thread: moves the workers' replies to their connections (dropping
// those whose connection closed), then flushes each touched one once.
static void OnWake(void) {
  uint64_t count;
  if (read(loop.wake_fd, &count, sizeof count) < 0 && errno != EAGAIN) {
    Fail("eventfd read");
  }
  loop.wakeups++;
  atomic_store(&pool.wake_pending, false);  // before taking the list
  pthread_mutex_lock(&pool.done_mu);
  Job* reply = pool.done_head;
  pool.done_head = pool.done_tail = NULL;
  pthread_mutex_unlock(&pool.done_mu);
  loop.touched_len = 0;
  while (reply != NULL) {
    Job* next = reply->next;
    Conn* c = (size_t)reply->fd < loop.conns_cap ? loop.conns[reply->fd] : NULL;
    if (c != NULL && c->gen == reply->gen) {
      BufAppend(&c->out, reply->bytes, reply->len);
      if (!c->touched) {
        c->touched = true;
        if (loop.touched_len == loop.touched_cap) {
          loop.touched_cap = loop.touched_cap ? 2 * loop.touched_cap : 64;
          loop.touched =
              CheckedRealloc(loop.touched, loop.touched_cap * sizeof(int));
        }
        loop.touched[loop.touched_len++] = c->fd;
      }
    }
    free(reply);
    reply = next;
  }
  for (size_t i = 0; i < loop.touched_len; i++) {
    Conn* c = loop.conns[loop.touched[i]];
    c->touched = false;
    Flush(c);
  }
}

static int AddTimer(double seconds) {
  int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (fd < 0) Fail("timerfd_create");
  struct itimerspec when = {0};
  when.it_value.tv_sec = (time_t)seconds;
  when.it_value.tv_nsec = (long)((seconds - (double)(time_t)seconds) * 1e9);
  if (when.it_value.tv_sec == 0 && when.it_value.tv_nsec == 0) {
    when.it_value.tv_nsec = 1;
  }
  if (timerfd_settime(fd, 0, &when, NULL) != 0) Fail("timerfd_settime");
  Watch(fd, EPOLLIN, kTagTimer, EPOLL_CTL_ADD);
  return fd;
}

static int Listen(const char* path) {
  struct sockaddr_un addr;
  int fd = UnixSocket(path, SOCK_NONBLOCK, &addr);
  unlink(path);
  if (bind(fd, (struct sockaddr*)&addr, sizeof addr) != 0) Fail(path);
  if (listen(fd, 1024) != 0) Fail("listen");
  return fd;
}

static const char kUsage[] =
    "SOCKET inline|worker [-w WORKERS 0..64] [-q QUEUE >= 1] [-T SECONDS > 0]";

int main(int argc, char** argv) {
  if (argc < 3) UsageExit(kUsage);
  const char* path = argv[1];
  if (strcmp(argv[2], "worker") == 0) {
    loop.worker_mode = true;
  } else if (strcmp(argv[2], "inline") != 0) {
    UsageExit(kUsage);
  }
  int workers = 1;
  double seconds = 600;
  int opt;
  optind = 3;
  while ((opt = getopt(argc, argv, "w:q:T:")) != -1) {
    switch (opt) {
      case 'w':
        workers = (int)NumberArg(optarg, 0, kMaxWorkers, kUsage);
        break;
      case 'q':
        pool.cap = (size_t)NumberArg(optarg, 1, 1 << 24, kUsage);
        break;
      case 'T':
        seconds = NumberArg(optarg, 1e-3, 1e7, kUsage);
        break;
      default:
        UsageExit(kUsage);
    }
  }
  if (optind != argc) UsageExit(kUsage);

  // Signals arrive through a signalfd: blocked here, before any thread starts.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
  signal(SIGPIPE, SIG_IGN);

  loop.epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (loop.epoll_fd < 0) Fail("epoll_create1");
  loop.listen_fd = Listen(path);
  Watch(loop.listen_fd, EPOLLIN, kTagListen, EPOLL_CTL_ADD);
  int signal_fd = signalfd(-1, &stop_signals, SFD_NONBLOCK | SFD_CLOEXEC);
  if (signal_fd < 0) Fail("signalfd");
  Watch(signal_fd, EPOLLIN, kTagSignal, EPOLL_CTL_ADD);
  int timer_fd = AddTimer(seconds);

  pthread_t threads[kMaxWorkers];
  if (loop.worker_mode) {
    pool.ring = CheckedRealloc(NULL, pool.cap * sizeof(Job*));
    loop.wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (loop.wake_fd < 0) Fail("eventfd");
    Watch(loop.wake_fd, EPOLLIN, kTagWake, EPOLL_CTL_ADD);
    for (int i = 0; i < workers; i++) {
      errno = pthread_create(&threads[i], NULL, WorkerMain, NULL);
      if (errno != 0) Fail("pthread_create");
    }
  }
  fprintf(stderr, "pp_server: %s mode on %s, %d worker(s), queue %zu, %g s\n",
          argv[2], path, loop.worker_mode ? workers : 0, pool.cap, seconds);

  const char* why = NULL;
  struct epoll_event events[kMaxEvents];
  while (why == NULL) {
    int n = epoll_wait(loop.epoll_fd, events, kMaxEvents, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) Fail("epoll_wait");
    for (int i = 0; i < n && why == NULL; i++) {
      uint64_t tag = events[i].data.u64;
      if (tag == kTagListen) {
        OnAccept();
      } else if (tag == kTagWake) {
        OnWake();
      } else if (tag == kTagSignal) {
        why = "signal";
      } else if (tag == kTagTimer) {
        why = "time limit";
      } else {
        Conn* c = loop.conns[tag];
        if (c == NULL) continue;  // closed earlier in this batch
        if ((events[i].events & EPOLLOUT) && !Flush(c)) continue;
        if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) OnReadable(c);
      }
    }
  }

  if (loop.worker_mode) {
    pthread_mutex_lock(&pool.mu);
    pool.stopping = true;
    pthread_cond_broadcast(&pool.nonempty);
    pthread_mutex_unlock(&pool.mu);
    for (int i = 0; i < workers; i++) pthread_join(threads[i], NULL);
  }
  unlink(path);
  close(timer_fd);
  close(signal_fd);
  fprintf(stderr,
          "pp_server: stopped (%s): requests=%llu queue_full=%llu "
          "wakeups=%llu accept_errors=%llu\n",
          why, loop.requests, loop.full, loop.wakeups, loop.refused);
  return 0;
}
