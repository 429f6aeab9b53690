#!/usr/bin/env bash
# The packaged service under a real systemd: boots systemd-nspawn over an
# overlay of this machine's root (so the built binaries and their libraries
# are there), installs the .deb with dpkg and checks what
# docs/SYSTEM_TESTING.md and issue 7 ask: start is active only after READY,
# goxel-client health through /run/goxel, reload, a SIGSEGV restarted, a
# SIGSTOPped daemon restarted by the watchdog, socket activation on first
# connect, a clean stop, the hardening (no writing /etc, no AF_INET), purge;
# then scripts/install-service.sh and uninstall-service.sh the same way;
# then the deployment guide's Linux steps literally (cp the binary, useradd,
# cp config/goxel-daemon.service, enable, start, status,
# scripts/daemon_control.sh health) and its Dockerfile's run (user goxel,
# config/daemon_config.json, --foreground) without docker.
#
# Usage: nspawn_system_test.sh DEB BUILD_DIR SOURCE_DIR
# Needs root and systemd-nspawn (Debian: systemd-container). Everything it
# mounts or starts is undone by the EXIT trap. No network (--private-network).
set -euo pipefail

DEB=${1:?DEB}
BUILD=${2:?BUILD_DIR}
SRC=${3:?SOURCE_DIR}
SOCK=/run/goxel/goxel-daemon.sock
STEP=""

fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
step() { STEP=$*; printf '== %s (%ss)\n' "$*" "$SECONDS"; }

[[ $(id -u) -eq 0 ]] || fail "needs root (it mounts an overlay and boots systemd-nspawn)"
command -v systemd-nspawn >/dev/null ||
  fail "systemd-nspawn not found: apt-get install -y --no-install-recommends systemd-container"
command -v nsenter >/dev/null || fail "nsenter not found (util-linux)"
[[ -f $DEB ]] || fail "no package at $DEB (the packaging.deb_build test makes it)"

WORK=$(mktemp -d /tmp/goxel-nspawn.XXXXXX)
MACHINE=goxel-test-$$
NSPAWN_PID=""
LEADER=""

