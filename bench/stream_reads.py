#!/usr/bin/env python3
"""Daemon RSS growth while 4 connections each read a 65,536-voxel page of a
1M-voxel project (issue 18, defect 3), for two binaries in the same run:
the yardstick (a build before streamed replies) and this one.

  bench/stream_reads.py --daemon build/daemon/goxel-daemon \
      --baseline /path/to/older/goxel-daemon [--rounds 3]

For each binary: fill 100^3 voxels, note RSS, then (reading) 4 clients send
get_layer_voxels {limit:65536} at once and read their replies while RSS is
sampled every 2 ms; (held) 4 more send it and do not read for 1.5 s. Prints
one JSON line: the peak RSS growth in MB of each, and new/baseline ratios.
"""
import argparse, json, os, socket, sys, tempfile, threading, time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
from soak import Client, Daemon  # noqa: E402

REQ = (b'{"jsonrpc":"2.0","id":1,"method":"goxel.get_layer_voxels",'
       b'"params":{"limit":65536}}\n')


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Sampler:
    def __init__(self, pid):
        self.pid, self.peak, self.stop = pid, 0, False
        self.t = threading.Thread(target=self.run)
        self.t.start()

    def run(self):
        while not self.stop:
            self.peak = max(self.peak, rss_kb(self.pid))
            time.sleep(0.002)

    def end(self):
        self.stop = True
        self.t.join()
        return self.peak


def read_reply(s):
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = s.recv(1 << 20)
        if not chunk:
            break
        buf += chunk
    return buf


def measure(binary, rounds):
    root = tempfile.mkdtemp(prefix="goxel-stream-bench-")
    d = Daemon(os.path.abspath(binary), root,
               {"performance": {"max_memory_mb": 0,
                                "max_read_memory_mb": 8192}})
    d.start()
    c = Client(d.sock, timeout=600)
    c.call("goxel.create_project", {"name": "m"})
    c.call("goxel.fill_region", {"min": [0, 0, 0], "max": [99, 99, 99],
                                 "color": [10, 20, 30, 255]})
    pid = d.proc.pid
    out = {"reading": 0, "held": 0}
    for _ in range(rounds):
        base = rss_kb(pid)
        smp = Sampler(pid)
        socks = [socket.socket(socket.AF_UNIX) for _ in range(4)]
        for s in socks:
            s.connect(d.sock)
        for s in socks:
            s.sendall(REQ)
        ths = [threading.Thread(target=read_reply, args=(s,)) for s in socks]
        for t in ths:
            t.start()
        for t in ths:
            t.join()
        out["reading"] = max(out["reading"], smp.end() - base)
        for s in socks:
            s.close()
        time.sleep(0.3)
        base = rss_kb(pid)
        smp = Sampler(pid)
        socks = [socket.socket(socket.AF_UNIX) for _ in range(4)]
        for s in socks:
            s.connect(d.sock)
            s.sendall(REQ)
        time.sleep(1.5)  # a bench: the clients simply do not read
        out["held"] = max(out["held"], smp.end() - base)
        for s in socks:
            s.close()
        time.sleep(0.3)
    c.close()
    d.stop()
    return {k: round(v / 1024, 1) for k, v in out.items()}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--daemon", required=True)
    p.add_argument("--baseline", required=True)
    p.add_argument("--rounds", type=int, default=3)
    a = p.parse_args()
    base = measure(a.baseline, a.rounds)
    new = measure(a.daemon, a.rounds)
    print(json.dumps({
        "baseline_rss_growth_mb": base, "rss_growth_mb": new,
        "ratio_reading": round(new["reading"] / max(base["reading"], 0.1), 3),
        "ratio_held": round(new["held"] / max(base["held"], 0.1), 3)}))


if __name__ == "__main__":
    main()
