#!/usr/bin/env bash
# daemon_control.sh: start, stop and inspect goxel-daemon.
#
# Talks to the daemon for real: `health` and `status` send requests through
# goxel-client; `start` returns once the daemon answers `health`. Under
# systemd (`systemctl is-active goxel-daemon` succeeds) start, stop, restart
# and reload go through systemctl.
#
# Exit codes: 0 ok; 1 failure; 2 usage error; status follows LSB init
# scripts: 0 running, 1 dead but PID file exists, 3 not running, 4 running
# but not answering.

set -u
set -o pipefail

readonly PROG=${0##*/}
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR
readonly REPO_DIR=${SCRIPT_DIR%/scripts}
readonly UNIT_NAME="goxel-daemon"

DAEMON_BINARY=${GOXEL_DAEMON_BINARY:-}
CLIENT_BINARY=${GOXEL_CLIENT_BINARY:-}
PID_FILE=${GOXEL_PID_FILE:-}
SOCKET_PATH=${GOXEL_SOCKET_PATH:-}
LOG_FILE=${GOXEL_LOG_FILE:-}
CONFIG_FILE=${GOXEL_CONFIG_FILE:-}
DAEMON_USER=${GOXEL_DAEMON_USER:-}
DAEMON_GROUP=${GOXEL_DAEMON_GROUP:-}
WORKING_DIR=${GOXEL_WORKING_DIR:-}
START_TIMEOUT=${GOXEL_START_TIMEOUT:-30}
STOP_TIMEOUT=${GOXEL_STOP_TIMEOUT:-30}
HEALTH_TIMEOUT_MS=${GOXEL_HEALTH_TIMEOUT:-5000}
SYSTEMD_DIR=${GOXEL_SYSTEMD_DIR:-/etc/systemd/system}
VERBOSE=0

# Where health, status and logs look for a daemon nobody named (-s, -c or
# their variables): the installed service configuration, then the sockets
# the service units use (systemd; launchd as install-service.sh and as the
# deployment guide lay it out). Overridable (tests, other prefixes).
if [[ $(uname -s) == Darwin ]]; then
  SYSTEM_CONFIG=${GOXEL_CONTROL_SYSTEM_CONFIG-/usr/local/etc/goxel/daemon_config.json}
  SERVICE_SOCKETS=${GOXEL_CONTROL_SERVICE_SOCKETS-/usr/local/var/run/goxel/goxel-daemon.sock:/usr/local/var/run/goxel-daemon.sock}
else
  SYSTEM_CONFIG=${GOXEL_CONTROL_SYSTEM_CONFIG-/etc/goxel/daemon_config.json}
  SERVICE_SOCKETS=${GOXEL_CONTROL_SERVICE_SOCKETS-/run/goxel/goxel-daemon.sock}
fi
SEARCHED=""  # the sockets looked at, for messages

usage() {
  cat <<EOF
Usage: $PROG [options] COMMAND [args]

Commands:
  start              start goxel-daemon --daemonize; wait until it answers health
  stop               stop it (goxel-daemon --stop: TERM, then KILL)
  restart            stop, then start
  status             PID and the daemon's own status; exit 0 running,
                     1 dead with a PID file, 3 not running, 4 not answering
  health             send a health request; exit 0 only on "ok", print latency
  reload             re-read the configuration (SIGHUP through --reload)
  test               start a throw-away daemon on a temporary socket, check
                     health, a call and stop
  logs [-n N] [--no-follow]
                     follow the log file, or the journal under systemd
  install-systemd    install packaging/systemd/$UNIT_NAME.service
  uninstall-systemd  disable and remove the unit

Options (each also read from the environment variable shown):
  -h                 this help
  -v                 print the version
  -V                 verbose: show the commands run
  -b BIN    GOXEL_DAEMON_BINARY  goxel-daemon binary (else PATH, else the build dir)
  -p PID    GOXEL_PID_FILE       PID file
  -s SOCK   GOXEL_SOCKET_PATH    Unix socket
  -l LOG    GOXEL_LOG_FILE       log file
  -c CONF   GOXEL_CONFIG_FILE    daemon_config.json
  -u USER   GOXEL_DAEMON_USER    user to run as
  -g GROUP  GOXEL_DAEMON_GROUP   group to run as
  -w DIR    GOXEL_WORKING_DIR    working directory
Also: GOXEL_START_TIMEOUT (s, 30), GOXEL_STOP_TIMEOUT (s, 30),
GOXEL_HEALTH_TIMEOUT (ms, 5000), GOXEL_CLIENT_BINARY (goxel-client),
GOXEL_SYSTEMD_DIR (unit directory, /etc/systemd/system).

Finding the daemon (health, status, logs), first match wins:
  1. -s / GOXEL_SOCKET_PATH
  2. -c / GOXEL_CONFIG_FILE (its socket)
  3. $SYSTEM_CONFIG, if readable
     (GOXEL_CONTROL_SYSTEM_CONFIG)
  4. the service socket that exists: ${SERVICE_SOCKETS//:/, }
     (GOXEL_CONTROL_SERVICE_SOCKETS, ':'-separated)
  5. the daemon's own default when daemonizing (start), then in the
     foreground (/tmp/goxel-daemon.sock), whichever exists
EOF
}

say() { printf '%s\n' "$*"; }
err() { printf '%s: %s\n' "$PROG" "$*" >&2; }
debug() { if ((VERBOSE)); then printf '+ %s\n' "$*" >&2; fi; }

# die MESSAGE HINT [CODE]: what went wrong, what to try, and exit.
die() {
  err "$1"
  [[ -n ${2:-} ]] && printf '  try: %s\n' "$2" >&2
  exit "${3:-1}"
}

is_number() { [[ $1 =~ ^[0-9]+([.][0-9]+)?$ ]]; }

# The first executable among the candidates, or "".
first_executable() {
  local c
  for c in "$@"; do
    if [[ -n $c && -x $c && ! -d $c ]]; then
      printf '%s\n' "$c"
      return 0
    fi
  done
  return 1
}

find_daemon_binary() {
  if [[ -n $DAEMON_BINARY ]]; then
    [[ -x $DAEMON_BINARY ]] || die "goxel-daemon binary '$DAEMON_BINARY' is not executable" \
      "check the path given with -b or GOXEL_DAEMON_BINARY"
    return
  fi
  local in_path
  in_path=$(command -v goxel-daemon 2>/dev/null || true)
  DAEMON_BINARY=$(first_executable "$in_path" "$REPO_DIR"/build/daemon/goxel-daemon \
    "$REPO_DIR"/build-*/daemon/goxel-daemon) ||
    die "cannot find goxel-daemon (not in PATH, nor in $REPO_DIR/build*/daemon)" \
      "build it (cmake --build build --target goxel-daemon) or pass -b /path/to/goxel-daemon"
}

find_client_binary() {
  [[ -n $CLIENT_BINARY ]] && {
    [[ -x $CLIENT_BINARY ]] || die "goxel-client '$CLIENT_BINARY' is not executable" \
      "check GOXEL_CLIENT_BINARY"
    return
  }
  local bin_dir in_path
  bin_dir=$(dirname "$DAEMON_BINARY")
  in_path=$(command -v goxel-client 2>/dev/null || true)
  # Beside the daemon, in PATH, beside scripts/ (a release directory) or in
  # a build directory of this checkout.
  CLIENT_BINARY=$(first_executable "$bin_dir/goxel-client" "$bin_dir/../client/goxel-client" \
    "$in_path" "$REPO_DIR/goxel-client" "$REPO_DIR"/build/client/goxel-client \
    "$REPO_DIR"/build-*/client/goxel-client) ||
    die "cannot find goxel-client next to $DAEMON_BINARY, in PATH or in the build dir" \
      "build it (cmake --build build --target goxel-client) or set GOXEL_CLIENT_BINARY"
}

# The daemon's flags for the settings given here (flags or environment).
DAEMON_ARGS=()
build_daemon_args() {
  DAEMON_ARGS=()
  [[ -n $SOCKET_PATH ]] && DAEMON_ARGS+=(--socket "$SOCKET_PATH")
  [[ -n $PID_FILE ]] && DAEMON_ARGS+=(--pid-file "$PID_FILE")
  [[ -n $LOG_FILE ]] && DAEMON_ARGS+=(--log-file "$LOG_FILE")
  [[ -n $CONFIG_FILE ]] && DAEMON_ARGS+=(--config "$CONFIG_FILE")
  [[ -n $DAEMON_USER ]] && DAEMON_ARGS+=(--user "$DAEMON_USER")
  [[ -n $DAEMON_GROUP ]] && DAEMON_ARGS+=(--group "$DAEMON_GROUP")
  [[ -n $WORKING_DIR ]] && DAEMON_ARGS+=(--working-dir "$WORKING_DIR")
  if ((VERBOSE)); then DAEMON_ARGS+=(--verbose); fi
  return 0
}

# json_get TEXT PATH...: the values at the dotted PATHs (daemon.socket_path)
# of the JSON object TEXT, one line each: strings as text, other values as
# JSON, a missing key or null as an empty line. Read with Python's json
# module (python3 is already needed by install-service.sh and the build).
json_get() {
  command -v python3 >/dev/null 2>&1 ||
    die "python3 is needed to read the daemon's JSON" "apt-get install -y python3"
  python3 -c '
import json, sys
try:
    doc = json.loads(sys.argv[1])
except ValueError as e:
    sys.exit(f"not JSON ({e}): {sys.argv[1][:200]}")
for path in sys.argv[2:]:
    value = doc
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    if value is None:
        value = ""
    elif not isinstance(value, str):
        value = json.dumps(value)
    print(value.replace("\n", " "))
' "$@"
}

# print_config [FLAG]: the daemon's effective configuration for our settings
# (FLAG: --daemonize or --foreground); dies when the daemon rejects it.
print_config() {
  local cfg
  if ! cfg=$("$DAEMON_BINARY" "${1:---daemonize}" "${DAEMON_ARGS[@]}" --print-config 2>/dev/null); then
    cfg=$("$DAEMON_BINARY" "${1:---daemonize}" "${DAEMON_ARGS[@]}" --print-config 2>&1)
    die "the daemon rejects its configuration: $cfg" \
      "fix the option or config file named above ($DAEMON_BINARY --help lists the flags)"
  fi
  printf '%s\n' "$cfg"
}

# True when SOCKET may be a live daemon's socket: it exists, or its
# directory exists but may not be looked into (the service's 0750
# directory, for someone outside its group: connecting then says why).
socket_candidate() {
  local dir=${1%/*}
  [[ -S $1 ]] || [[ -d ${dir:-/} && ! -x ${dir:-/} ]]
}

# Fills SOCKET_PATH, PID_FILE and LOG_FILE with what the daemon will use,
# as its own --print-config says (config file, environment and defaults).
# With "locate" (health, status, logs) and no socket or config named, it
# looks for a running daemon in the order the help text gives.
resolve_paths() {
  find_daemon_binary
  local locate=0
  if [[ ${1:-} == locate && -z $SOCKET_PATH && -z $CONFIG_FILE ]]; then
    locate=1
    if [[ -n $SYSTEM_CONFIG && -f $SYSTEM_CONFIG && -r $SYSTEM_CONFIG ]]; then
      debug "using the service configuration $SYSTEM_CONFIG"
      CONFIG_FILE=$SYSTEM_CONFIG
      locate=0
    fi
  fi
  build_daemon_args
  local cfg
  cfg=$(print_config) || exit 1
  local paths=()
  mapfile -t paths < <(json_get "$cfg" daemon.socket_path daemon.pid_file daemon.log_file)
  ((${#paths[@]} == 3)) || die "cannot read the daemon's --print-config output" "$DAEMON_BINARY --print-config"
  SOCKET_PATH=${paths[0]} PID_FILE=${paths[1]} LOG_FILE=${paths[2]}
  if ((locate)); then
    local candidate found="" foreground service=()
    foreground=$(print_config --foreground) || exit 1
    foreground=$(json_get "$foreground" daemon.socket_path) || exit 1
    IFS=: read -r -a service <<<"$SERVICE_SOCKETS"
    SEARCHED=""
    for candidate in "${service[@]}" "$SOCKET_PATH" "$foreground"; do
      [[ -n $candidate ]] || continue
      SEARCHED+="${SEARCHED:+, }$candidate"
      if [[ -z $found ]] && socket_candidate "$candidate"; then found=$candidate; fi
    done
    if [[ -n $found && $found != "$SOCKET_PATH" ]]; then
      # A service's socket or the foreground default: their PID file and log
      # are not the daemonize defaults (systemd: no PID file, the journal).
      SOCKET_PATH=$found PID_FILE="" LOG_FILE=""
    fi
    debug "looked for a daemon at: $SEARCHED"
  fi
  build_daemon_args
  find_client_binary
  debug "socket=$SOCKET_PATH pid_file=$PID_FILE log_file=$LOG_FILE"
}

# The PID in the PID file, or "".
read_pid() {
  local pid=""
  [[ -n $PID_FILE && -r $PID_FILE ]] && read -r pid <"$PID_FILE"
  [[ $pid =~ ^[0-9]+$ ]] && printf '%s\n' "$pid"
  return 0
}

# True while process $1 exists and is not a zombie (a daemon whose parent
# is a non-reaping PID 1, as in containers, stays a zombie after exiting).
pid_alive() {
  [[ -n $1 ]] && kill -0 "$1" 2>/dev/null || return 1
  local stat=""
  [[ -r /proc/$1/stat ]] && read -r stat <"/proc/$1/stat" 2>/dev/null
  [[ ${stat##*) } != Z* ]]
}

under_systemd() {
  command -v systemctl >/dev/null 2>&1 &&
    systemctl is-active --quiet "$UNIT_NAME" 2>/dev/null
}

client() {
  debug "$CLIENT_BINARY --socket $SOCKET_PATH $*"
  "$CLIENT_BINARY" --socket "$SOCKET_PATH" "$@"
}

health_timeout_seconds() {
  is_number "$HEALTH_TIMEOUT_MS" || die "GOXEL_HEALTH_TIMEOUT must be milliseconds, got '$HEALTH_TIMEOUT_MS'" \
    "export GOXEL_HEALTH_TIMEOUT=5000" 2
  awk -v ms="$HEALTH_TIMEOUT_MS" 'BEGIN { printf "%.3f", ms / 1000 }'
}

# Polls health until ok or the deadline; 0 when the daemon answered ok.
wait_healthy() {
  local timeout=$1 start now
  start=$(date +%s%N)
  while :; do
    client --timeout 1 --quiet health >/dev/null 2>&1 && return 0
    now=$(date +%s%N)
    (((now - start) / 1000000 >= timeout * 1000)) && return 1
    sleep 0.05
  done
}

cmd_start() {
  if under_systemd; then
    say "$UNIT_NAME is managed by systemd; running: systemctl start $UNIT_NAME"
    exec systemctl start "$UNIT_NAME"
  fi
  resolve_paths
  is_number "$START_TIMEOUT" || die "GOXEL_START_TIMEOUT must be seconds, got '$START_TIMEOUT'" \
    "export GOXEL_START_TIMEOUT=30" 2
  local pid
  pid=$(read_pid)
  if pid_alive "$pid" && client --timeout 2 --quiet health >/dev/null 2>&1; then
    say "goxel-daemon is already running (pid $pid, socket $SOCKET_PATH)"
    return 0
  fi
  prepare_data_dir
  local out rc=0
  debug "$DAEMON_BINARY --daemonize ${DAEMON_ARGS[*]}"
  # The launcher returns once the daemon is ready; bound it in case it never
  # detaches (a goxel-daemon without --daemonize would serve in the foreground).
  out=$(timeout "${START_TIMEOUT%.*}" "$DAEMON_BINARY" --daemonize "${DAEMON_ARGS[@]}" 2>&1) || rc=$?
  if ((rc == 124)); then
    die "goxel-daemon did not detach within ${START_TIMEOUT}s (stopped it)" \
      "check that $DAEMON_BINARY supports --daemonize ($DAEMON_BINARY --help), or raise GOXEL_START_TIMEOUT"
  fi
  if ((rc != 0)); then
    err "goxel-daemon did not start (exit $rc): ${out:-no message}"
    [[ -n $LOG_FILE ]] && printf '  see the log: %s\n' "$LOG_FILE" >&2
    printf '  try: %s -V start, or run it in the foreground: %s --foreground %s\n' \
      "$PROG" "$DAEMON_BINARY" "${DAEMON_ARGS[*]}" >&2
    return 1
  fi
  if ! wait_healthy "${START_TIMEOUT%.*}"; then
    die "goxel-daemon started but did not answer health on $SOCKET_PATH within ${START_TIMEOUT}s" \
      "read the log ($LOG_FILE), raise GOXEL_START_TIMEOUT, or run $PROG status"
  fi
  say "goxel-daemon started (pid $(read_pid), socket $SOCKET_PATH)"
}

# The daemon refuses to start without a usable data directory (it exits 1
# naming it). Started as root with the default one (/var/lib/goxel, as
# --daemonize has it), create it for the user the daemon will run as.
prepare_data_dir() {
  local cfg dir user
  cfg=$(print_config) || exit 1
  dir=$(json_get "$cfg" paths.data_directory) || exit 1
  [[ -n $dir ]] || dir=/var/lib/goxel
  [[ -d $dir || $(id -u) -ne 0 ]] && return 0
  user=$(json_get "$cfg" daemon.user) || exit 1
  if ! { mkdir -p -- "$dir" && chmod 0750 -- "$dir"; }; then
    die "cannot create the data directory $dir" \
      "create it, or name another one with GOXEL_DATA_DIR or paths.data_directory"
  fi
  if [[ -n $user ]]; then
    chown -- "$user:" "$dir" || die "cannot give $dir to user $user" \
      "chown $user $dir, or run the daemon as another user (-u)"
  fi
  say "created the data directory $dir"
}

cmd_stop() {
  if under_systemd; then
    say "$UNIT_NAME is managed by systemd; running: systemctl stop $UNIT_NAME"
    exec systemctl stop "$UNIT_NAME"
  fi
  resolve_paths
  local pid
  pid=$(read_pid)
  if ! pid_alive "$pid"; then
    if [[ -n $pid ]]; then
      say "goxel-daemon is not running (stale PID file $PID_FILE names $pid; removing it)"
      rm -f -- "$PID_FILE" || err "cannot remove $PID_FILE"
    else
      say "goxel-daemon is not running (no PID in ${PID_FILE:-any PID file})"
    fi
    return 0
  fi
  local out rc=0
  debug "$DAEMON_BINARY --stop ${DAEMON_ARGS[*]}"
  out=$(timeout "$((${STOP_TIMEOUT%.*} + 5))" "$DAEMON_BINARY" --stop "${DAEMON_ARGS[@]}" 2>&1) || rc=$?
  if ((rc != 0)) || pid_alive "$pid"; then
    die "goxel-daemon (pid $pid) did not stop (exit $rc): ${out:-no message}" \
      "kill -TERM $pid, then check $PROG status; the log is ${LOG_FILE:-stderr}"
  fi
  say "goxel-daemon stopped (pid $pid)"
}

cmd_status() {
  resolve_paths locate
  local pid reply
  pid=$(read_pid)
  if ! pid_alive "$pid"; then
    if [[ -n $pid ]]; then
      say "goxel-daemon is not running, but its PID file $PID_FILE names $pid (stale)"
      say "  try: $PROG start (a stale PID file is replaced), or rm $PID_FILE"
      return 1
    fi
    if client --timeout 2 --quiet ping >/dev/null 2>&1; then
      say "a goxel-daemon answers on $SOCKET_PATH but ${PID_FILE:-no PID file} names no live process"
    else
      say "goxel-daemon is not running (no PID file at ${PID_FILE:-?}, socket $SOCKET_PATH)"
      return 3
    fi
  fi
  if ! reply=$(client --timeout "$(health_timeout_seconds)" --json=short --raw status 2>&1); then
    say "goxel-daemon is running (pid $pid) but does not answer on $SOCKET_PATH: $reply"
    say "  try: $PROG health, or look at the log ${LOG_FILE:-(stderr)}"
    return 4
  fi
  local f=()
  mapfile -t f < <(json_get "$reply" pid uptime_seconds connections queue_depth \
    queue_capacity workers_busy workers requests_served requests_per_second \
    memory_rss_bytes version)
  ((${#f[@]} == 11)) || { say "goxel-daemon answered status with what is not JSON: $reply"; return 4; }
  awk -v version="${f[10]}" -v socket="$SOCKET_PATH" \
    -v pid="${f[0]}" -v up="${f[1]:-0}" -v conns="${f[2]:-0}" \
    -v depth="${f[3]:-0}" -v cap="${f[4]:-0}" -v busy="${f[5]:-0}" \
    -v workers="${f[6]:-0}" -v served="${f[7]:-0}" -v rate="${f[8]:-0}" \
    -v rss="${f[9]:-0}" '
    function plural(n, word) { return n " " word (n == 1 ? "" : "s") }
    function duration(s) {
      if (s < 60) return sprintf("%d seconds", s)
      if (s < 3600) return sprintf("%d min %d s", s / 60, s % 60)
      if (s < 86400) return sprintf("%d h %d min", s / 3600, (s % 3600) / 60)
      return sprintf("%d days %d h", s / 86400, (s % 86400) / 3600)
    }
    BEGIN {
      printf "goxel-daemon %s is running as pid %s on %s, up %s.\n",
        version, pid, socket, duration(int(up))
      printf "It has %s open and has served %s (%.1f per second on average).\n",
        plural(conns, "connection"), plural(served, "request"), rate
      printf "%s of %d workers busy; %d of %d queue places taken.\n",
        busy, workers, depth, cap
      printf "It uses %.1f MiB of memory.\n", rss / 1048576
    }'
}

cmd_health() {
  resolve_paths locate
  local out rc=0
  out=$(client --timeout "$(health_timeout_seconds)" health --latency 2>&1) || rc=$?
  if ((rc == 0)); then
    say "healthy: ${out} (socket $SOCKET_PATH)"
    return 0
  fi
  err "unhealthy: $out"
  [[ -n $SEARCHED ]] && printf '  looked for a daemon at: %s\n' "$SEARCHED" >&2
  case $rc in
    3) printf '  try: %s start, or %s status\n' "$PROG" "$PROG" >&2 ;;
    4) printf '  try: %s status (is the daemon overloaded?), or raise GOXEL_HEALTH_TIMEOUT\n' "$PROG" >&2 ;;
    *) printf '  try: %s status, and read the log %s\n' "$PROG" "${LOG_FILE:-(stderr)}" >&2 ;;
  esac
  return 1
}

cmd_reload() {
  if under_systemd; then
    say "$UNIT_NAME is managed by systemd; running: systemctl reload $UNIT_NAME"
    exec systemctl reload "$UNIT_NAME"
  fi
  resolve_paths
  local pid out rc=0
  pid=$(read_pid)
  pid_alive "$pid" || die "goxel-daemon is not running; nothing to reload" "$PROG start" 3
  out=$(timeout 10 "$DAEMON_BINARY" --reload "${DAEMON_ARGS[@]}" 2>&1) || rc=$?
  ((rc == 0)) || die "reload failed (exit $rc): ${out:-no message}" \
    "check the configuration with $DAEMON_BINARY --print-config ${DAEMON_ARGS[*]}"
  if ! wait_healthy 5; then
    die "goxel-daemon does not answer health after the reload" "$PROG status; read ${LOG_FILE:-the log}"
  fi
  say "goxel-daemon reloaded (pid $pid)"
}

cmd_logs() {
  local lines=50 follow=1
  while (($#)); do
    case $1 in
      -n) lines=${2:-}; shift ;;
      --no-follow) follow=0 ;;
      *) die "logs: unknown argument '$1'" "$PROG logs [-n N] [--no-follow]" 2 ;;
    esac
    shift
  done
  [[ $lines =~ ^[0-9]+$ ]] || die "logs: -n needs a number of lines" "$PROG logs -n 100" 2
  resolve_paths locate
  if [[ -n $LOG_FILE && -e $LOG_FILE ]]; then
    [[ -r $LOG_FILE ]] || die "cannot read $LOG_FILE" "run as root, or as a member of the log file's group"
    if ((follow)); then exec tail -n "$lines" -F -- "$LOG_FILE"; fi
    exec tail -n "$lines" -- "$LOG_FILE"
  fi
  if command -v journalctl >/dev/null 2>&1; then
    if ((follow)); then exec journalctl -u "$UNIT_NAME" -n "$lines" -f; fi
    exec journalctl -u "$UNIT_NAME" -n "$lines" --no-pager
  fi
  die "no log file (${LOG_FILE:-none configured}) and no journal" \
    "start the daemon with -l /path/to/goxel-daemon.log"
}

cmd_test() {
  find_daemon_binary
  find_client_binary
  local dir
  dir=$(mktemp -d "${TMPDIR:-/tmp}/goxel-control-test.XXXXXX") || die "mktemp failed" "check \$TMPDIR"
  # shellcheck disable=SC2064  # expand $dir now
  trap "rm -rf -- '$dir'" EXIT
  SOCKET_PATH=$dir/goxel.sock PID_FILE=$dir/goxel.pid LOG_FILE=$dir/goxel.log
  CONFIG_FILE="" WORKING_DIR=""
  local step
  for step in start health status stop; do
    say "== $step"
    if ! (cmd_"$step"); then
      err "self-test failed at '$step'; the daemon's log follows"
      cat -- "$LOG_FILE" >&2 2>/dev/null
      (cmd_stop >/dev/null 2>&1)
      return 1
    fi
  done
  [[ ! -e $SOCKET_PATH ]] || die "the socket $SOCKET_PATH is still there after stop" "report a bug"
  say "self-test passed"
}

unit_source() {
  first_executable_file "$REPO_DIR/packaging/systemd/$UNIT_NAME.service" \
    "/usr/share/goxel-daemon/systemd/$UNIT_NAME.service"
}

first_executable_file() {
  local c
  for c in "$@"; do [[ -f $c ]] && { printf '%s\n' "$c"; return 0; }; done
  return 1
}

cmd_install_systemd() {
  local src
  src=$(unit_source) || die "no unit file: $REPO_DIR/packaging/systemd/$UNIT_NAME.service is missing" \
    "check out the full source tree (packaging/systemd/), or install the package"
  [[ -d $SYSTEMD_DIR && -w $SYSTEMD_DIR ]] || die "cannot write to $SYSTEMD_DIR" "run as root: sudo $PROG install-systemd"
  install -m 0644 -- "$src" "$SYSTEMD_DIR/$UNIT_NAME.service" || die "cannot install $src" "check $SYSTEMD_DIR"
  local sock=${src%.service}.socket
  if [[ -f $sock ]]; then install -m 0644 -- "$sock" "$SYSTEMD_DIR/$UNIT_NAME.socket" || die "cannot install $sock" "check $SYSTEMD_DIR"; fi
  say "installed $SYSTEMD_DIR/$UNIT_NAME.service"
  if [[ -d /run/systemd/system ]]; then
    systemctl daemon-reload || die "systemctl daemon-reload failed" "journalctl -xe"
    say "next: systemctl enable --now $UNIT_NAME"
  else
    say "systemd is not running here; run 'systemctl daemon-reload' on the target system"
  fi
  getent passwd goxel >/dev/null 2>&1 || say "note: no user 'goxel' yet: useradd -r -s /usr/sbin/nologin goxel"
}

cmd_uninstall_systemd() {
  local unit=$SYSTEMD_DIR/$UNIT_NAME.service
  [[ -e $unit ]] || die "$unit is not installed" "nothing to do"
  [[ -w $SYSTEMD_DIR ]] || die "cannot write to $SYSTEMD_DIR" "run as root: sudo $PROG uninstall-systemd"
  if [[ -d /run/systemd/system ]]; then
    systemctl disable --now "$UNIT_NAME" 2>/dev/null || err "could not disable $UNIT_NAME (continuing)"
  fi
  rm -f -- "$unit" "$SYSTEMD_DIR/$UNIT_NAME.socket" || die "cannot remove $unit" "check permissions"
  if [[ -d /run/systemd/system ]]; then systemctl daemon-reload; fi
  say "removed $unit"
}

# The version is the build's: the goxel-daemon this script drives says it.
cmd_version() {
  find_daemon_binary
  local v
  v=$("$DAEMON_BINARY" --version) || die "$DAEMON_BINARY --version failed" "check the binary (-b)"
  say "$PROG ${v##* } ($DAEMON_BINARY)"
}

main() {
  local command="" args=() show_version=0
  while (($#)); do
    case $1 in
      -h | --help) usage; exit 0 ;;
      -v | --version) show_version=1 ;;
      -V | --verbose) VERBOSE=1 ;;
      -b | -p | -s | -l | -c | -u | -g | -w)
        (($# >= 2)) || die "option $1 needs a value" "$PROG -h" 2
        case $1 in
          -b) DAEMON_BINARY=$2 ;; -p) PID_FILE=$2 ;; -s) SOCKET_PATH=$2 ;;
          -l) LOG_FILE=$2 ;; -c) CONFIG_FILE=$2 ;; -u) DAEMON_USER=$2 ;;
          -g) DAEMON_GROUP=$2 ;; -w) WORKING_DIR=$2 ;;
        esac
        shift
        ;;
      -*)
        if [[ -n $command ]]; then args+=("$1"); else die "unknown option '$1'" "$PROG -h" 2; fi
        ;;
      *)
        if [[ -z $command ]]; then command=$1; else args+=("$1"); fi
        ;;
    esac
    shift
  done
  if ((show_version)); then cmd_version; exit 0; fi
  case $command in
    start | stop | status | health | reload | test | install-systemd | uninstall-systemd)
      ((${#args[@]} == 0)) || die "$command takes no arguments, got '${args[*]}'" "$PROG -h" 2
      ;;
  esac
  case $command in
    start) cmd_start ;;
    stop) cmd_stop ;;
    restart)
      if under_systemd; then exec systemctl restart "$UNIT_NAME"; fi
      (cmd_stop) && cmd_start
      ;;
    status) cmd_status ;;
    health) cmd_health ;;
    reload) cmd_reload ;;
    test) cmd_test ;;
    logs) cmd_logs "${args[@]}" ;;
    install-systemd) cmd_install_systemd ;;
    uninstall-systemd) cmd_uninstall_systemd ;;
    "") usage >&2; exit 2 ;;
    *) die "unknown command '$command'" "$PROG -h lists the commands" 2 ;;
  esac
}

main "$@"
