#!/usr/bin/env bash
# Tests of scripts/daemon_control.sh through the real goxel-daemon and
# goxel-client binaries. Usage: daemon_control_test.sh [CASE...]; with no
# case, runs them all. Needs GOXEL_DAEMON_BINARY and GOXEL_CLIENT_BINARY
# (set by CTest).
set -u
set -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SCRIPT=${GOXEL_CONTROL_SCRIPT:-$HERE/../../scripts/daemon_control.sh}
: "${GOXEL_DAEMON_BINARY:?set GOXEL_DAEMON_BINARY to the goxel-daemon binary}"
: "${GOXEL_CLIENT_BINARY:?set GOXEL_CLIENT_BINARY to the goxel-client binary}"
export GOXEL_DAEMON_BINARY GOXEL_CLIENT_BINARY
export GOXEL_START_TIMEOUT=10 GOXEL_STOP_TIMEOUT=10
unset GOXEL_SOCKET_PATH GOXEL_PID_FILE GOXEL_LOG_FILE GOXEL_CONFIG_FILE \
  GOXEL_WORKING_DIR GOXEL_DAEMON_USER GOXEL_DAEMON_GROUP
# Never the host's installed service: each case names its own.
export GOXEL_CONTROL_SYSTEM_CONFIG="" GOXEL_CONTROL_SERVICE_SOCKETS=""

FAILURES=0
OUT="" RC=0 DIR=""

fail() {
  printf 'FAIL [%s]: %s\n' "$CASE" "$*" >&2
  printf '  exit %s, output:\n%s\n' "$RC" "$OUT" | sed 's/^/    /' >&2
  FAILURES=$((FAILURES + 1))
}

# run ARGS...: the control script with this case's paths; sets OUT and RC.
run() {
  RC=0
  OUT=$("$SCRIPT" -s "$DIR/goxel.sock" -p "$DIR/goxel.pid" -l "$DIR/goxel.log" "$@" 2>&1) || RC=$?
}

expect_rc() { [[ $RC == "$1" ]] || fail "expected exit $1 ${2:-}"; }
expect_out() { [[ $OUT == *"$1"* ]] || fail "expected output to contain '$1'"; }

new_dir() {
  DIR=$(mktemp -d "${TMPDIR:-/tmp}/goxel-ctl-XXXXXX")
  chmod 755 "$DIR"
  # The daemons' data directory: private, never /var/lib/goxel or ~.
  mkdir -p "$DIR/data"
  export GOXEL_DATA_DIR=$DIR/data
}

# Stops whatever a case left running, by the PID it wrote.
cleanup() {
  local pid=""
  [[ -f $DIR/goxel.pid ]] && read -r pid <"$DIR/goxel.pid"
  if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
  fi
  rm -rf -- "$DIR"
}

case_usage() {
  new_dir
  run frobnicate
  expect_rc 2 "for an unknown command"
  expect_out "try:"
  run
  expect_rc 2 "without a command"
  run -b "$DIR/no-such-binary" status
  expect_rc 1 "for a missing binary"
  expect_out "no-such-binary"
  expect_out "try:"
  # The version is the build's, as the daemon binary reports it.
  run -v
  expect_rc 0 "from -v"
  want_version=$("$GOXEL_DAEMON_BINARY" --version)
  expect_out "daemon_control.sh ${want_version##* } ($GOXEL_DAEMON_BINARY)"
  run -h
  expect_rc 0
  for word in start stop restart status health reload test logs install-systemd \
    uninstall-systemd GOXEL_START_TIMEOUT GOXEL_CONFIG_FILE; do
    expect_out "$word"
  done
}

case_not_running() {
  new_dir
  run status
  expect_rc 3 "(LSB: not running)"
  expect_out "not running"
  run health
  expect_rc 1 "when nothing listens"
  expect_out "no such file"
  expect_out "try:"
  run stop
  expect_rc 0 "(stopping a stopped daemon succeeds)"
  expect_out "not running"
  run reload
  expect_rc 3
}

