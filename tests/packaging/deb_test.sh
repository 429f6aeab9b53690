#!/usr/bin/env bash
# shellcheck disable=SC2016  # maintainer-script text is matched literally
# The Debian package, built with CPack from the build tree and checked with
# dpkg-deb: its file list, conffiles, control fields and maintainer scripts.
#   build   cpack -G DEB into OUT/ (the fixture the nspawn test installs)
#   check   dpkg-deb -c / -e / -f on OUT/goxel-daemon_*.deb
# Usage: deb_test.sh build|check BUILD_DIR OUT_DIR
set -euo pipefail
case_name=${1:?case}
BUILD=${2:?build dir}
OUT=${3:?out dir}
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
command -v dpkg-deb >/dev/null || fail "dpkg-deb not found (Debian package dpkg)"

if [[ $case_name == build ]]; then
  command -v dpkg-shlibdeps >/dev/null || fail "dpkg-shlibdeps not found: apt-get install -y dpkg-dev"
  rm -rf "$OUT"
  mkdir -p "$OUT"
  (cd "$BUILD" && cpack -G DEB -B "$OUT" >"$OUT/cpack.log" 2>&1) || { cat "$OUT/cpack.log" >&2; fail "cpack failed"; }
  rm -rf "$OUT/_CPack_Packages"
  ls "$OUT"/goxel-daemon_*.deb
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
want -rw-r--r-- /usr/share/man/man8/goxel-daemon.8
want -rw-r--r-- /usr/share/man/man1/goxel-client.1
want -rw-r--r-- /usr/lib/systemd/system/goxel-daemon.service
want -rw-r--r-- /usr/lib/systemd/system/goxel-daemon.socket
want -rw-r--r-- /usr/lib/sysusers.d/goxel.conf
want -rw-r--r-- /usr/lib/tmpfiles.d/goxel.conf
want -rw-r--r-- /etc/logrotate.d/goxel-daemon
want -rw-r----- /etc/goxel/daemon_config.json
want -rw-r----- /etc/default/goxel-daemon
want -rw-r--r-- /usr/share/bash-completion/completions/goxel-client
grep -q '/usr/local/' "$TMP/list" && fail "files under /usr/local in the package"

dpkg-deb -e "$DEB" "$TMP/control"
for f in postinst prerm postrm; do
  [[ -x $TMP/control/$f ]] || fail "$f missing or not executable"
  sh -n "$TMP/control/$f" || fail "$f is not valid sh"
done
printf '/etc/goxel/daemon_config.json\n/etc/default/goxel-daemon\n/etc/logrotate.d/goxel-daemon\n' |
  diff - "$TMP/control/conffiles" || fail "conffiles differ"
# The maintainer scripts do what debhelper's would (literal shell text).
check() { grep -qF -- "$2" "$TMP/control/$1" || fail "$1 lacks: $2"; }
check postinst 'systemd-sysusers ${DPKG_ROOT:+--root="$DPKG_ROOT"} goxel.conf'
check postinst 'systemd-tmpfiles ${DPKG_ROOT:+--root="$DPKG_ROOT"} --create goxel.conf'
check postinst "deb-systemd-helper enable 'goxel-daemon.service'"
check postinst "deb-systemd-helper enable 'goxel-daemon.socket'"
check postinst 'if [ -z "${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then'
check postinst "deb-systemd-invoke \$_dh_action 'goxel-daemon.socket' 'goxel-daemon.service'"
check prerm "deb-systemd-invoke stop 'goxel-daemon.service' 'goxel-daemon.socket'"
check postrm "deb-systemd-helper purge 'goxel-daemon.socket' 'goxel-daemon.service'"
check postrm 'rm -rf /var/lib/goxel /var/log/goxel /var/cache/goxel /run/goxel'
# The start happens only where systemd runs: the start line is inside the test.
awk '/\/run\/systemd\/system \]; then/ {inside=1} inside && /deb-systemd-invoke/ {ok=1} /^\tfi$/ {inside=0} END {exit !ok}' \
  "$TMP/control/postinst" || fail "postinst starts the service outside the /run/systemd/system test"

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
for dep in systemd init-system-helpers libc6; do
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
