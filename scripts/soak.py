#!/usr/bin/env python3
"""Fault suite driver (issue 18): a soak and a crash-safety loop against the
real goxel-daemon.

  soak.py --daemon BIN [--duration S] [--connections N]
      N connections mixing edits, queries, renders, saves and exports, with
      random disconnects mid-request, slow and never-reading clients,
      malformed texts and memory pressure near performance.max_memory_mb
      (N connections in all: the daemon's max_connections by default, so
      any more go to its control-only reserve). A separate process calls
      health on a connection of its own, opened once the load is in (the
      reserve's case), and reports its samples. Prints one JSON line; exits
      1 on a crash, a wedged connection, an unanswered request, health
      unanswered for longer than --health-max-gap-ms, RSS past the limit
      plus the margin, an fd leak or a file that does not load back.

  soak.py --health-probe SOCKET --duration S
      The health prober alone (what soak runs in its own process, so the
      load's threads do not delay its clock): one JSON line of samples.

  soak.py --daemon BIN --crash-loop N
      N times: SIGKILL at a random point while saves, exports and autosaves
      run; then every file is a complete old or new version, the restore
      loses at most one autosave interval and no temporary file survives.

Everything runs in a private temporary directory and stops by itself.
"""
import argparse, json, os, random, signal, socket, subprocess, sys, tempfile
import threading, time

MEM_LIMIT_MB = 64
RSS_MARGIN_MB = 256
# The memory-pressure injector: threads adding batches of voxels scattered
# over a cube of side 2 * PRESSURE_SPAN, each a random colour.
PRESSURE_THREADS = 2
PRESSURE_BATCH = 20000
PRESSURE_SPAN = 2048
# A health call every HEALTH_PERIOD_S.
HEALTH_PERIOD_S = 0.05


class Daemon:
    def __init__(self, binary, root, extra_config=None, workers=4):
        self.binary, self.root = binary, root
        self.sock = os.path.join(root, "d.sock")
        self.data = os.path.join(root, "data")
        os.makedirs(self.data, exist_ok=True)
        cfg = {"paths": {"data_directory": self.data},
               "performance": {"autosave_interval_seconds": 1,
                               "max_memory_mb": MEM_LIMIT_MB},
               "daemon": {"shutdown_timeout_seconds": 5}}
        for k, v in (extra_config or {}).items():
            cfg.setdefault(k, {}).update(v)
        self.config = os.path.join(root, "config.json")
        with open(self.config, "w") as f:
            json.dump(cfg, f)
        self.workers, self.proc = workers, None

    def start(self):
        log = open(os.path.join(self.root, "daemon.log"), "a")
        self.proc = subprocess.Popen(
            [self.binary, "--foreground", "--socket", self.sock, "--config",
             self.config, "--workers", str(self.workers)],
            stdout=log, stderr=log, stdin=subprocess.DEVNULL, cwd=self.root)
        deadline = time.time() + 15
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("daemon exited at start: " + self.log())
            try:
                c = Client(self.sock)
                if c.call("ping").get("result"):
                    c.close()
                    return
            except OSError:
                pass
            time.sleep(0.02)
        raise RuntimeError("daemon not ready: " + self.log())

    def log(self):
        with open(os.path.join(self.root, "daemon.log")) as f:
            return f.read()[-4000:]

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return "timeout"

    def rss_mb(self):
        with open("/proc/%d/statm" % self.proc.pid) as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

    def fds(self):
        return len(os.listdir("/proc/%d/fd" % self.proc.pid))