case_lifecycle() {
  new_dir
  run start
  expect_rc 0 "from start"
  expect_out "started (pid"
  local pid=""
  read -r pid <"$DIR/goxel.pid" || fail "no PID file after start"
  kill -0 "$pid" 2>/dev/null || fail "PID $pid from the PID file is not alive"
  run start
  expect_rc 0 "from a second start"
  expect_out "already running (pid $pid"
  run health
  expect_rc 0 "from health"
  expect_out "healthy: status=ok latency_ms="
  run status
  expect_rc 0 "from status"
  for word in "is running as pid $pid on" ", up " "connection" \
    "requests (" "per second on average)." "queue places taken." "MiB of memory."; do
    expect_out "$word"
  done
  run reload
  expect_rc 0 "from reload"
  kill -0 "$pid" 2>/dev/null || fail "reload killed the daemon"
  run logs -n 5 --no-follow
  expect_rc 0 "from logs"
  expect_out '"level"'
  run stop
  expect_rc 0 "from stop"
  expect_out "stopped (pid $pid)"
  [[ ! -r /proc/$pid/stat || $(cut -d' ' -f3 "/proc/$pid/stat") == Z ]] ||
    fail "the daemon $pid is still alive after stop"
  [[ ! -e $DIR/goxel.sock ]] || fail "the socket is left behind after stop"
  run status
  expect_rc 3 "after stop"
}

case_stale_pid_file() {
  new_dir
  sleep 0 &
  local dead=$!
  wait "$dead"
  echo "$dead" >"$DIR/goxel.pid"
  run status
  expect_rc 1 "(LSB: dead but PID file exists)"
  expect_out "stale"
  run start
  expect_rc 0 "from start over a stale PID file"
  local pid=""
  read -r pid <"$DIR/goxel.pid"
  [[ $pid != "$dead" ]] || fail "the stale PID was not replaced"
  run stop
  expect_rc 0
  echo "$dead" >"$DIR/goxel.pid"
  run stop
  expect_rc 0 "stop with a stale PID file"
  expect_out "stale PID file"
  [[ ! -e $DIR/goxel.pid ]] || fail "stop left the stale PID file"
}

# Starts goxel-daemon in the foreground (not through the script) and writes
# its PID file, so health and status are tested whatever the daemon's
# --daemonize support. start_foreground [SOCKET [PIDFILE]].
FG_PID=""
start_foreground() {
  local sock=${1:-$DIR/goxel.sock} pidfile=${2:-$DIR/goxel.pid} wd
  # Each daemon in a directory of its own: its data directory (the working
  # directory) is locked by the daemon that uses it.
  wd=$(mktemp -d "$DIR/fg.XXXXXX")
  (cd "$wd" && exec "$GOXEL_DAEMON_BINARY" --foreground --socket "$sock" --data-dir "$wd") >>"$DIR/fg.log" 2>&1 &
  FG_PID=$!
  echo "$FG_PID" >"$pidfile"
  for _ in $(seq 100); do
    "$GOXEL_CLIENT_BINARY" -s "$sock" --quiet ping 2>/dev/null && return 0
    sleep 0.05
  done
  fail "the daemon did not come up: $(cat "$DIR/fg.log")"
}

# run_bare ARGS...: the control script with no socket or config named.
run_bare() {
  RC=0
  OUT=$("$SCRIPT" "$@" 2>&1) || RC=$?
}

