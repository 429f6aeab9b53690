#!/usr/bin/env bash
# scripts/install-service.sh and uninstall-service.sh with --dry-run: every
# step printed, nothing changed. macOS paths are checked here (no launchd on
# Linux); the Linux install runs for real in the nspawn system test.
# The files come from the build tree's CMake install() rules (staged with
# cmake --install in a temporary directory).
# Usage: install_dry_run_test.sh darwin|darwin_agent|linux|usage SOURCE_DIR BUILD_DIR
set -euo pipefail
case_name=${1:?case}
SRC=${2:?source}
BUILD=${3:?build dir}
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
INSTALL=$SRC/scripts/install-service.sh
UNINSTALL=$SRC/scripts/uninstall-service.sh
OUT=$(mktemp)
# The scripts' temporary files go here; it must be empty when they are done.
SCRATCH=$(mktemp -d)
export TMPDIR=$SCRATCH
trap 'rm -f "$OUT"; rm -rf "$SCRATCH"' EXIT
expect() { grep -qF -- "$1" "$OUT" || { cat "$OUT" >&2; fail "dry run did not print: $1"; }; }
# Every line is a heading, a step (+ ...), or a note: nothing ran silently.
only_steps() {
  if grep -vE '^(== |\+ |  |dry run: nothing was changed$|kept: |\(binaries)' "$OUT"; then
    fail "unexpected output above"
  fi
}
snapshot() { { find /etc/systemd/system /etc/goxel /etc/sysusers.d /etc/tmpfiles.d /usr/local/bin /Library -name '*goxel*' 2>/dev/null || true; } | sort; }

before=$(snapshot)
case $case_name in
  darwin)
    bash "$INSTALL" --dry-run --os darwin --prefix /opt/homebrew --build-dir "$BUILD" >"$OUT"
    only_steps
    expect "+ dscl . -create /Users/_goxel UniqueID 301"
    expect "+ dscl . -create /Users/_goxel UserShell /usr/bin/false"
    expect "+ install -d -m 0750 -o _goxel -g _goxel -- /opt/homebrew/var/lib/goxel /opt/homebrew/var/log/goxel /opt/homebrew/var/run/goxel"
    expect "/opt/homebrew/bin/goxel-daemon"
    expect "/opt/homebrew/etc/goxel/daemon_config.json"
    expect "+ install -m 0644 -o root -g wheel -- "
    expect "/Library/LaunchDaemons/com.goxel.daemon.plist"
    expect "+ launchctl bootstrap system /Library/LaunchDaemons/com.goxel.daemon.plist"
    expect "goxel-client --socket /opt/homebrew/var/run/goxel/goxel-daemon.sock"
    expect "dry run: nothing was changed"
    bash "$UNINSTALL" --dry-run --os darwin --prefix /opt/homebrew >"$OUT"
    only_steps
    expect "+ launchctl bootout system/com.goxel.daemon"
    expect "+ rm -rf -- /Library/LaunchDaemons/com.goxel.daemon.plist"
    expect "kept: /opt/homebrew/etc/goxel"
    grep -q 'var/lib/goxel$' <(grep '^+ rm' "$OUT") && fail "uninstall without --purge removes data"
    bash "$UNINSTALL" --dry-run --os darwin --prefix /opt/homebrew --purge >"$OUT"
    expect "+ rm -rf -- /opt/homebrew/var/lib/goxel"
    expect "+ dscl . -delete /Users/_goxel"
    ;;
  darwin_agent)
    HOME=/Users/tester bash "$INSTALL" --dry-run --os darwin --user-agent --build-dir "$BUILD" >"$OUT"
    only_steps
    expect "/Users/tester/Library/LaunchAgents/com.goxel.daemon.agent.plist"
    expect "+ launchctl bootstrap gui/$(id -u) /Users/tester/Library/LaunchAgents/com.goxel.daemon.agent.plist"
    expect "goxel-client --socket /Users/tester/Library/Application\\ Support/goxel/goxel-daemon.sock"
    grep -q dscl "$OUT" && fail "the user agent creates no user"
    HOME=/Users/tester bash "$UNINSTALL" --dry-run --os darwin --user-agent >"$OUT"
    expect "+ launchctl bootout gui/$(id -u)/com.goxel.daemon.agent"
    ;;
  linux)
    bash "$INSTALL" --dry-run --os linux --build-dir "$BUILD" >"$OUT"
    only_steps
    expect "+ systemd-sysusers /etc/sysusers.d/goxel.conf"
    expect "+ systemd-tmpfiles --create /etc/tmpfiles.d/goxel.conf"
    expect "/etc/systemd/system/goxel-daemon.service"
    expect "+ systemctl enable goxel-daemon.socket goxel-daemon.service"
    expect "+ systemctl start goxel-daemon.socket goxel-daemon.service"
    expect "goxel-client --socket /run/goxel/goxel-daemon.sock"
    # One install list: every file CMake installs is placed, the service
    # with ExecStart in the prefix, the configuration in /etc.
    expect "== cmake --install $BUILD --prefix /usr/local"
    for f in /usr/local/bin/goxel-daemon /usr/local/bin/goxel-client \
      /usr/local/share/man/man8/goxel-daemon.8 /usr/local/share/man/man1/goxel-client.1 \
      /usr/local/share/bash-completion/completions/goxel-client \
      /usr/local/share/doc/goxel-daemon/config.md /etc/goxel/daemon_config.json \
      /etc/default/goxel-daemon /etc/logrotate.d/goxel-daemon /etc/sysusers.d/goxel.conf \
      /etc/tmpfiles.d/goxel.conf /etc/systemd/system/goxel-daemon.socket; do
      grep -qE "^\+ install .* -- [^ ]+ $f\$" "$OUT" || { cat "$OUT" >&2; fail "dry run did not install $f"; }
    done
    grep -qE "^\+ install -m 0640 -o root -g goxel -- [^ ]+ /etc/goxel/daemon_config.json\$" "$OUT" ||
      fail "the configuration is not installed root:goxel 0640"
    bash "$UNINSTALL" --dry-run --os linux --purge >"$OUT"
    expect "+ systemctl disable --now goxel-daemon.socket goxel-daemon.service"
    expect "+ rm -rf -- /var/lib/goxel"
    ;;
  usage)
    rc=0; bash "$INSTALL" --bogus >/dev/null 2>&1 || rc=$?
    ((rc == 2)) || fail "unknown option exits $rc, want 2"
    rc=0; bash "$INSTALL" --prefix relative --dry-run >/dev/null 2>&1 || rc=$?
    ((rc == 2)) || fail "relative --prefix exits $rc, want 2"
    rc=0; bash "$INSTALL" --dry-run --os linux --build-dir /nonexistent >/dev/null 2>&1 || rc=$?
    ((rc == 1)) || fail "a missing build tree exits $rc, want 1"
    rc=0; bash "$UNINSTALL" --os plan9 >/dev/null 2>&1 || rc=$?
    ((rc == 2)) || fail "unknown OS exits $rc, want 2"
    ;;
  *) fail "unknown case $case_name" ;;
esac
[[ $(snapshot) == "$before" ]] || fail "the dry run changed files"
leftover=$(ls -A "$SCRATCH")
[[ -z $leftover ]] || fail "the dry run left temporary files: $leftover"
echo "ok: $case_name"
