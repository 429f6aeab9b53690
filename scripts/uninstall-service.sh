#!/usr/bin/env bash
# uninstall-service.sh: stop and remove what install-service.sh installed.
#
# Linux: disables and stops goxel-daemon.service and .socket, removes the
# units, binaries, man pages, completion, sysusers/tmpfiles files. macOS:
# boots out and removes the LaunchDaemon (or, with --user-agent, the
# LaunchAgent) and the binaries. Data, logs and configuration stay unless
# --purge (which also removes the goxel/_goxel user). Idempotent: what is
# already gone is skipped. --dry-run prints every step without doing it.
set -euo pipefail

PROG=${0##*/}
PREFIX=/usr/local
DRY_RUN=0
PURGE=0
USER_AGENT=0
OS=$(uname -s)

usage() {
  cat <<EOF2
Usage: $PROG [--prefix DIR] [--purge] [--user-agent] [--os linux|darwin] [--dry-run]

Stops goxel-daemon and removes the service. Keeps data, logs and
configuration unless --purge. --prefix must match the one given to
install-service.sh (default /usr/local).
EOF2
}

say() { printf '%s\n' "$*"; }
die() { printf '%s: error: %s\n' "$PROG" "$1" >&2; exit "${2:-1}"; }
run() {
  printf '+'
  printf ' %q' "$@"
  printf '\n'
  if ((DRY_RUN)); then return 0; fi
  "$@"
}

# remove PATH...: rm each one that exists (all of them under --dry-run).
remove() {
  local p
  for p in "$@"; do
    if ((DRY_RUN)) || [[ -e $p || -L $p ]]; then run rm -rf -- "$p"; fi
  done
}

uninstall_linux() {
  [[ $(id -u) -eq 0 || $DRY_RUN -eq 1 ]] || die "run as root (sudo $PROG)"
  say "== stop and disable"
  if ((DRY_RUN)) || [[ -e /etc/systemd/system/goxel-daemon.service ]]; then
    run systemctl disable --now goxel-daemon.socket goxel-daemon.service
  else
    say "  goxel-daemon.service is not installed"
  fi
  say "== units, binaries, man pages"
  remove /etc/systemd/system/goxel-daemon.service /etc/systemd/system/goxel-daemon.socket
  run systemctl daemon-reload
  remove "$PREFIX/bin/goxel-daemon" "$PREFIX/bin/goxel-client" \
    "$PREFIX/share/man/man8/goxel-daemon.8" "$PREFIX/share/man/man1/goxel-client.1" \
    "$PREFIX/share/bash-completion/completions/goxel-client" "$PREFIX/share/doc/goxel-daemon" \
    /etc/tmpfiles.d/goxel.conf /etc/logrotate.d/goxel-daemon
  if ((PURGE)); then
    say "== purge: configuration, data, logs, user goxel"
    remove /etc/goxel /etc/default/goxel-daemon /var/lib/goxel /var/log/goxel \
      /var/cache/goxel /run/goxel /etc/sysusers.d/goxel.conf
    if ((DRY_RUN)) || getent passwd goxel >/dev/null; then run userdel goxel; fi
    if ((DRY_RUN)) || getent group goxel >/dev/null; then run groupdel goxel; fi
  else
    say "kept: /etc/goxel, /etc/default/goxel-daemon, /var/lib/goxel, /var/log/goxel, user goxel (--purge removes them)"
  fi
}

uninstall_darwin() {
  if ((USER_AGENT)); then
    local dom plist="$HOME/Library/LaunchAgents/com.goxel.daemon.agent.plist"
    dom="gui/$(id -u)"
    say "== LaunchAgent"
    if ((DRY_RUN)) || launchctl print "$dom/com.goxel.daemon.agent" >/dev/null 2>&1; then
      run launchctl bootout "$dom/com.goxel.daemon.agent"
    fi
    remove "$plist"
    if ((PURGE)); then
      remove "$HOME/Library/Application Support/goxel" "$HOME/Library/Logs/goxel" "$HOME/Library/Caches/goxel"
    fi
    say "(binaries in $PREFIX/bin are shared with the system daemon: remove them with sudo $PROG)"
    return 0
  fi
  [[ $(id -u) -eq 0 || $DRY_RUN -eq 1 ]] || die "run as root (sudo $PROG), or use --user-agent"
  say "== LaunchDaemon"
  if ((DRY_RUN)) || launchctl print system/com.goxel.daemon >/dev/null 2>&1; then
    run launchctl bootout system/com.goxel.daemon
  fi
  remove /Library/LaunchDaemons/com.goxel.daemon.plist
  say "== binaries, man pages"
  remove "$PREFIX/bin/goxel-daemon" "$PREFIX/bin/goxel-client" \
    "$PREFIX/share/man/man8/goxel-daemon.8" "$PREFIX/share/man/man1/goxel-client.1"
  if ((PURGE)); then
    say "== purge: configuration, data, logs, user _goxel"
    remove "$PREFIX/etc/goxel" "$PREFIX/var/lib/goxel" "$PREFIX/var/log/goxel" \
      "$PREFIX/var/run/goxel" "$PREFIX/var/cache/goxel"
    if ((DRY_RUN)) || dscl . -read /Users/_goxel >/dev/null 2>&1; then run dscl . -delete /Users/_goxel; fi
    if ((DRY_RUN)) || dscl . -read /Groups/_goxel >/dev/null 2>&1; then run dscl . -delete /Groups/_goxel; fi
  else
    say "kept: $PREFIX/etc/goxel, $PREFIX/var/lib/goxel, $PREFIX/var/log/goxel, user _goxel (--purge removes them)"
  fi
}

main() {
  while (($#)); do
    case $1 in
      -h | --help) usage; exit 0 ;;
      --dry-run) DRY_RUN=1 ;;
      --purge) PURGE=1 ;;
      --user-agent) USER_AGENT=1 ;;
      --prefix | --os)
        (($# >= 2)) || die "$1 needs a value" 2
        if [[ $1 == --prefix ]]; then PREFIX=${2%/}; else OS=$2; fi
        shift ;;
      *) usage >&2; die "unknown argument: $1" 2 ;;
    esac
    shift
  done
  [[ $PREFIX == /* ]] || die "--prefix must be absolute, got '$PREFIX'" 2
  case $OS in
    linux | Linux) uninstall_linux ;;
    darwin | Darwin) uninstall_darwin ;;
    *) die "unsupported OS '$OS' (linux or darwin)" 2 ;;
  esac
  ((DRY_RUN)) && say "dry run: nothing was changed"
  return 0
}

main "$@"