# Where health looks when nothing names the socket: -s and GOXEL_SOCKET_PATH,
# then -c and GOXEL_CONFIG_FILE, then the service configuration, then an
# existing service socket, then the daemon's defaults.
case_socket_lookup() {
  # The daemon's default sockets may be served by a daemon the user runs
  # (scripts/run.sh serves /tmp/goxel-daemon.sock): the case runs in a
  # private mount namespace where they are covered, so it finds only the
  # daemons it starts itself.
  if [[ -z ${GOXEL_TEST_PRIVATE_MOUNTS:-} ]]; then
    local ns=(unshare --mount --propagation private)
    [[ $(id -u) -eq 0 ]] || ns+=(--map-root-user)
    RC=0
    OUT=$("${ns[@]}" env GOXEL_TEST_PRIVATE_MOUNTS=1 bash "$0" socket_lookup 2>&1) || RC=$?
    printf '%s\n' "$OUT"
    [[ $RC == 0 ]] || fail "in a private mount namespace (unshare --mount)"
    return
  fi
  local flag path
  for flag in --daemonize --foreground; do
    path=$("$GOXEL_DAEMON_BINARY" "$flag" --print-config | grep -m1 -o '"socket_path": "[^"]*"' | cut -d'"' -f4)
    for path in "$path" /tmp/goxel-daemon.sock; do
      if [[ -e $path ]]; then
        mount --bind /dev/null "$path" || fail "cannot cover $path"
      fi
    done
  done
  new_dir
  mkdir -p "$DIR/run/goxel" "$DIR/etc"
  export GOXEL_CONTROL_SYSTEM_CONFIG=$DIR/etc/daemon_config.json
  export GOXEL_CONTROL_SERVICE_SOCKETS=$DIR/run/none/goxel-daemon.sock:$DIR/run/goxel/goxel-daemon.sock
  # Nothing running anywhere: the error lists every place in order.
  run_bare health
  expect_rc 1 "with no daemon anywhere"
  local defaults
  defaults="$("$GOXEL_DAEMON_BINARY" --daemonize --print-config | grep -m1 -o '"socket_path": "[^"]*"' | cut -d'"' -f4), /tmp/goxel-daemon.sock"
  expect_out "looked for a daemon at: $DIR/run/none/goxel-daemon.sock, $DIR/run/goxel/goxel-daemon.sock, $defaults"
  # A service socket (the guide's systemd install: no config file).
  start_foreground "$DIR/run/goxel/goxel-daemon.sock" "$DIR/service.pid"
  local service_pid=$FG_PID
  run_bare health
  expect_rc 0 "from health through the service socket"
  expect_out "(socket $DIR/run/goxel/goxel-daemon.sock)"
  run_bare status
  expect_rc 0 "from status through the service socket"
  expect_out "on $DIR/run/goxel/goxel-daemon.sock, up "
  # The service configuration beats the service socket.
  printf '{"daemon": {"socket_path": "%s", "pid_file": "%s"}}\n' \
    "$DIR/configured.sock" "$DIR/goxel.pid" >"$GOXEL_CONTROL_SYSTEM_CONFIG"
  start_foreground "$DIR/configured.sock" "$DIR/goxel.pid"
  run_bare health
  expect_rc 0 "from health through the service configuration"
  expect_out "(socket $DIR/configured.sock)"
  # -c and GOXEL_CONFIG_FILE beat the service configuration.
  printf '{"daemon": {"socket_path": "%s"}}\n' "$DIR/other.sock" >"$DIR/other.json"
  run_bare -c "$DIR/other.json" health
  expect_rc 1 "from health with -c naming a socket nobody serves"
  expect_out "$DIR/other.sock"
  GOXEL_CONFIG_FILE=$DIR/other.json run_bare health
  expect_rc 1 "from health with GOXEL_CONFIG_FILE naming a socket nobody serves"
  expect_out "$DIR/other.sock"
  # -s and GOXEL_SOCKET_PATH beat everything.
  run_bare -s "$DIR/run/goxel/goxel-daemon.sock" health
  expect_rc 0 "from health with -s"
  expect_out "(socket $DIR/run/goxel/goxel-daemon.sock)"
  GOXEL_SOCKET_PATH=$DIR/nobody.sock run_bare health
  expect_rc 1 "from health with GOXEL_SOCKET_PATH naming a socket nobody serves"
  expect_out "$DIR/nobody.sock"
  # An unreadable or missing service configuration is skipped.
  rm -f "$GOXEL_CONTROL_SYSTEM_CONFIG"
  run_bare health
  expect_rc 0 "from health once the service configuration is gone"
  expect_out "(socket $DIR/run/goxel/goxel-daemon.sock)"
  # A service directory one may not look into is where the daemon is: the
  # error says so instead of falling through to /tmp.
  if ((EUID == 0)); then
    chmod 0700 "$DIR/run/none" 2>/dev/null || mkdir -m 0700 "$DIR/run/none"
    RC=0
    OUT=$(setpriv --reuid=nobody --regid=nogroup --clear-groups \
      env GOXEL_CONTROL_SYSTEM_CONFIG="$GOXEL_CONTROL_SYSTEM_CONFIG" \
      GOXEL_CONTROL_SERVICE_SOCKETS="$GOXEL_CONTROL_SERVICE_SOCKETS" "$SCRIPT" health 2>&1) || RC=$?
  else
    mkdir -m 0000 "$DIR/run/none"
    run_bare health
  fi
  expect_rc 1 "from health with an unsearchable service directory"
  expect_out "$DIR/run/none/goxel-daemon.sock"
  expect_out "ermission denied"
  kill -TERM "$service_pid" && wait "$service_pid"
  unset GOXEL_CONTROL_SYSTEM_CONFIG GOXEL_CONTROL_SERVICE_SOCKETS
  export GOXEL_CONTROL_SYSTEM_CONFIG="" GOXEL_CONTROL_SERVICE_SOCKETS=""
}

case_health_and_status() {
  new_dir
  start_foreground
  run health
  expect_rc 0 "from health"
  expect_out "healthy: status=ok latency_ms="
  run status
  expect_rc 0 "from status"
  want_version=$("$GOXEL_DAEMON_BINARY" --version)
  for word in "goxel-daemon ${want_version##* } is running as pid $FG_PID on" ", up " "1 connection open" \
    "0 of 1024 queue places taken." "MiB of memory."; do
    expect_out "$word"
  done
  kill -STOP "$FG_PID"
  GOXEL_HEALTH_TIMEOUT=300 run health
  expect_rc 1 "from health of a stopped (SIGSTOP) daemon"
  expect_out "timed out"
  GOXEL_HEALTH_TIMEOUT=300 run status
  expect_rc 4 "from status of a daemon that does not answer"
  kill -CONT "$FG_PID"
}

case_socket_permission_denied() {
  new_dir
  start_foreground
  local as=()
  if ((EUID == 0)); then
    # root bypasses file permissions: ask as nobody.
    chmod 0660 "$DIR/goxel.sock"
    as=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
  else
    chmod 000 "$DIR/goxel.sock"
  fi
  RC=0
  OUT=$("${as[@]}" "$SCRIPT" -s "$DIR/goxel.sock" -p "$DIR/goxel.pid" -l /dev/null health 2>&1) || RC=$?
  expect_rc 1 "for health without permission"
  expect_out "permission denied — are you in group"
  expect_out "try:"
}

case_self_test() {
  new_dir
  run test
  expect_rc 0 "from the self-test"
  expect_out "self-test passed"
}

case_install_systemd() {
  new_dir
  mkdir -p "$DIR/tree/scripts" "$DIR/units"
  cp "$SCRIPT" "$DIR/tree/scripts/"
  RC=0
  OUT=$(GOXEL_SYSTEMD_DIR=$DIR/units "$DIR/tree/scripts/daemon_control.sh" install-systemd 2>&1) || RC=$?
  expect_rc 1 "without packaging/systemd"
  expect_out "packaging/systemd/goxel-daemon.service is missing"
  mkdir -p "$DIR/tree/packaging/systemd"
  printf '[Service]\nExecStart=/usr/bin/goxel-daemon\n' >"$DIR/tree/packaging/systemd/goxel-daemon.service"
  RC=0
  OUT=$(GOXEL_SYSTEMD_DIR=$DIR/units "$DIR/tree/scripts/daemon_control.sh" install-systemd 2>&1) || RC=$?
  expect_rc 0 "from install-systemd"
  cmp -s "$DIR/tree/packaging/systemd/goxel-daemon.service" "$DIR/units/goxel-daemon.service" ||
    fail "the unit was not installed"
  RC=0
  OUT=$(GOXEL_SYSTEMD_DIR=$DIR/units "$DIR/tree/scripts/daemon_control.sh" uninstall-systemd 2>&1) || RC=$?
  expect_rc 0 "from uninstall-systemd"
  [[ ! -e $DIR/units/goxel-daemon.service ]] || fail "the unit is still installed"
}

ALL=(usage not_running health_and_status lifecycle stale_pid_file socket_permission_denied
  socket_lookup self_test install_systemd)
CASES=("$@")
((${#CASES[@]})) || CASES=("${ALL[@]}")
for CASE in "${CASES[@]}"; do
  declare -F "case_$CASE" >/dev/null || { echo "no case '$CASE'" >&2; exit 2; }
  before=$FAILURES
  "case_$CASE"
  cleanup
  if ((FAILURES == before)); then echo "ok   $CASE"; else echo "FAIL $CASE"; fi
done
((FAILURES == 0))