cleanup() {
  local rc=$?
  set +e
  if ((rc != 0)) && [[ -n $LEADER ]]; then
    printf -- '-- failed at: %s; journal of goxel-daemon:\n' "$STEP" >&2
    nsenter -t "$LEADER" -a journalctl --no-pager -n 60 -u goxel-daemon.service \
      -u goxel-daemon.socket >&2 2>/dev/null
  fi
  if [[ -z $LEADER && -n $NSPAWN_PID ]]; then
    read -r LEADER _ <"/proc/$NSPAWN_PID/task/$NSPAWN_PID/children" 2>/dev/null
  fi
  if [[ -n $LEADER ]] && kill -0 "$LEADER" 2>/dev/null; then
    nsenter -t "$LEADER" -a systemctl poweroff >/dev/null 2>&1
  fi
  if [[ -n $NSPAWN_PID ]]; then
    for _ in $(seq 1 100); do kill -0 "$NSPAWN_PID" 2>/dev/null || break; sleep 0.1; done
    # Still there: SIGKILL to the container's PID 1 ends its whole PID
    # namespace, then nspawn itself.
    if [[ -n $LEADER ]] && kill -0 "$LEADER" 2>/dev/null; then kill -KILL "$LEADER"; fi
    kill -0 "$NSPAWN_PID" 2>/dev/null && kill -KILL "$NSPAWN_PID"
    wait "$NSPAWN_PID" 2>/dev/null
  fi
  if ((rc != 0)) && [[ -f $WORK/nspawn.log ]]; then
    printf -- '-- nspawn log (tail):\n' >&2
    tail -n 20 "$WORK/nspawn.log" >&2
  fi
  mountpoint -q "$WORK/root/merged" && umount "$WORK/root/merged"
  mountpoint -q "$WORK/root" && umount "$WORK/root"
  # nspawn's state in /run and the cgroups it made, once no nspawn runs.
  if ! pgrep -x systemd-nspawn >/dev/null; then
    rm -rf /run/systemd/nspawn
    local d
    for d in /sys/fs/cgroup/{unified,systemd}/{payload,supervisor}; do
      [[ -d $d ]] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
    done
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT

# ct CMD...: run a command inside the container (all its namespaces).
ct() { nsenter -t "$LEADER" -a "$@"; }
prop() { ct systemctl show -P "$2" "$1"; }
main_pid() { prop goxel-daemon.service MainPID; }
# wait_for SECONDS DESCRIPTION CMD...: poll until CMD succeeds.
wait_for() {
  local limit=$1 what=$2 deadline
  shift 2
  deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "$what: not within ${limit}s"
    sleep 0.2
  done
}
# grep reads the whole journal (no -q): under pipefail, journalctl killed by
# SIGPIPE after an early match would fail the pipeline.
journal_has() { ct journalctl --no-pager -u goxel-daemon.service | grep -- "$1" >/dev/null; }
health() { ct goxel-client --socket "$SOCK" --timeout 5 --quiet health; }
active() { [[ $(prop "$1" ActiveState) == active ]]; }
new_pid_active() { local p; p=$(main_pid); [[ $p != 0 && $p != "$1" ]] && active goxel-daemon.service; }

step "boot systemd in a container over an overlay of /"
mkdir -p "$WORK/root"
mount -t tmpfs -o size=512m goxel-nspawn "$WORK/root"
mkdir -p "$WORK/root/upper" "$WORK/root/work" "$WORK/root/merged"
mount -t overlay goxel-ovl -o "lowerdir=/,upperdir=$WORK/root/upper,workdir=$WORK/root/work" \
  "$WORK/root/merged"
M=$WORK/root/merged
# Host services that would start ct the container and get ct the way.
for unit in postgresql.service redis-server.service getty@tty1.service console-getty.service \
  systemd-timesyncd.service e2scrub_reap.service apt-daily.timer apt-daily-upgrade.timer \
  man-db.timer fstrim.timer e2scrub_all.timer dpkg-db-backup.timer ssh.service cron.service \
  systemd-networkd.service systemd-resolved.service machines.target; do
  ln -sf /dev/null "$M/etc/systemd/system/$unit"
done
rm -f "$M"/etc/systemd/system/*/goxel-daemon.* "$M"/etc/systemd/system/goxel-daemon.*
# A container image's policy-rc.d (exit 101) forbids starting services from
# maintainer scripts; the container is a whole system, so it goes (in the
# overlay only).
rm -f "$M/usr/sbin/policy-rc.d"
cp "$DEB" "$M/root/goxel-daemon.deb"
mkdir -p "$M/root/src"
cp -a "$SRC/scripts" "$SRC/packaging" "$SRC/config" "$SRC/client" "$M/root/src/"
# The deployment guide works in a directory holding the binaries beside
# config/ and scripts/ (a release directory).
mkdir -p "$M/opt/goxel-guide"
cp -a "$SRC/scripts" "$SRC/config" "$M/opt/goxel-guide/"
cp "$BUILD/daemon/goxel-daemon" "$BUILD/client/goxel-client" "$M/opt/goxel-guide/"
# install-service.sh installs from the build tree (and the source files its
# install rules name), at their own paths. The overlay of / shows them,
# except under /tmp, where nspawn mounts a fresh tmpfs (a clone built in
# /tmp/x is a plain clone too): there each tree gets an overlay of its own
# (changes go to a temporary directory nspawn removes at exit), on a tmpfs
# for its parent that makes the directories above it (an overlay's mount
# point must exist).
tmp_mounts=() tmp_trees=()
for tree in "$(realpath "$SRC")" "$(realpath "$BUILD")"; do
  [[ $tree == /tmp/?* ]] || continue
  for done_tree in "${tmp_trees[@]}"; do
    [[ $tree == "$done_tree" || $tree == "$done_tree"/* ]] && continue 2
  done
  tmp_trees+=("$tree")
  [[ ${tree%/*} == /tmp ]] || tmp_mounts+=("--tmpfs=${tree%/*}")
  tmp_mounts+=("--overlay=${tree//:/\\:}::${tree//:/\\:}")
done
systemd-nspawn -D "$M" --boot --register=no --keep-unit --private-network -M "$MACHINE" \
  "${tmp_mounts[@]}" --console=pipe </dev/null >"$WORK/nspawn.log" 2>&1 &
NSPAWN_PID=$!
# The container's PID 1 (systemd) is a child of nspawn; an intermediate
# child may show up first, so wait for the one running systemd.
for _ in $(seq 1 100); do
  LEADER=""
  kids=(); read -r -a kids <"/proc/$NSPAWN_PID/task/$NSPAWN_PID/children" 2>/dev/null || true
  for c in "${kids[@]}"; do
    [[ $(cat "/proc/$c/comm" 2>/dev/null) == systemd ]] && LEADER=$c
  done
  [[ -n $LEADER ]] && break
  kill -0 "$NSPAWN_PID" 2>/dev/null || fail "systemd-nspawn exited"
  sleep 0.1
done
[[ -n $LEADER ]] || fail "systemd-nspawn started no container"
wait_for 60 "the container reaching running" \
  sh -c "nsenter -t $LEADER -a systemctl is-system-running --wait | grep -qE 'running|degraded'"

step "dpkg -i: user, directories, units enabled and started by postinst"
ct dpkg -i /root/goxel-daemon.deb >"$WORK/dpkg.log" 2>&1 || { cat "$WORK/dpkg.log" >&2; fail "dpkg -i failed"; }
ct getent passwd goxel | grep -q ':/var/lib/goxel:/usr/sbin/nologin$' || fail "sysusers did not create goxel"
[[ $(ct stat -c '%U:%G %a' /run/goxel) == "goxel:goxel 750" ]] || fail "/run/goxel is $(ct stat -c '%U:%G %a' /run/goxel)"
[[ $(ct stat -c '%U:%G %a' /etc/goxel/daemon_config.json) == "root:goxel 640" ]] || fail "config not root:goxel 0640"
[[ $(ct systemctl is-enabled goxel-daemon.service) == enabled ]] || fail "service not enabled"
[[ $(ct systemctl is-enabled goxel-daemon.socket) == enabled ]] || fail "socket not enabled"
wait_for 10 "goxel-daemon.service active after dpkg -i" active goxel-daemon.service
active goxel-daemon.socket || fail "goxel-daemon.socket is not active"
health || fail "health through $SOCK failed after install"

step "upgrade (dpkg -i of a newer version): edited config kept, service restarted"
# The same package as version VERSION+1: what dpkg does on a real upgrade
# (prerm upgrade, unpack, postinst configure OLD-VERSION).
mkdir "$WORK/upgrade"
dpkg-deb -R "$DEB" "$WORK/upgrade/pkg"
sed -i 's/^Version: .*/&+1/' "$WORK/upgrade/pkg/DEBIAN/control"
dpkg-deb -b --root-owner-group "$WORK/upgrade/pkg" "$M/root/goxel-daemon-upgrade.deb" >/dev/null
rm -rf "$WORK/upgrade"
ct sed -i 's/"workers": 4/"workers": 3/' /etc/goxel/daemon_config.json
pid=$(main_pid)
sock_inode=$(ct stat -c %i "$SOCK")
ct dpkg -i /root/goxel-daemon-upgrade.deb </dev/null >"$WORK/dpkg.log" 2>&1 || { cat "$WORK/dpkg.log" >&2; fail "the upgrade failed"; }
ct grep -q '"workers": 3' /etc/goxel/daemon_config.json || fail "the upgrade overwrote the edited config"
[[ $(ct stat -c '%U:%G %a' /etc/goxel/daemon_config.json) == "root:goxel 640" ]] || fail "config not root:goxel 0640 after the upgrade"
ct getent passwd goxel >/dev/null || fail "user goxel gone after the upgrade"
wait_for 20 "a restarted daemon after the upgrade" new_pid_active "$pid"
health || fail "health after the upgrade"
active goxel-daemon.socket || fail "goxel-daemon.socket is not active after the upgrade"
# The socket unit's socket served throughout: a daemon that bound the path
# itself would have made a new file.
[[ $(ct stat -c %i "$SOCK") == "$sock_inode" ]] || fail "the socket file was replaced during the upgrade"
[[ $(ct goxel-client -s "$SOCK" --raw call goxel.get_config) == *'"workers":3'* ]] ||
  fail "the restarted daemon does not run with the kept config"

step "start is active only after READY (Type=notify)"
ct systemctl stop goxel-daemon.service goxel-daemon.socket
[[ $(prop goxel-daemon.service Type) == notify ]] || fail "Type is not notify"
ct systemctl start goxel-daemon.service    # returns once the unit is active
health || fail "active but health did not answer at once: READY came before serving"
status_text=$(prop goxel-daemon.service StatusText)
[[ -n $status_text ]] || fail "no STATUS= from the daemon: sd_notify is not reaching systemd"
t_exec=$(prop goxel-daemon.service ExecMainStartTimestampMonotonic)
t_active=$(prop goxel-daemon.service ActiveEnterTimestampMonotonic)
((t_active > t_exec)) || fail "active ($t_active) not after exec ($t_exec)"
printf '   READY after %s us; StatusText: %s\n' "$((t_active - t_exec))" "$status_text"
# A daemon that cannot get READY (invalid setting) never makes the unit active.
ct mkdir -p /run/systemd/system/goxel-daemon.service.d
printf '[Service]\nEnvironment=GOXEL_MAX_WORKERS=many\nRestart=no\n' |
  ct tee /run/systemd/system/goxel-daemon.service.d/bad.conf >/dev/null
ct systemctl daemon-reload
ct systemctl restart goxel-daemon.service 2>/dev/null && fail "a daemon with an invalid config became active"
[[ $(prop goxel-daemon.service ActiveState) == failed ]] || fail "bad start did not end failed"
ct rm -rf /run/systemd/system/goxel-daemon.service.d
ct systemctl daemon-reload
ct systemctl reset-failed goxel-daemon.service
ct systemctl start goxel-daemon.socket goxel-daemon.service
health || fail "health after restart"

step "group goxel may use the socket, others may not"
ct useradd -M -G goxel goxeluser
ct useradd -M otheruser
ct runuser -u goxeluser -- goxel-client -s "$SOCK" -q health || fail "a member of goxel was refused"
rc=0; ct runuser -u otheruser -- goxel-client -s "$SOCK" -q health 2>/dev/null || rc=$?
((rc == 3)) || fail "a user outside goxel got exit $rc, not 3 (cannot connect)"

step "systemctl reload (SIGHUP: RELOADING=1 ... READY=1)"
pid=$(main_pid)
ct systemctl reload goxel-daemon.service || fail "reload failed"
[[ $(main_pid) == "$pid" ]] || fail "reload changed the main pid"
ct grep -qi reload /var/log/goxel/goxel-daemon.log || fail "no reload ct /var/log/goxel/goxel-daemon.log"
health || fail "health after reload"

step "hardening: the running daemon's process, and the unit's sandbox"
pstatus=$(ct cat "/proc/$pid/status")
grep -qP '^NoNewPrivs:\t1$' <<<"$pstatus" || fail "NoNewPrivs is not 1"
grep -qP '^Seccomp:\t2$' <<<"$pstatus" || fail "no seccomp filter (Seccomp: 2)"
grep -qP '^CapEff:\t0+$' <<<"$pstatus" || fail "the daemon has capabilities"
grep -qP '^CapBnd:\t0+$' <<<"$pstatus" || fail "the bounding set is not empty"
# Its mount namespace: /etc and /usr read-only, /home and /root hidden.
for dir in /etc /usr; do
  opts=$(ct findmnt --task "$pid" -n -o OPTIONS -T "$dir")
  [[ $opts == ro,* ]] || fail "$dir is mounted '$opts' for the daemon, not read-only"
done
rc=0; ct nsenter -t "$pid" -m -- touch /etc/goxel-probe 2>/dev/null || rc=$?
((rc != 0)) || fail "root inside the daemon's mount namespace could write /etc"
# shellcheck disable=SC2016  # sed's $ is sed's
# A probe started with every setting of the installed unit but ExecStart and
# Type: what the unit lets a process do, tried for real.
ct sed -e '/^ExecStart=/c ExecStart=/usr/bin/python3 /run/goxel-probe.py' -e 's/^Type=notify/Type=oneshot/' \
  -e '/^ExecReload=/d' -e '/^WatchdogSec=/d' -e '/^Restart=/d' -e '/^RuntimeDirectory/d' \
  -e '/^\[Install\]/,$d' /usr/lib/systemd/system/goxel-daemon.service \
  | ct tee /run/systemd/system/goxel-probe.service >/dev/null
ct tee /run/goxel-probe.py >/dev/null <<'EOF'
import os, socket
def refused(what, f):
    try:
        f()
    except OSError as e:
        print(f"{what}: refused ({e.strerror})")
        return
    raise SystemExit(f"{what}: ALLOWED")
refused("write /etc", lambda: open("/etc/goxel-probe", "w"))
refused("write /usr", lambda: open("/usr/goxel-probe", "w"))
refused("list /root", lambda: os.listdir("/root"))
refused("socket AF_INET", lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM))
refused("socket AF_INET6", lambda: socket.socket(socket.AF_INET6, socket.SOCK_DGRAM))
refused("socket AF_NETLINK", lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW))
refused("setuid(0)", lambda: os.setuid(0))
socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).close()
open("/var/lib/goxel/probe", "w").close(); os.unlink("/var/lib/goxel/probe")
print("AF_UNIX and /var/lib/goxel: allowed")
EOF
ct systemctl daemon-reload
ct systemctl start goxel-probe.service || { ct journalctl --no-pager -u goxel-probe.service -n 20 >&2; fail "the hardening probe failed"; }
ct journalctl --no-pager -o cat -u goxel-probe.service | grep -E 'refused|allowed' | sed 's/^/   /'
ct rm -f /run/systemd/system/goxel-probe.service /run/goxel-probe.py
ct systemctl daemon-reload

