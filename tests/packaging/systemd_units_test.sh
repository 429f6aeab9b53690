#!/usr/bin/env bash
# Offline checks of packaging/systemd against this machine's systemd:
#   verify      `systemd-analyze verify` prints nothing at all for both units
#   security    `systemd-analyze security` exposure <= 2.0 (--threshold=20)
#   sysusers    goxel.sysusers applied to a temporary root makes user goxel
#   tmpfiles    goxel.tmpfiles applied to a temporary root makes the dirs
#   config      the generated service config loads, and its socket is the
#               socket unit's ListenStream inside RuntimeDirectory
#   no_config   without /etc/goxel/daemon_config.json (the deployment guide
#               installs none) the unit's ExecStart still loads, and the
#               directories systemd passes put the socket at ListenStream
#   guide_copy  config/goxel-daemon.service (what the guide copies) is
#               byte for byte packaging/systemd/goxel-daemon.service
# Usage: systemd_units_test.sh CASE SOURCE_DIR DAEMON_BINARY SERVICE_CONFIG
set -euo pipefail
case_name=${1:?case}
SRC=${2:?source dir}
DAEMON=${3:?goxel-daemon}
CONFIG=${4:?service config}
UNITS=$SRC/packaging/systemd
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
command -v systemd-analyze >/dev/null || fail "systemd-analyze not found: apt-get install -y systemd"

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT

# A root holding the units, the binaries they name and systemd's own units.
stage_root() {
  mkdir -p "$STAGE/usr/bin" "$STAGE/etc/systemd/system" "$STAGE/usr/lib/systemd"
  cp "$DAEMON" "$STAGE/usr/bin/goxel-daemon"
  cp /usr/bin/kill "$STAGE/usr/bin/kill"
  ln -s usr/bin "$STAGE/bin"
  cp -a /usr/lib/systemd/system "$STAGE/usr/lib/systemd/"
  cp "$UNITS/goxel-daemon.service" "$UNITS/goxel-daemon.socket" "$STAGE/etc/systemd/system/"
}

