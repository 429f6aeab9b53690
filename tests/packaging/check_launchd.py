#!/usr/bin/env python3
"""Checks packaging/launchd/*.plist with plistlib: well-formed, the keys
launchd needs with the right types, and ProgramArguments naming an absolute
goxel-daemon plus flags that `goxel-daemon --help` lists.

With --guide PACKAGING_PLIST GUIDE_PLIST, also checks that config/'s plist
(the one the deployment guide copies) is packaging/'s except for the paths of
the guide's directories and GroupName, which the guide never creates.

Usage: check_launchd.py GOXEL_DAEMON PLIST... [--guide PACKAGING GUIDE]
"""
import copy
import os
import plistlib
import re
import subprocess
import sys

REQUIRED = {
    "Label": str, "ProgramArguments": list, "RunAtLoad": bool, "KeepAlive": dict,
    "ThrottleInterval": int, "ExitTimeOut": int, "SoftResourceLimits": dict,
    "StandardOutPath": str, "StandardErrorPath": str, "Sockets": dict,
}
DAEMON_ONLY = {"UserName": str, "GroupName": str}
# The directories the guide's macOS steps create, and what the guide's plist
# puts in them.
GUIDE_LOG = "/usr/local/var/log/goxel-daemon.log"
GUIDE_SOCKET = "/usr/local/var/run/goxel-daemon.sock"
GUIDE_WORKDIR = "/usr/local/var/lib/goxel"


def check(path, flags, problems):
    def bad(msg):
        problems.append(f"{path}: {msg}")
    try:
        with open(path, "rb") as f:
            p = plistlib.load(f)
    except Exception as e:  # plistlib raises several types on bad input
        bad(f"not a valid plist: {e}")
        return
    agent = ".agent." in os.path.basename(path)
    guide = os.path.basename(os.path.dirname(os.path.abspath(path))) == "config"
    want = dict(REQUIRED, **({} if agent else DAEMON_ONLY))
    if guide:
        del want["GroupName"]
        if "GroupName" in p:
            bad("GroupName: the guide creates no group _goxel; leave it out")
    for key, typ in want.items():
        if key not in p:
            bad(f"missing {key}")
        elif type(p[key]) is not typ:  # bool is an int subclass: exact type
            bad(f"{key} is {type(p[key]).__name__}, want {typ.__name__}")
    stem = os.path.basename(path)[: -len(".plist")]
    if p.get("Label") != stem:
        bad(f"Label {p.get('Label')!r} is not the file name stem {stem!r}")
    args = p.get("ProgramArguments", [])
    if not args or not args[0].startswith("/") or not args[0].endswith("/goxel-daemon"):
        bad(f"ProgramArguments[0] {args[:1]} is not an absolute goxel-daemon")
    for a in args[1:]:
        if a.startswith("-") and a.split("=")[0] not in flags:
            bad(f"ProgramArguments flag {a} is not in goxel-daemon --help")
    if "--foreground" not in args and "-f" not in args:
        bad("launchd needs the daemon in the foreground (--foreground)")
    if "--daemonize" in args or "-D" in args:
        bad("launchd jobs must not daemonize")
    for flag in ("--config", "--optional-config"):
        if flag in args:
            i = args.index(flag)
            if i + 1 >= len(args) or not args[i + 1].endswith("daemon_config.json"):
                bad(f"{flag} is not followed by a daemon_config.json")
    if p.get("KeepAlive", {}).get("SuccessfulExit") is not False:
        bad("KeepAlive needs SuccessfulExit false (restart after any failure)")
    nof = p.get("SoftResourceLimits", {}).get("NumberOfFiles")
    if type(nof) is not int or nof < 1024:
        bad(f"SoftResourceLimits.NumberOfFiles {nof!r} is not an integer >= 1024")
    listeners = p.get("Sockets", {}).get("Listeners")
    if not isinstance(listeners, dict):
        bad("Sockets needs Listeners (the name launch_activate_socket uses)")
    else:
        if not str(listeners.get("SockPathName", "")).startswith(("/", "@HOME@/")):
            bad("Listeners.SockPathName is not an absolute path")
        mode = listeners.get("SockPathMode")
        if type(mode) is not int or mode & ~0o777 or mode & 0o007:
            bad(f"Listeners.SockPathMode {mode!r} is not a decimal mode without world access")
        if not agent and mode != 432:
            bad(f"the system daemon's socket mode is {mode!r}, want 432 (0660)")
    if not agent:
        if p.get("UserName") != "_goxel" or p.get("GroupName", "_goxel") != "_goxel":
            bad("the system daemon runs as _goxel:_goxel")
        for key in ("StandardOutPath", "StandardErrorPath"):
            if not str(p.get(key, "")).startswith("/usr/local/var/log/"):
                bad(f"{key} is not under /usr/local/var/log")


def check_guide_pair(packaging_path, guide_path, problems):
    """The guide's plist is packaging's with the guide's paths, no GroupName."""
    with open(packaging_path, "rb") as f:
        want = plistlib.load(f)
    with open(guide_path, "rb") as f:
        got = plistlib.load(f)
    want = copy.deepcopy(want)
    want.pop("GroupName", None)
    want["StandardOutPath"] = want["StandardErrorPath"] = GUIDE_LOG
    want["Sockets"]["Listeners"]["SockPathName"] = GUIDE_SOCKET
    if want.get("WorkingDirectory") != GUIDE_WORKDIR:
        problems.append(f"{packaging_path}: WorkingDirectory is not {GUIDE_WORKDIR}")
    for key in sorted(set(want) | set(got)):
        if want.get(key) != got.get(key):
            problems.append(f"{guide_path}: {key} is {got.get(key)!r}, want "
                            f"{want.get(key)!r} (as in {packaging_path} but for "
                            "the guide's directories)")


def main():
    argv = sys.argv[1:]
    pair = None
    if "--guide" in argv:
        i = argv.index("--guide")
        if len(argv) != i + 3:
            sys.exit("--guide needs PACKAGING_PLIST GUIDE_PLIST, last\n" + __doc__)
        pair = argv[i + 1:]
        argv = argv[:i] + pair
    sys.argv[1:] = argv
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out = subprocess.run([sys.argv[1], "--help"], capture_output=True, text=True,
                         timeout=30, check=True).stdout
    flags = set(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", out))
    if "--foreground" not in flags:
        sys.exit("could not read the flags from goxel-daemon --help")
    problems = []
    for path in sys.argv[2:]:
        check(path, flags, problems)
    if pair and not problems:
        check_guide_pair(pair[0], pair[1], problems)
    for p in problems:
        print(p)
    print(f"{len(sys.argv) - 2} plist(s) checked; {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