step "SIGSEGV: Restart=on-failure brings it back"
pid=$(main_pid)
restarts=$(prop goxel-daemon.service NRestarts)
ct kill -SEGV "$pid"
wait_for 20 "a new daemon after SIGSEGV" new_pid_active "$pid"
(($(prop goxel-daemon.service NRestarts) == restarts + 1)) || fail "NRestarts did not grow"
wait_for 10 "health after the crash" health

step "SIGSTOP: the watchdog (WatchdogSec=10) kills and restarts it"
pid=$(main_pid)
ct kill -STOP "$pid"
wait_for 60 "a new daemon after the watchdog fired" new_pid_active "$pid"
# journald may store systemd's message after the restart is visible.
wait_for 10 "'Watchdog timeout' in the journal" journal_has 'Watchdog timeout'
wait_for 10 "health after the watchdog restart" health

step "socket activation: the first connection starts the daemon"
ct systemctl stop goxel-daemon.service
[[ $(prop goxel-daemon.service ActiveState) == inactive ]] || fail "service still running"
active goxel-daemon.socket || fail "socket unit stopped with the service"
ct test -S "$SOCK" || fail "the socket file went away with the service"
health || fail "health through the activation socket"
active goxel-daemon.service || fail "the connection did not start the service"
[[ $(prop goxel-daemon.service TriggeredBy) == *goxel-daemon.socket* ]] || fail "not triggered by the socket"