case $case_name in
  verify)
    stage_root
    out=$(cd "$STAGE" && systemd-analyze verify --man=no --root="$STAGE" \
      /etc/systemd/system/goxel-daemon.service /etc/systemd/system/goxel-daemon.socket 2>&1) ||
      fail "systemd-analyze verify exited non-zero: $out"
    [[ -z $out ]] || fail "systemd-analyze verify printed: $out"
    echo "verify: no output"
    ;;
  security)
    stage_root
    out=$(systemd-analyze security --offline=yes --root="$STAGE" --threshold=20 \
      /etc/systemd/system/goxel-daemon.service 2>&1) || {
      printf '%s\n' "$out" | grep -F '✗' >&2
      fail "exposure above 2.0: $(grep 'Overall exposure' <<<"$out")"
    }
    grep 'Overall exposure' <<<"$out"
    ;;
  sysusers)
    mkdir -p "$STAGE/etc"
    systemd-sysusers --root="$STAGE" "$UNITS/goxel.sysusers"
    grep -E '^goxel:x:[0-9]+:[0-9]+:goxel-daemon:/var/lib/goxel:/usr/sbin/nologin$' "$STAGE/etc/passwd" ||
      fail "no system user goxel in $(cat "$STAGE/etc/passwd")"
    grep -E '^goxel:x:[0-9]+:$' "$STAGE/etc/group" || fail "no group goxel"
    uid=$(awk -F: '$1 == "goxel" {print $3}' "$STAGE/etc/passwd")
    ((uid < 1000)) || fail "uid $uid is not a system uid"
    ;;
  tmpfiles)
    mkdir -p "$STAGE/etc"
    systemd-sysusers --root="$STAGE" "$UNITS/goxel.sysusers"
    systemd-tmpfiles --root="$STAGE" --create "$UNITS/goxel.tmpfiles"
    gid=$(awk -F: '$1 == "goxel" {print $3}' "$STAGE/etc/group")
    for d in /run/goxel /var/lib/goxel /var/log/goxel /var/cache/goxel; do
      got=$(stat -c '%a %g' "$STAGE$d") || fail "$d not created"
      [[ $got == "750 $gid" ]] || fail "$d is '$got', want '750 $gid'"
      echo "$d: $got"
    done
    ;;
  config)
    out=$("$DAEMON" --print-config --config "$CONFIG") || fail "the daemon rejects $CONFIG: $out"
    sock=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["daemon"]["socket_path"])' <<<"$out")
    listen=$(sed -n 's/^ListenStream=//p' "$UNITS/goxel-daemon.socket")
    [[ $sock == "$listen" ]] || fail "config socket $sock != socket unit ListenStream $listen"
    rundir=$(sed -n 's/^RuntimeDirectory=//p' "$UNITS/goxel-daemon.service")
    [[ $sock == /run/$rundir/* ]] || fail "socket $sock is not inside RuntimeDirectory=$rundir"
    grep -qx 'RuntimeDirectoryPreserve=yes' "$UNITS/goxel-daemon.service" ||
      fail "the socket unit's socket lives in RuntimeDirectory: RuntimeDirectoryPreserve=yes is needed"
    # shellcheck disable=SC2016  # the unit's own $VARIABLE, literally
    grep -qx 'ExecStart=/usr/bin/goxel-daemon --foreground --optional-config /etc/goxel/daemon_config.json $GOXEL_DAEMON_OPTS' \
      "$UNITS/goxel-daemon.service" || fail "ExecStart changed"
    for key in pid_file log_file working_dir; do
      v=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["daemon"][sys.argv[1]])' "$key" <<<"$out")
      [[ $v == /run/goxel/* || $v == /var/log/goxel/* || $v == /var/lib/goxel ]] ||
        fail "daemon.$key is $v, outside the unit's directories (ProtectSystem=strict)"
    done
    echo "config: socket $sock = ListenStream"
    ;;
  no_config)
    # The unit's own arguments, with a config path that does not exist and
    # the environment systemd gives for RuntimeDirectory= and friends.
    read -r -a argv <<<"$(sed -n 's/^ExecStart=//p' "$UNITS/goxel-daemon.service")"
    [[ ${argv[0]} == /usr/bin/goxel-daemon && ${argv[-1]} == "\$GOXEL_DAEMON_OPTS" ]] ||
      fail "unexpected ExecStart ${argv[*]}"
    args=("${argv[@]:1:${#argv[@]}-2}")
    [[ " ${args[*]} " == *" --optional-config /etc/goxel/daemon_config.json "* ]] ||
      fail "ExecStart does not read /etc/goxel/daemon_config.json optionally: ${args[*]}"
    args=("${args[@]/#\/etc\/goxel\/daemon_config.json/$STAGE/missing/daemon_config.json}")
    rundir=$(sed -n 's/^RuntimeDirectory=//p' "$UNITS/goxel-daemon.service")
    statedir=$(sed -n 's/^StateDirectory=//p' "$UNITS/goxel-daemon.service")
    out=$(env -u GOXEL_CONFIG_FILE -u GOXEL_SOCKET_PATH RUNTIME_DIRECTORY="/run/$rundir" \
      STATE_DIRECTORY="/var/lib/$statedir" "$DAEMON" "${args[@]}" --print-config 2>&1) ||
      fail "the daemon refuses to start without a config file: $out"
    grep -q "no config file $STAGE/missing/daemon_config.json (--optional-config): using the defaults" <<<"$out" ||
      fail "no warning about the missing config file: $out"
    json=${out#*$'\n'}
    sock=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["daemon"]["socket_path"])' <<<"$json")
    data=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["paths"]["data_directory"])' <<<"$json")
    listen=$(sed -n 's/^ListenStream=//p' "$UNITS/goxel-daemon.socket")
    [[ $sock == "$listen" ]] || fail "socket without a config $sock != ListenStream $listen"
    [[ $data == /var/lib/goxel ]] || fail "data_directory without a config is $data"
    echo "no_config: socket $sock, data $data"
    ;;
  guide_copy)
    cmp "$SRC/config/goxel-daemon.service" "$UNITS/goxel-daemon.service" ||
      fail "config/goxel-daemon.service differs from packaging/systemd/goxel-daemon.service: edit the latter and cp it over the former"
    echo "guide_copy: identical"
    ;;
  *) fail "unknown case $case_name" ;;
esac
