#!/usr/bin/env bash
# shellcheck disable=SC2016  # maintainer-script text is matched literally
# The Debian package, built by debhelper (debian/, packaging/build-deb.sh)
# from the build tree and checked with dpkg-deb: its file list, conffiles,
# control fields and the maintainer scripts debhelper wrote.
#   build   packaging/build-deb.sh into OUT/ (the fixture the nspawn test installs)
#   check   dpkg-deb -c / -e / -f on OUT/goxel-daemon_*.deb
# Usage: deb_test.sh build|check BUILD_DIR OUT_DIR
set -euo pipefail
case_name=${1:?case}
BUILD=${2:?build dir}
OUT=${3:?out dir}
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
command -v dpkg-deb >/dev/null || fail "dpkg-deb not found (Debian package dpkg)"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ $case_name == build ]]; then
  command -v dh >/dev/null || fail "dh not found: apt-get install -y debhelper"
  bash "$HERE/../../packaging/build-deb.sh" "$BUILD" "$OUT" || fail "packaging/build-deb.sh failed"
  exit 0
fi
[[ $case_name == check ]] || fail "unknown case $case_name"
shopt -s nullglob
debs=("$OUT"/goxel-daemon_*.deb)
((${#debs[@]} == 1)) || fail "want one goxel-daemon_*.deb in $OUT, found ${#debs[@]} (packaging.deb_build makes it)"
DEB=${debs[0]}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

dpkg-deb -c "$DEB" | awk '{print $1, $2, $6}' >"$TMP/list"
want() {  # want MODE PATH
  grep -qx -- "$1 root/root ./${2#/}" "$TMP/list" || fail "missing or wrong: $2 ($1): $(grep -F "${2#/}" "$TMP/list" || echo absent)"
}
want -rwxr-xr-x /usr/bin/goxel-daemon
want -rwxr-xr-x /usr/bin/goxel-client
want -rw-r--r-- /usr/share/man/man8/goxel-daemon.8.gz
want -rw-r--r-- /usr/share/man/man1/goxel-client.1.gz
# bookworm's debhelper handles units in /lib/systemd/system (= /usr/lib/... on
# a merged /usr).
want -rw-r--r-- /lib/systemd/system/goxel-daemon.service
want -rw-r--r-- /lib/systemd/system/goxel-daemon.socket
want -rw-r--r-- /usr/lib/sysusers.d/goxel.conf
want -rw-r--r-- /usr/lib/tmpfiles.d/goxel.conf
want -rw-r--r-- /etc/logrotate.d/goxel-daemon
want -rw-r----- /etc/goxel/daemon_config.json
want -rw-r----- /etc/default/goxel-daemon
want -rw-r--r-- /usr/share/bash-completion/completions/goxel-client
grep -q '/usr/local/' "$TMP/list" && fail "files under /usr/local in the package"
# The one install list: every file CMake's install() rules name is in the
# package (the staged `cmake --install` against dpkg-deb -c).
DESTDIR="$TMP/stage" cmake --install "$BUILD" --prefix /usr >/dev/null || fail "cmake --install failed"
(cd "$TMP/stage" && find . ! -type d | sed 's|^\./usr/lib/systemd/system/|./lib/systemd/system/|') | sort >"$TMP/installed"
awk '$1 !~ /^d/ {sub(/\.gz$/, "", $3); print $3}' "$TMP/list" | sort >"$TMP/packaged"  # dh_compress
comm -23 "$TMP/installed" "$TMP/packaged" | grep . && fail "installed by CMake but not packaged (above)"
unit=$(dpkg-deb --fsys-tarfile "$DEB" | tar -xO ./lib/systemd/system/goxel-daemon.service)
grep -qx 'ExecStart=/usr/bin/goxel-daemon --foreground --optional-config /etc/goxel/daemon_config.json $GOXEL_DAEMON_OPTS' <<<"$unit" ||
  fail "the packaged unit's ExecStart is not /usr/bin/goxel-daemon"

dpkg-deb -e "$DEB" "$TMP/control"
for f in postinst prerm postrm; do
  [[ -x $TMP/control/$f ]] || fail "$f missing or not executable"
  sh -n "$TMP/control/$f" || fail "$f is not valid sh"
done
printf '/etc/default/goxel-daemon\n/etc/goxel/daemon_config.json\n/etc/logrotate.d/goxel-daemon\n' |
  diff - <(sort "$TMP/control/conffiles") || fail "conffiles differ"
# debhelper's maintainer scripts: user and directories before the start,
# the socket and the service enabled and started where systemd runs,
# stopped on remove, forgotten on purge.
check() { grep -qF -- "$2" "$TMP/control/$1" || fail "$1 lacks: $2"; }
check postinst 'Automatically added by dh_installsysusers'
check postinst 'systemd-sysusers ${DPKG_ROOT:+--root="$DPKG_ROOT"} goxel.conf'
check postinst 'systemd-tmpfiles ${DPKG_ROOT:+--root="$DPKG_ROOT"} --create goxel.conf'
check postinst "deb-systemd-helper enable 'goxel-daemon.service'"
check postinst "deb-systemd-helper enable 'goxel-daemon.socket'"
check postinst "deb-systemd-invoke start 'goxel-daemon.socket'"
check postinst "deb-systemd-invoke \$_dh_action 'goxel-daemon.service'"
check prerm "deb-systemd-invoke stop 'goxel-daemon.service'"
check prerm "deb-systemd-invoke stop 'goxel-daemon.socket'"
check postrm "deb-systemd-helper purge 'goxel-daemon.service'"
check postrm "deb-systemd-helper purge 'goxel-daemon.socket'"
check postrm 'rm -rf /var/lib/goxel /var/log/goxel /var/cache/goxel /run/goxel'
# sysusers, then tmpfiles (which gives the configuration its group), then
# the socket, then the service: the daemon must find its user, its readable
# configuration and the listening socket (a service started first binds the
# path itself and the socket unit refuses to start).
order=$(grep -nE 'systemd-sysusers |systemd-tmpfiles |deb-systemd-invoke ' "$TMP/control/postinst" | cut -d: -f1 | tr '\n' ' ')
read -r n_users n_tmp n_socket n_service _ <<<"$order"
((n_users < n_tmp && n_tmp < n_socket && n_socket < n_service)) ||
  fail "postinst order (sysusers, tmpfiles, socket, service) is lines $order"
grep -n 'deb-systemd-invoke ' "$TMP/control/postinst" | head -n 1 | grep -q "'goxel-daemon.socket'" ||
  fail "postinst starts the service before the socket"
# The start happens only where systemd runs: the start line is inside the test.
awk '/\/run\/systemd\/system \]; then/ {inside=1} inside && /deb-systemd-invoke/ {ok=1} /^\tfi$/ {inside=0} END {exit !ok}' \
  "$TMP/control/postinst" || fail "postinst starts the service outside the /run/systemd/system test"
version=$("$BUILD/daemon/goxel-daemon" --version)
[[ $(dpkg-deb -f "$DEB" Version) == "${version##* }" ]] || fail "package version $(dpkg-deb -f "$DEB" Version), build ${version##* }"

# The conffile is the service configuration the units expect.
dpkg-deb --fsys-tarfile "$DEB" | tar -xO ./etc/goxel/daemon_config.json >"$TMP/config.json"
python3 - "$TMP/config.json" <<'PY' || fail "the packaged daemon_config.json is not the service configuration"
import json, sys
d = json.load(open(sys.argv[1]))["daemon"]
assert d["socket_path"] == "/run/goxel/goxel-daemon.sock", d
assert d["log_file"] == "/var/log/goxel/goxel-daemon.log", d
assert d["daemonize"] is False, d
PY
depends=$(dpkg-deb -f "$DEB" Depends)
# systemd-sysusers (dh_installsysusers); deb-systemd-helper is in the
# essential init-system-helpers.
for dep in 'systemd | systemd-standalone-sysusers | systemd-sysusers' libc6; do
  [[ $depends == *"$dep"* ]] || fail "Depends lacks $dep: $depends"
done
# libuv and libpng are linked in (GOXEL_STATIC_DEPS, on by default).
if grep -q '^GOXEL_STATIC_DEPS:BOOL=ON$' "$BUILD/CMakeCache.txt"; then
  for dep in libuv1 libpng16-16; do
    [[ $depends != *"$dep"* ]] || fail "Depends names $dep, linked statically: $depends"
  done
else
  [[ $depends == *libuv1* ]] || fail "Depends lacks libuv1 (GOXEL_STATIC_DEPS=OFF): $depends"
fi
echo "$(basename "$DEB"): $(wc -l <"$TMP/list") entries; Depends: $depends"