step "stop is clean"
pid=$(main_pid)
ct systemctl stop goxel-daemon.socket goxel-daemon.service
[[ $(prop goxel-daemon.service Result) == success ]] || fail "Result=$(prop goxel-daemon.service Result)"
[[ $(prop goxel-daemon.service ExecMainStatus) == 0 ]] || fail "exit status $(prop goxel-daemon.service ExecMainStatus)"
ct kill -0 "$pid" 2>/dev/null && fail "the daemon is still running after stop"
ct test -e /run/goxel/goxel-daemon.pid && fail "PID file left behind"
ct test -e "$SOCK" && fail "socket left behind after stopping the socket unit"

step "logrotate: rotate, SIGHUP, a fresh log"
ct systemctl start goxel-daemon.service
ct sh -c 'command -v logrotate' >/dev/null || fail "logrotate not found: apt-get install -y logrotate"
health || fail "health before rotation"
ct logrotate -f /etc/logrotate.d/goxel-daemon || fail "logrotate failed"
ct test -s /var/log/goxel/goxel-daemon.log.1 || fail "no rotated log"
# postrotate reloads (SIGHUP): the daemon reopens the path and logs the reload there.
wait_for 10 "the daemon writing a new log after postrotate" ct grep -qi reload /var/log/goxel/goxel-daemon.log

