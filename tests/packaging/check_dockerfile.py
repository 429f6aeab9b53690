#!/usr/bin/env python3
"""Checks packaging/docker/Dockerfile and .dockerignore without a Docker
engine (none on this machine kind, and Debian has no hadolint): a small
parser of the instructions, then the rules of issue 7 and what makes the
image actually work.

Also holds goxel-daemon to the deployment guide's Dockerfile, which installs
only libc6, libgcc-s1 and libstdc++6 on debian:bookworm-slim (whose base
already carries libsystemd0 and zlib1g): every NEEDED entry of the binary
must come from one of those packages (GOXEL_STATIC_DEPS links libuv and
libpng in).

Usage: check_dockerfile.py SOURCE_DIR GOXEL_DAEMON GOXEL_CLIENT
"""
import json
import os
import re
import shlex
import subprocess
import sys


def instructions(path):
    """(INSTRUCTION, args) pairs, continuation lines joined, comments dropped."""
    out, buf = [], ""
    for line in open(path, encoding="utf-8"):
        s = line.rstrip("\n")
        if not buf and (not s.strip() or s.lstrip().startswith("#")):
            continue
        if s.endswith("\\"):
            buf += s[:-1] + " "
            continue
        buf += s
        word, _, rest = buf.strip().partition(" ")
        out.append((word.upper(), rest.strip()))
        buf = ""
    return out


def exec_form(args):
    try:
        v = json.loads(args)
    except ValueError:
        return None
    return v if isinstance(v, list) and all(isinstance(x, str) for x in v) else None


def needed_packages(binary):
    """Debian packages providing the shared libraries BINARY needs."""
    dump = subprocess.run(["objdump", "-p", binary], capture_output=True, text=True,
                          check=True).stdout
    pkgs = set()
    for lib in re.findall(r"NEEDED\s+(\S+)", dump):
        for d in ("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib", "/usr/lib",
                  "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu"):
            p = os.path.join(d, lib)
            if os.path.exists(p):
                q = subprocess.run(["dpkg", "-S", os.path.realpath(p)], capture_output=True,
                                   text=True)
                if q.returncode != 0:
                    q = subprocess.run(["dpkg", "-S", p], capture_output=True, text=True)
                if q.returncode == 0:
                    pkgs.add(q.stdout.split(":")[0])
                break
        else:
            pkgs.add("?" + lib)
    return pkgs


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    src, daemon, client = sys.argv[1:]
    problems = []
    bad = problems.append
    ins = instructions(os.path.join(src, "packaging/docker/Dockerfile"))
    froms = [(i, a) for i, (w, a) in enumerate(ins) if w == "FROM"]
    if len(froms) < 2:
        bad("not multi-stage: want a build stage and a runtime stage")
    else:
        first, last = froms[0][1].split(), froms[-1][1].split()
        if first[0] != "debian:bookworm" or "AS" not in [x.upper() for x in first]:
            bad(f"build stage is FROM {froms[0][1]}, want debian:bookworm AS <name>")
        if last[0] != "debian:bookworm-slim":
            bad(f"runtime stage is FROM {froms[-1][1]}, want debian:bookworm-slim")
    stages = {a.split()[-1] for _, a in froms if len(a.split()) == 3}
    runtime = ins[froms[-1][0]:] if froms else []
    for w, a in runtime:
        m = re.search(r"--from=(\S+)", a)
        if w == "COPY" and m and m.group(1) not in stages:
            bad(f"COPY --from={m.group(1)} names no stage ({sorted(stages)})")
    users = [a for w, a in runtime if w == "USER"]
    if not users or users[-1].split(":")[0] in ("root", "0"):
        bad(f"the runtime stage does not switch to a non-root USER ({users})")
    vols = [v for w, a in runtime if w == "VOLUME" for v in (exec_form(a) or a.split())]
    if "/run/goxel" not in vols:
        bad(f"no VOLUME /run/goxel for the socket ({vols})")
    hc = [a for w, a in runtime if w == "HEALTHCHECK"]
    if not hc or "CMD" not in hc[-1]:
        bad("no HEALTHCHECK CMD")
    else:
        hcmd = exec_form(hc[-1].split("CMD", 1)[1].strip()) or []
        if not hcmd or not hcmd[0].endswith("goxel-client") or "health" not in hcmd:
            bad(f"HEALTHCHECK is not `goxel-client health`: {hcmd}")
    cmds = [exec_form(a) for w, a in runtime if w == "CMD"]
    cmd = cmds[-1] if cmds else None
    if not cmd:
        bad("no exec-form CMD in the runtime stage")
    else:
        if not cmd[0].endswith("/goxel-daemon") or "--foreground" not in cmd or "--config" not in cmd:
            bad(f"CMD is not goxel-daemon --foreground --config FILE: {cmd}")
        helptext = subprocess.run([daemon, "--help"], capture_output=True, text=True,
                                  check=True).stdout
        for a in cmd[1:]:
            if a.startswith("-") and not re.search(r"(^|[\s,])" + re.escape(a) + r"\b", helptext):
                bad(f"CMD flag {a} is not in goxel-daemon --help")
    envs = " ".join(a for w, a in runtime if w == "ENV")
    if "GOXEL_SOCKET_PATH=/run/goxel/" not in envs:
        bad("the image does not point goxel-client at /run/goxel (ENV GOXEL_SOCKET_PATH)")
    # The runtime stage installs every library the binaries need.
    runs = " ".join(a for w, a in runtime if w == "RUN")
    m = re.search(r"apt-get install ([^&]*)", runs)
    installed = set(shlex.split(m.group(1))) if m else set()
    base = {"libc6", "libgcc-s1", "libstdc++6"}  # in bookworm-slim already
    for binary in (daemon, client):
        for pkg in sorted(needed_packages(binary) - base):
            if pkg not in installed:
                bad(f"{os.path.basename(binary)} needs {pkg}, which the runtime stage does not install")
    # The guide's Dockerfile: bookworm-slim plus libc6 libgcc-s1 libstdc++6.
    guide = {"libc6", "libgcc-s1", "libstdc++6", "libsystemd0", "zlib1g"}
    extra = sorted(needed_packages(daemon) - guide)
    if extra:
        bad(f"goxel-daemon needs {', '.join(extra)}, which the deployment guide's "
            "Dockerfile (bookworm-slim + libc6 libgcc-s1 libstdc++6) lacks: "
            "configure with -DGOXEL_STATIC_DEPS=ON")
    # The build stage's config step uses files the context carries.
    for path in ("packaging/service_config.py", "config/daemon_config.json"):
        if path not in " ".join(a for w, a in ins[: froms[-1][0]] if w == "RUN"):
            bad(f"the build stage does not generate the config from {path}")
    ignore_path = os.path.join(src, ".dockerignore")
    if not os.path.exists(ignore_path):
        bad("no .dockerignore")
    else:
        ignored = [l.strip() for l in open(ignore_path) if l.strip() and not l.startswith("#")]
        for must in (".git", "build*/"):
            if must not in ignored:
                bad(f".dockerignore does not exclude {must}")
        for keep in ("daemon", "client", "config", "packaging", "CMakeLists.txt"):
            if keep in ignored or keep + "/" in ignored:
                bad(f".dockerignore excludes {keep}, which the build needs")
    for p in problems:
        print(p)
    print(f"Dockerfile: {len(ins)} instructions, {len(froms)} stages; {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
