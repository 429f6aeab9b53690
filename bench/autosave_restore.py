#!/usr/bin/env python3
"""Autosave restore speed (issue 16), against the .gox reader as the
yardstick in the same run.

  bench/autosave_restore.py --daemon build/daemon/goxel-daemon [--voxels N]

Builds a project of N scattered voxels (one per 16^3 block), saves it as
.gox, stops the daemon (final autosave), starts it again and measures the
restore (the daemon's own "restored autosaved projects" ms, and READY to the
project answering), then load_project of a copy of the .gox with the same
content. A second yardstick is the floor of any restore: reading the
autosave file and inflating its body in this script (zlib, no blocks built).
Prints one JSON line with the figures and the ratios.
"""
import argparse, json, os, struct, subprocess, sys, tempfile, time, zlib

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
from soak import Client, Daemon  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--daemon", required=True)
    p.add_argument("--voxels", type=int, default=50000)
    a = p.parse_args()
    root = tempfile.mkdtemp(prefix="goxel-restore-bench-")
    d = Daemon(os.path.abspath(a.daemon), root,
               {"performance": {"autosave_interval_seconds": 3600,
                                "max_memory_mb": 0}})
    d.start()
    c = Client(d.sock, timeout=600)
    c.call("goxel.create_project", {"name": "restore"})
    side = 64
    for start in range(0, a.voxels, 10000):
        vox = []
        for n in range(start, min(start + 10000, a.voxels)):
            vox.append([n % side * 16, n // side % side * 16,
                        n // (side * side) * 16, 200, n % 256, 10, 255])
        c.call("goxel.add_voxel_batch", {"voxels": vox})
    c.call("goxel.save_project", {"path": "copy.gox"})
    c.call("goxel.add_voxel", {"x": -1, "y": -1, "z": -1,
                               "color": [1, 1, 1, 255]})  # dirty again
    c.close()
    d.stop()
    adir = os.path.join(d.data, ".goxel-daemon/autosave")
    files = [os.path.join(adir, f) for f in os.listdir(adir)]
    size = sum(os.path.getsize(f) for f in files)
    # Second yardstick, the floor of any restore: read the file and inflate
    # its body (header 48 bytes, meta_len at offset 16), no blocks built.
    t = time.time()
    for f in files:
        raw = open(f, "rb").read()
        meta_len = struct.unpack_from("<I", raw, 16)[0]
        zlib.decompress(raw[48 + meta_len:])
    inflate_ms = (time.time() - t) * 1000
    d.start()
    t_ready = time.time()
    c = Client(d.sock, timeout=600)
    while "result" not in c.call("goxel.get_project_info"):
        time.sleep(0.005)
    ready_to_restored = (time.time() - t_ready) * 1000
    logged = None
    deadline = time.time() + 30  # the line follows the project's opening
    while logged is None and time.time() < deadline:
        for line in open(os.path.join(root, "daemon.log")):
            if "restored autosaved projects" in line:
                logged = json.loads(line).get("ms")
        time.sleep(0.01)
    # copy: the restored project remembers copy.gox as its file, and a plain
    # load_project of it answers already_open in 0 ms without reading it.
    rep = c.call("goxel.load_project", {"path": "copy.gox", "copy": True})
    if rep.get("result", {}).get("already_open", True):
        raise RuntimeError("the .gox yardstick was not read: %r" % rep)
    gox_ms = rep["result"]["load_time_ms"]
    c.close()
    d.stop()
    print(json.dumps({"voxels": a.voxels, "autosave_bytes": size,
                      "restore_ms": logged,
                      "ready_to_restored_ms": round(ready_to_restored, 1),
                      "read_inflate_ms": round(inflate_ms, 1),
                      "restore_over_inflate": round(logged / inflate_ms, 2)
                      if logged else None,
                      "gox_load_ms": gox_ms,
                      "gox_over_restore": round(gox_ms / logged, 2)
                      if logged else None}))
    subprocess.run(["rm", "-rf", root])


if __name__ == "__main__":
    main()