step "dpkg --remove keeps data and config; --purge removes them"
ct touch /var/lib/goxel/keep-me
ct dpkg --remove goxel-daemon >"$WORK/dpkg.log" 2>&1 || { cat "$WORK/dpkg.log" >&2; fail "dpkg --remove"; }
ct test -e /usr/lib/systemd/system/goxel-daemon.service && fail "unit left after remove"
ct test -e /usr/bin/goxel-daemon && fail "binary left after remove"
[[ $(prop goxel-daemon.service ActiveState) != active ]] || fail "still running after remove"
ct test -e /var/lib/goxel/keep-me || fail "remove deleted data"
ct test -e /etc/goxel/daemon_config.json || fail "remove deleted the conffile"
ct dpkg --purge goxel-daemon >"$WORK/dpkg.log" 2>&1 || { cat "$WORK/dpkg.log" >&2; fail "dpkg --purge"; }
ct test -e /var/lib/goxel && fail "purge left /var/lib/goxel"
ct test -e /etc/goxel/daemon_config.json && fail "purge left the conffile"
ct test -e /etc/systemd/system/multi-user.target.wants/goxel-daemon.service && fail "purge left the enable symlink"

step "install-service.sh: install, run again (idempotent), edited config kept"
# install-service.sh installs by `cmake --install` of the build tree, which
# the container sees through the overlay of / (or its own, under /tmp).
ct test -f "$(realpath "$BUILD")/CMakeCache.txt" || fail "the build tree $BUILD is not visible in the container"
ct /root/src/scripts/install-service.sh --build-dir "$BUILD" >"$WORK/install.log" 2>&1 ||
  { cat "$WORK/install.log" >&2; fail "install-service.sh"; }