class Client:
    def __init__(self, path, timeout=30):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        # A full listen backlog refuses at once (EAGAIN on a Unix socket):
        # wait for the daemon to accept, as a blocking connect would.
        deadline = time.time() + timeout
        while True:
            try:
                self.s.connect(path)
                break
            except BlockingIOError:
                if time.time() > deadline:
                    raise
                time.sleep(0.01)
        self.buf, self.next_id = b"", 0

    def send(self, data):
        self.s.sendall(data)

    def line(self):
        while b"\n" not in self.buf:
            chunk = self.s.recv(1 << 16)
            if not chunk:
                raise EOFError("closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def call(self, method, params=None):
        self.next_id += 1
        req = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            req["params"] = params
        self.send(json.dumps(req).encode() + b"\n")
        return self.line()

    def close(self):
        self.s.close()


def error_reason(reply):
    """"code reason" of an error reply: data.reason when the daemon gives
    one, else the message up to its first colon."""
    e = reply.get("error", {})
    why = (e.get("data") or {}).get("reason") or \
        e.get("message", "").split(":")[0]
    return "%s %s" % (e.get("code"), why)


# Errors after which the daemon closes the connection: the client comes
# back after retry_after_ms, as a real one would, not in a tight loop.
CLOSING_REASONS = ("connection_reserve", "too_many_connections")


def health_probe(args):
    """Calls health every HEALTH_PERIOD_S (on a fixed clock: a slow answer
    does not push the next call back) for args.duration seconds on one
    connection (a new one when the daemon refused or closed it); prints
    {"samples": [[answered at (s), took (ms)]...], "refused": {reason: n},
    "dropped": n, "end": s}."""
    out = {"samples": [], "refused": {}, "dropped": 0}
    t0 = time.time()
    stop = t0 + args.duration
    c = None
    next_call = t0
    while time.time() < stop:
        next_call += HEALTH_PERIOD_S
        try:
            if c is None:
                c = Client(args.health_probe, timeout=10)
            t = time.time()
            rep = c.call("health")
            if "result" in rep:
                now = time.time()
                out["samples"].append([round(now - t0, 4),
                                       round((now - t) * 1000, 3)])
            else:
                why = error_reason(rep)
                out["refused"][why] = out["refused"].get(why, 0) + 1
                c.close()
                c = None
        except (OSError, EOFError):
            out["dropped"] += 1
            c = None
        time.sleep(max(0.0, next_call - time.time()))
    if c:
        c.close()
    out["end"] = round(time.time() - t0, 4)
    print(json.dumps(out))
    return 0


def rand_voxel(r):
    return [r.randrange(-64, 64), r.randrange(-64, 64), r.randrange(0, 64),
            r.randrange(256), r.randrange(256), r.randrange(256), 255]


def soak(args):
    root = tempfile.mkdtemp(prefix="goxel-soak-")
    d = Daemon(args.daemon, root)
    d.start()
    stats = {"ok": 0, "errors": {}, "error_reasons": {}, "disconnects": 0,
             "dropped": 0, "malformed": 0,
             "slow_readers": 0, "never_read": 0, "unanswered": 0, "wedged": 0,
             "pressure_batches": 0, "pressure_refused": 0}
    lock = threading.Lock()
    files = set()
    stop = time.time() + args.duration
    failures = []
    # The project the mixed connections edit, read, save and export.
    c0 = Client(d.sock)
    if "result" not in c0.call("goxel.create_project", {"name": "soak"}):
        raise RuntimeError("cannot create the soak project: " + d.log())
    c0.close()
    rss0, fds0 = d.rss_mb(), d.fds()

    def count(reply):
        with lock:
            if "result" in reply:
                stats["ok"] += 1
            else:
                code = str(reply.get("error", {}).get("code"))
                stats["errors"][code] = stats["errors"].get(code, 0) + 1
                why = error_reason(reply)
                stats["error_reasons"][why] = \
                    stats["error_reasons"].get(why, 0) + 1

    def closed_by_daemon(reply):
        """True (after the client's back-off) when `reply` refused the
        connection and the daemon closes it."""
        reason = (reply.get("error", {}).get("data") or {}).get("reason")
        if reason not in CLOSING_REASONS:
            return False
        time.sleep(0.05)  # retry_after_ms
        return True

    def worker(n, c):
        r = random.Random(n)

        def call(method, params=None):
            rep = c.call(method, params)
            count(rep)
            return rep

        while time.time() < stop:
            try:
                if c is None:
                    c = Client(d.sock)
                k = r.random()
                rep = {}
                if k < 0.35:
                    rep = call("goxel.add_voxel_batch",
                               {"voxels": [rand_voxel(r) for _ in range(20)]})
                elif k < 0.55:
                    rep = call(r.choice(["goxel.get_project_info",
                                         "goxel.list_projects", "health"]))
                elif k < 0.60:
                    rep = call("goxel.render_scene",
                               {"width": 32, "height": 32})
                elif k < 0.65:
                    name = "s%d.gox" % r.randrange(8)
                    rep = call("goxel.save_project", {"path": name})
                    if "result" in rep:
                        with lock:
                            files.add(name)
                elif k < 0.70:
                    name = "e%d.%s" % (r.randrange(4), r.choice(["vox", "ply"]))
                    rep = call("goxel.export_model", {"path": name})
                    if "result" in rep and name.endswith(".vox"):
                        with lock:
                            files.add(name)
                elif k < 0.78:
                    # Big reads, bounded by the read budget.
                    rep = call("goxel.get_layer_voxels", {"limit": 65536})
                elif k < 0.84:
                    c.send(r.choice([b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\"]\n",
                                     b"[}\n", b"\x00\xff garbage\n", b"{]\n"]))
                    c.line()
                    with lock:
                        stats["malformed"] += 1
                elif k < 0.90:
                    c.send(b'{"jsonrpc":"2.0","id":1,"method":"goxel.get_proj')
                    c.close()
                    c = None
                    with lock:
                        stats["disconnects"] += 1
                elif k < 0.95:
                    for i in range(20):
                        c.send(b'{"jsonrpc":"2.0","id":%d,"method":"goxel.list_projects"}\n' % i)
                    time.sleep(0.2)
                    for i in range(20):
                        count(c.line())
                    with lock:
                        stats["slow_readers"] += 1
                else:
                    for i in range(50):
                        c.send(b'{"jsonrpc":"2.0","id":%d,"method":"goxel.get_project_info"}\n' % i)
                    time.sleep(0.1)
                    c.close()
                    c = None
                    with lock:
                        stats["never_read"] += 1
                if c is not None and closed_by_daemon(rep):
                    c.close()
                    c = None
            except socket.timeout:
                with lock:
                    stats["unanswered"] += 1
                c = None
            except (OSError, EOFError):
                # The daemon closed it: after a refusal of a slow reader's
                # or malformed text's connection, or a reply cap.
                with lock:
                    stats["dropped"] += 1
                c = None
        if c:
            c.close()

    def pressure(n, c):
        # Memory pressure: scattered, many-coloured voxels (a uniform fill
        # is a few bytes a block and never nears the limit) in a project of
        # its own, until the engine refuses with -32006; then the project
        # is closed, which frees it, and the next one starts. Its connection
        # is opened before the mixed ones, so it is never a reserve one.
        r = random.Random(1000 + n)
        pid = None
        while time.time() < stop:
            try:
                if c is None:
                    c = Client(d.sock)
                if pid is None:
                    rep = c.call("goxel.create_project",
                                 {"name": "pressure%d" % n,
                                  "activate": False})
                    count(rep)
                    pid = rep.get("result", {}).get("project_id")
                    if pid is None:
                        if closed_by_daemon(rep):
                            c.close()
                            c = None
                        else:
                            time.sleep(0.05)  # busy: no tight loop
                        continue
                rep = c.call("goxel.add_voxel_batch", {
                    "project_id": pid,
                    "voxels": [[r.randrange(-PRESSURE_SPAN, PRESSURE_SPAN),
                                r.randrange(-PRESSURE_SPAN, PRESSURE_SPAN),
                                r.randrange(0, PRESSURE_SPAN),
                                r.randrange(256), r.randrange(256),
                                r.randrange(256), 255]
                               for _ in range(PRESSURE_BATCH)]})
                count(rep)
                with lock:
                    stats["pressure_batches"] += 1
                if rep.get("error", {}).get("code") == -32006:
                    with lock:
                        stats["pressure_refused"] += 1
                    count(c.call("goxel.close_project",
                                 {"project_id": pid, "force": True}))
                    pid = None
                elif closed_by_daemon(rep):
                    c.close()
                    c = None
            except socket.timeout:
                with lock:
                    stats["unanswered"] += 1
                c, pid = None, None
            except (OSError, EOFError):
                with lock:
                    stats["dropped"] += 1
                c = None
        if c:
            c.close()

    # Every load connection is open before any thread starts (the pressure
    # ones first, so they are never reserve ones); the health prober comes
    # after them all, so with the default N it is let in by the reserve.
    threads = [threading.Thread(target=pressure, args=(i, Client(d.sock)))
               for i in range(PRESSURE_THREADS)]
    threads += [threading.Thread(target=worker, args=(i, Client(d.sock)))
                for i in range(max(0, args.connections - PRESSURE_THREADS))]
    peak_rss = rss0
    for t in threads:
        t.start()
    prober = subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), "--health-probe", d.sock,
         "--duration", str(max(0.0, stop - time.time()))],
        stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    while any(t.is_alive() for t in threads):
        if d.proc.poll() is not None:
            failures.append("crash: exit %s" % d.proc.returncode)
            break
        peak_rss = max(peak_rss, d.rss_mb())
        time.sleep(0.2)
    for t in threads:
        t.join(60)
        if t.is_alive():
            stats["wedged"] += 1
    try:
        probe_out, _ = prober.communicate(timeout=60)
        probe = json.loads(probe_out or b"{}")
    except (subprocess.TimeoutExpired, ValueError):
        prober.kill()
        prober.wait()
        probe = {}
    samples = probe.get("samples", [])
    health_ms = sorted(ms for _, ms in samples)
    # The longest time health went unanswered: from the prober's start to
    # its first answer, between two answers, from the last one to its end.
    times = [0.0] + [t for t, _ in samples] + \
        [probe.get("end", args.duration)]
    health_gap_ms = max((b - a) * 1000 for a, b in zip(times, times[1:]))
    files_bad = []
    if d.proc.poll() is None:
        time.sleep(0.3)  # connections just closed are reaped by the loop
        fds1, rss1 = d.fds(), d.rss_mb()
        c = Client(d.sock)
        for name in sorted(files):
            rep = c.call("goxel.load_project", {"path": name})
            if "result" not in rep:
                files_bad.append(name)
            else:
                c.call("goxel.close_project",
                       {"project_id": rep["result"]["project_id"],
                        "force": True})
        c.close()
        code = d.stop()
        if code != 0:
            failures.append("stop exited %s" % code)
    else:
        fds1, rss1 = -1, -1
    p99 = health_ms[int(len(health_ms) * 0.99)] if health_ms else None
    if health_gap_ms > args.health_max_gap_ms:
        failures.append("health unanswered for %.0f ms" % health_gap_ms)
    if stats["unanswered"]:
        failures.append("unanswered requests")
    if stats["wedged"]:
        failures.append("wedged connections")
    if not stats["pressure_refused"]:
        failures.append("memory pressure never reached the limit (no -32006)")
    if peak_rss > MEM_LIMIT_MB + args.rss_margin_mb:
        failures.append("rss past the limit plus margin")
    if fds1 > fds0 + 4:
        failures.append("fd leak")
    if files_bad:
        failures.append("unloadable files: %s" % files_bad)
    summary = dict(stats, duration_s=args.duration,
                   connections=args.connections,
                   health_samples=len(health_ms),
                   health_p50_ms=round(health_ms[len(health_ms) // 2], 2)
                   if health_ms else None,
                   health_p99_ms=round(p99, 2) if p99 else None,
                   health_max_gap_ms=round(health_gap_ms, 1),
                   health_refused=probe.get("refused", {}),
                   health_dropped=probe.get("dropped"),
                   rss_mb={"start": round(rss0, 1), "end": round(rss1, 1),
                           "peak": round(peak_rss, 1),
                           "limit": MEM_LIMIT_MB, "margin": args.rss_margin_mb},
                   fds={"start": fds0, "end": fds1},
                   files_checked=len(files), failures=failures)
    print(json.dumps(summary))
    if failures:
        print(d.log(), file=sys.stderr)
        return 1
    subprocess.run(["rm", "-rf", root])
    return 0


def find_or_create(c, name):
    """The id of the project named `name` (restored), else a new one."""
    for _ in range(1000):
        lst = c.call("goxel.list_projects")["result"]["projects"]
        if not any(p.get("restoring") for p in lst):
            break
        time.sleep(0.01)
    for p in lst:
        if p.get("name") == name:
            return p["project_id"], p["voxel_count"]
    rep = c.call("goxel.create_project", {"name": name})
    return rep["result"]["project_id"], 0


def crash_loop(args):
    root = tempfile.mkdtemp(prefix="goxel-crash-")
    d = Daemon(args.daemon, root)
    r = random.Random(1)
    safe = 0  # voxels of "auto" acknowledged > 1 interval + 0.5 s before a kill
    bad = []
    for it in range(args.crash_loop):
        d.start()
        c = Client(d.sock)
        auto, have = find_or_create(c, "auto")
        saved, _ = find_or_create(c, "saved")
        if have < safe:
            bad.append("iteration %d: restored %d voxels, %d were safe" %
                       (it, have, safe))
        auto_dir = os.path.join(d.data, ".goxel-daemon", "autosave")
        temps = [f for f in os.listdir(d.data) + os.listdir(auto_dir)
                 if ".tmp." in f]
        if temps:
            bad.append("iteration %d: temp files survived: %s" % (it, temps))
        for name in ("crash.gox", "crash.vox"):
            if os.path.exists(os.path.join(d.data, name)):
                rep = c.call("goxel.load_project", {"path": name})
                if "result" not in rep:
                    bad.append("iteration %d: %s does not load: %s" %
                               (it, name, rep))
                else:
                    c.call("goxel.close_project",
                           {"project_id": rep["result"]["project_id"],
                            "force": True})
        acked = []  # (time, voxel count of "auto")
        killer = threading.Timer(r.uniform(0.2, 2.5),
                                 lambda: d.proc.send_signal(signal.SIGKILL))
        killer.start()
        try:
            while True:
                for pid in (auto, saved):
                    c.call("goxel.add_voxel_batch",
                           {"project_id": pid,
                            "voxels": [rand_voxel(r) for _ in range(200)]})
                n = c.call("goxel.get_project_info",
                           {"project_id": auto})["result"]["voxel_count"]
                acked.append((time.time(), n))
                c.call("goxel.save_project",
                       {"project_id": saved, "path": "crash.gox"})
                c.call("goxel.export_model",
                       {"project_id": saved, "path": "crash.vox"})
        except (OSError, EOFError, KeyError, ValueError):
            pass
        killer.join()
        d.proc.wait()
        kill_t = time.time()
        safe = max([n for t, n in acked if t < kill_t - 1.5] + [have])
        c.close()
    d.start()
    code = d.stop()
    if code != 0:
        bad.append("final stop exited %s" % code)
    summary = {"crash_iterations": args.crash_loop, "failures": bad}
    print(json.dumps(summary))
    if bad:
        print(d.log(), file=sys.stderr)
        return 1
    subprocess.run(["rm", "-rf", root])
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--daemon")
    p.add_argument("--health-probe", metavar="SOCKET")
    p.add_argument("--duration", type=float, default=20)
    p.add_argument("--connections", type=int, default=256)
    p.add_argument("--crash-loop", type=int, default=0)
    p.add_argument("--rss-margin-mb", type=int, default=RSS_MARGIN_MB,
                   help="RSS allowed past the memory limit (default %(default)s;"
                        " sanitizer builds need more: their shadow memory and"
                        " quarantine are RSS the daemon does not account)")
    p.add_argument("--health-max-gap-ms", type=float, default=2000,
                   help="longest health may go unanswered (default"
                        " %(default)s)")
    a = p.parse_args()
    if a.health_probe:
        sys.exit(health_probe(a))
    if not a.daemon:
        p.error("--daemon is required")
    sys.exit(crash_loop(a) if a.crash_loop else soak(a))


if __name__ == "__main__":
    main()
