#!/usr/bin/env python3
"""Writes the daemon_config.json a service manager starts goxel-daemon with.

The service configuration is config/daemon_config.json (the commented example)
with the paths a service needs: under systemd (--platform linux) the socket and
PID file in /run/goxel (RuntimeDirectory=goxel), the log in /var/log/goxel
(LogsDirectory=goxel, rotated by packaging/logrotate/goxel-daemon), data in
/var/lib/goxel; under launchd (--platform darwin) the same below PREFIX/var
(default /usr/local), or below the user's home for the per-user agent
(--agent HOME). Every other key, and every _comment, is kept as written, so
the example and the installed file cannot drift apart.

Usage: service_config.py --platform linux|darwin [--prefix P] [--agent HOME]
                         [--log-stderr] EXAMPLE.json OUT.json   (OUT "-" = stdout)
"""
import argparse
import json
import sys


def service_paths(platform, prefix, agent_home):
    """Returns {key path: value} for the keys a service overrides."""
    if platform == "linux":
        run, log, lib = "/run/goxel", "/var/log/goxel", "/var/lib/goxel"
        cache, user = "/var/cache/goxel", "goxel"
    elif agent_home:
        base = agent_home + "/Library/Application Support/goxel"
        run, log, lib = base, agent_home + "/Library/Logs/goxel", base
        cache, user = agent_home + "/Library/Caches/goxel", ""
    else:
        run, log = prefix + "/var/run/goxel", prefix + "/var/log/goxel"
        lib, cache, user = prefix + "/var/lib/goxel", prefix + "/var/cache/goxel", "_goxel"
    sock, pid, logf = run + "/goxel-daemon.sock", run + "/goxel-daemon.pid", log + "/goxel-daemon.log"
    return {
        ("daemon", "daemonize"): False,
        ("daemon", "socket_path"): sock,
        ("daemon", "pid_file"): pid,
        ("daemon", "log_file"): logf,
        ("daemon", "working_dir"): lib,
        ("daemon", "user"): user,
        ("daemon", "group"): user,
        # The daemon creates its socket as the service user, whose primary
        # group it already carries (and systemd's or launchd's socket gets its
        # group from the socket unit / the directory): no chown needed, so
        # the seccomp filter can forbid @chown.
        ("security", "socket_group"): "",
        ("paths", "data_directory"): lib,
        ("paths", "cache_directory"): cache,
        ("paths", "allowed_paths"): [lib],
        ("defaults", platform, "socket_path"): sock,
        ("defaults", platform, "pid_file"): pid,
        ("defaults", platform, "log_file"): logf,
        ("environment", "GOXEL_SOCKET_PATH"): sock,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--platform", choices=["linux", "darwin"], required=True)
    ap.add_argument("--prefix", default="/usr/local")
    ap.add_argument("--agent", metavar="HOME", default="")
    ap.add_argument("--log-stderr", action="store_true",
                    help="log to stderr (containers: docker logs) instead of a file")
    ap.add_argument("example")
    ap.add_argument("out")
    args = ap.parse_args()
    if args.agent and args.platform != "darwin":
        ap.error("--agent is for --platform darwin")
    with open(args.example, encoding="utf-8") as f:
        config = json.load(f)
    for path, value in service_paths(args.platform, args.prefix.rstrip("/") or "",
                                     args.agent).items():
        node = config
        for key in path[:-1]:
            if key not in node:
                sys.exit(f"service_config.py: {args.example} has no key "
                         f"{'.'.join(path[:-1])}")
            node = node[key]
        if path[-1] not in node:
            sys.exit(f"service_config.py: {args.example} has no key {'.'.join(path)}")
        node[path[-1]] = value
    if args.log_stderr:
        config["daemon"]["log_file"] = ""
    config["daemon"]["_comment"] = (
        "Service configuration, generated from config/daemon_config.json by "
        "packaging/service_config.py: the service manager starts the daemon in the "
        "foreground (--foreground) as its own user; socket, PID file and log live in "
        "the directories it creates. " + config["daemon"].get("_comment", ""))
    text = json.dumps(config, indent=2, ensure_ascii=False) + "\n"
    if args.out == "-":
        sys.stdout.write(text)
    else:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