grep -q '^healthy$' "$WORK/install.log" || fail "install-service.sh did not report healthy"
active goxel-daemon.service || fail "not active after install-service.sh"
[[ $(ct systemctl is-enabled goxel-daemon.service) == enabled ]] || fail "not enabled"
pid=$(main_pid)
ct sed -i 's/"workers": 4/"workers": 3/' /etc/goxel/daemon_config.json
ct /root/src/scripts/install-service.sh --build-dir "$BUILD" >"$WORK/install.log" 2>&1 ||
  { cat "$WORK/install.log" >&2; fail "install-service.sh, second run"; }
grep -q '^+ ' "$WORK/install.log" && grep '^+ ' "$WORK/install.log" | grep -vE 'systemd-(sysusers|tmpfiles)|systemctl enable|daemon_config.json.new' &&
  fail "the second run changed something (lines above)"
ct grep -q '"workers": 3' /etc/goxel/daemon_config.json || fail "the edited config was overwritten"
ct test -f /etc/goxel/daemon_config.json.new || fail "no daemon_config.json.new beside the edited config"
[[ $(main_pid) == "$pid" ]] || fail "an unchanged second run restarted the daemon"

step "uninstall-service.sh keeps data and config; --purge removes them"
ct /root/src/scripts/uninstall-service.sh >"$WORK/uninstall.log" 2>&1 ||
  { cat "$WORK/uninstall.log" >&2; fail "uninstall-service.sh"; }
ct test -e /etc/systemd/system/goxel-daemon.service && fail "unit left after uninstall"
ct test -e /usr/local/bin/goxel-daemon && fail "binary left after uninstall"
ct kill -0 "$pid" 2>/dev/null && fail "daemon still running after uninstall"
ct test -e /etc/goxel/daemon_config.json || fail "uninstall removed the config"
ct test -d /var/lib/goxel || fail "uninstall removed the data"
ct /root/src/scripts/uninstall-service.sh >/dev/null 2>&1 || fail "a second uninstall failed (not idempotent)"
ct /root/src/scripts/uninstall-service.sh --purge >"$WORK/uninstall.log" 2>&1 ||
  { cat "$WORK/uninstall.log" >&2; fail "uninstall-service.sh --purge"; }
ct test -e /etc/goxel && fail "--purge left /etc/goxel"
ct test -e /var/lib/goxel && fail "--purge left /var/lib/goxel"
ct getent passwd goxel >/dev/null && fail "--purge left the user"

step "the deployment guide's Linux steps, literally"
# From the guide (seeds/goxel-v14-daemon-deployment.md, "Linux (systemd)"),
# command for command, in its working directory; sudo is a no-op for root.
ct tee /opt/goxel-guide/guide-linux.sh >/dev/null <<'GUIDE'
set -ex
command -v sudo >/dev/null || sudo() { "$@"; }
cd /opt/goxel-guide
# 1. Install daemon binary
sudo cp goxel-daemon /usr/bin/
sudo chmod +x /usr/bin/goxel-daemon
# 2. Create user and directories
sudo useradd -r -s /bin/false goxel
sudo mkdir -p /var/lib/goxel /var/log /var/run
sudo chown goxel:goxel /var/lib/goxel
# 3. Install systemd service
sudo cp config/goxel-daemon.service /etc/systemd/system/
sudo systemctl daemon-reload
sudo systemctl enable goxel-daemon
sudo systemctl start goxel-daemon
# 4. Verify deployment
sudo systemctl status goxel-daemon
scripts/daemon_control.sh health
GUIDE
ct test ! -e /etc/goxel/daemon_config.json || fail "a config file is left from the steps above"
ct bash /opt/goxel-guide/guide-linux.sh >"$WORK/guide.log" 2>&1 || { cat "$WORK/guide.log" >&2; fail "the guide's Linux steps failed"; }
grep -q '^healthy: status=ok latency_ms=.* (socket /run/goxel/goxel-daemon.sock)$' "$WORK/guide.log" ||
  { cat "$WORK/guide.log" >&2; fail "daemon_control.sh health did not report healthy on /run/goxel"; }
grep -q 'Active: active (running)' "$WORK/guide.log" || fail "systemctl status did not show active (running)"
active goxel-daemon.service || fail "not active after the guide's steps"
[[ $(ct systemctl is-enabled goxel-daemon.service) == enabled ]] || fail "the guide's enable did not take"
pid=$(main_pid)
[[ $(ct stat -c %U "/proc/$pid") == goxel ]] || fail "the daemon does not run as goxel"
ct journalctl --no-pager -o cat -u goxel-daemon.service | grep 'no config file /etc/goxel/daemon_config.json' >/dev/null ||
  fail "the journal does not say the daemon runs without a config file"
# Others: a member of goxel may use the script; anyone else is told why not.
ct usermod -aG goxel goxeluser
ct runuser -u goxeluser -- /opt/goxel-guide/scripts/daemon_control.sh health >"$WORK/guide.log" 2>&1 ||
  { cat "$WORK/guide.log" >&2; fail "daemon_control.sh health as a member of goxel"; }
rc=0; ct runuser -u otheruser -- /opt/goxel-guide/scripts/daemon_control.sh health >"$WORK/guide.log" 2>&1 || rc=$?
if ((rc != 1)) || ! grep -q 'ermission denied' "$WORK/guide.log"; then
  cat "$WORK/guide.log" >&2
  fail "daemon_control.sh health outside goxel: exit $rc, no 'permission denied'"
fi
# Reload and restart work the same way without a config file.
ct systemctl reload goxel-daemon || fail "reload without a config file"
ct systemctl restart goxel-daemon || fail "restart without a config file"
# The guide installs no goxel-client: the one beside scripts/.
ct /opt/goxel-guide/goxel-client -s "$SOCK" --timeout 5 --quiet health ||
  fail "health after restarting the guide's install"
ct systemctl disable --now goxel-daemon >/dev/null 2>&1 || fail "disable --now"
ct rm -f /etc/systemd/system/goxel-daemon.service
ct systemctl daemon-reload

step "the guide's Dockerfile run without docker: user goxel, config/daemon_config.json"
# The image's steps on this root (useradd and /var/lib/goxel are done):
# COPY config/daemon_config.json /etc/goxel/, USER goxel, its CMD.
ct install -D -m 0644 /opt/goxel-guide/config/daemon_config.json /etc/goxel/daemon_config.json
ct systemd-run --unit goxel-docker -p User=goxel -p Group=goxel --quiet \
  /usr/bin/goxel-daemon --foreground --config /etc/goxel/daemon_config.json ||
  fail "systemd-run of the Dockerfile's CMD"
wait_for 10 "health of the Dockerfile's CMD on /tmp/goxel-daemon.sock" \
  ct /opt/goxel-guide/goxel-client -s /tmp/goxel-daemon.sock --timeout 5 --quiet health
active goxel-docker.service || fail "the Dockerfile's CMD exited"
if ct journalctl --no-pager -o cat -u goxel-docker.service | grep '"level":"error"' >/dev/null; then
  ct journalctl --no-pager -o cat -u goxel-docker.service >&2
  fail "errors in the Dockerfile's run"
fi
ct systemctl stop goxel-docker.service
ct rm -rf /etc/goxel

STEP="done"
printf 'PASS: nspawn system test in %ss\n' "$SECONDS"
