#!/usr/bin/env bash
# install-service.sh: install goxel-daemon as a service, from a build tree.
#
# Linux (systemd): user and group goxel (sysusers), directories (tmpfiles),
# the daemon and client in PREFIX/bin, man pages and bash completion, the
# service configuration /etc/goxel/daemon_config.json, /etc/default/goxel-daemon,
# logrotate, goxel-daemon.service and .socket in /etc/systemd/system; then
# enable and start both and check health on /run/goxel/goxel-daemon.sock.
# macOS (launchd): user and group _goxel (dscl), directories below PREFIX/var,
# binaries, PREFIX/etc/goxel/daemon_config.json and
# /Library/LaunchDaemons/com.goxel.daemon.plist, bootstrapped; or with
# --user-agent a LaunchAgent for the current user. Then a health check.
#
# Idempotent: a second run changes nothing and says so. An edited
# configuration is never overwritten (the new one is written beside it as
# daemon_config.json.new). --dry-run prints every step without doing it.
# Exit codes: 0 installed and healthy; 1 a step failed; 2 usage error.
set -euo pipefail

PROG=${0##*/}
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/.." && pwd)
PKG_DIR=$REPO_DIR/packaging

PREFIX=/usr/local
DRY_RUN=0
USER_AGENT=0
START=1
WITH_MCP=0
OS=$(uname -s)
BUILD_DIR=${GOXEL_BUILD_DIR:-}
DAEMON_BIN=${GOXEL_DAEMON_BINARY:-}
CLIENT_BIN=${GOXEL_CLIENT_BINARY:-}
DARWIN_UID=${GOXEL_DARWIN_UID:-301}
HEALTH_TIMEOUT=${GOXEL_HEALTH_TIMEOUT_S:-15}
CHANGED=0

usage() {
  cat <<EOF
Usage: $PROG [options]

Installs goxel-daemon as a systemd service (Linux) or a launchd daemon
(macOS), starts it and checks its health. Run as root (except --user-agent).

Options:
  --prefix DIR      where bin/ and share/ go (default /usr/local)
  --build-dir DIR   build tree holding daemon/goxel-daemon and
                    client/goxel-client (default: build/ of this checkout)
  --daemon BIN      the goxel-daemon binary (overrides --build-dir)
  --client BIN      the goxel-client binary (overrides --build-dir)
  --os linux|darwin install for this OS (default: this machine's, $(uname -s))
  --user-agent      macOS: a LaunchAgent for the current user, no root
  --no-start        install and enable, but do not start or check health
  --with-mcp        also install goxel-mcp (the MCP server for AI agents) in
                    PREFIX/lib/goxel-mcp with its dependencies (npm ci from
                    the lockfile; needs node >= 18 and npm), PREFIX/bin/goxel-mcp
                    and, on Linux, goxel-mcp.service (installed, not enabled)
  --dry-run         print every step, change nothing
  -h, --help        this help
Environment: GOXEL_DARWIN_UID (UniqueID/PrimaryGroupID of _goxel, 301),
GOXEL_HEALTH_TIMEOUT_S (15).
EOF
}

say() { printf '%s\n' "$*"; }
die() { printf '%s: error: %s\n' "$PROG" "$1" >&2; exit "${2:-1}"; }

# run CMD...: print the step; run it unless --dry-run.
run() {
  printf '+'
  printf ' %q' "$@"
  printf '\n'
  if ((DRY_RUN)); then return 0; fi
  "$@"
}

# put SRC DEST MODE [OWNER:GROUP]: install a file when it is missing or
# different (so a second run changes nothing).
put() {
  local src=$1 dest=$2 mode=$3 owner=${4:-}
  if [[ -f $dest ]] && cmp -s -- "$src" "$dest"; then
    say "  unchanged: $dest"
    return 0
  fi
  [[ -d $(dirname "$dest") ]] || run install -d -m 0755 -- "$(dirname "$dest")"
  if [[ -n $owner ]]; then
    run install -m "$mode" -o "${owner%%:*}" -g "${owner##*:}" -- "$src" "$dest"
  else
    run install -m "$mode" -- "$src" "$dest"
  fi
  CHANGED=1
}

# put_config SRC DEST MODE OWNER:GROUP: like put, but an existing file that
# differs is the administrator's: keep it, write SRC beside it as DEST.new.
put_config() {
  local src=$1 dest=$2
  if [[ -f $dest ]] && ! cmp -s -- "$src" "$dest"; then
    say "  keeping the edited $dest; the packaged one is $dest.new"
    put "$src" "$dest.new" "$3" "$4"
    return 0
  fi
  put "$@"
}

# render SRC SED_SCRIPT: SRC with sed applied, in a temporary file (printed).
render() {
  local out
  out=$(mktemp "${TMPDIR:-/tmp}/goxel-install.XXXXXX")
  TEMP_FILES+=("$out")
  sed -e "$2" -- "$1" >"$out"
  printf '%s\n' "$out"
}
TEMP_FILES=()
cleanup() { ((${#TEMP_FILES[@]})) && rm -f -- "${TEMP_FILES[@]}"; return 0; }
trap cleanup EXIT

find_binaries() {
  local build=${BUILD_DIR:-$REPO_DIR/build}
  DAEMON_BIN=${DAEMON_BIN:-$build/daemon/goxel-daemon}
  CLIENT_BIN=${CLIENT_BIN:-$build/client/goxel-client}
  [[ -x $DAEMON_BIN ]] || die "no goxel-daemon at $DAEMON_BIN: build first (cmake --build build) or pass --daemon BIN"
  [[ -x $CLIENT_BIN ]] || die "no goxel-client at $CLIENT_BIN: build first or pass --client BIN"
}

# service_config PLATFORM [ARGS...]: the generated service configuration.
service_config() {
  command -v python3 >/dev/null 2>&1 || die "python3 is needed to write the service configuration (packaging/service_config.py)"
  local out
  out=$(mktemp "${TMPDIR:-/tmp}/goxel-config.XXXXXX")
  TEMP_FILES+=("$out")
  python3 "$PKG_DIR/service_config.py" --platform "$@" "$REPO_DIR/config/daemon_config.json" "$out"
  printf '%s\n' "$out"
}

install_common_files() {
  say "== binaries, man pages, bash completion ($PREFIX)"
  put "$DAEMON_BIN" "$PREFIX/bin/goxel-daemon" 0755
  put "$CLIENT_BIN" "$PREFIX/bin/goxel-client" 0755
  put "$PKG_DIR/man/goxel-daemon.8" "$PREFIX/share/man/man8/goxel-daemon.8" 0644
  put "$REPO_DIR/client/goxel-client.1" "$PREFIX/share/man/man1/goxel-client.1" 0644
}

# goxel-mcp: its files in PREFIX/lib/goxel-mcp (the daemon manager in lib/),
# its dependencies from the lockfile, and a PREFIX/bin/goxel-mcp wrapper.
install_mcp() {
  local dir=$PREFIX/lib/goxel-mcp f wrapper
  say "== goxel-mcp ($dir)"
  command -v npm >/dev/null 2>&1 || ((DRY_RUN)) || die "--with-mcp needs node (>= 18) and npm"
  for f in package.json package-lock.json README.md bin/goxel-mcp.js; do
    put "$REPO_DIR/client/mcp/$f" "$dir/$f" 0644
  done
  for f in "$REPO_DIR"/client/mcp/src/*.js; do
    put "$f" "$dir/src/${f##*/}" 0644
  done
  run chmod 0755 "$dir/bin/goxel-mcp.js"
  put "$REPO_DIR/scripts/mcp_daemon_manager.js" "$dir/lib/mcp_daemon_manager.js" 0644
  run npm ci --omit=dev --no-audit --no-fund --prefix "$dir"
  wrapper=$(mktemp "${TMPDIR:-/tmp}/goxel-mcp.XXXXXX")
  TEMP_FILES+=("$wrapper")
  printf '#!/bin/sh\nexec node %s/bin/goxel-mcp.js "$@"\n' "$dir" >"$wrapper"
  put "$wrapper" "$PREFIX/bin/goxel-mcp" 0755
}

# health SOCKET [ENV...]: wait until goxel-client health answers ok.
health() {
  local sock=$1 deadline=$((SECONDS + HEALTH_TIMEOUT))
  say "== health check on $sock"
  if ((DRY_RUN)); then
    printf "+ %q --socket %q --timeout 5 health  # retried for %ss\n" "$PREFIX/bin/goxel-client" "$sock" "$HEALTH_TIMEOUT"
    return 0
  fi
  until "$PREFIX/bin/goxel-client" --socket "$sock" --timeout 5 --quiet health; do
    ((SECONDS < deadline)) || die "goxel-daemon did not answer health on $sock within ${HEALTH_TIMEOUT}s (see: journalctl -u goxel-daemon, or the log files)"
    sleep 0.5
  done
  say "healthy"
}

install_linux() {
  local unit_changed=0 bin_changed
  [[ $(id -u) -eq 0 || $DRY_RUN -eq 1 ]] || die "run as root (sudo $PROG)"
  find_binaries
  command -v systemctl >/dev/null 2>&1 || ((DRY_RUN)) || die "no systemctl: this installs a systemd service"

  say "== user and group goxel (sysusers.d)"
  put "$PKG_DIR/systemd/goxel.sysusers" /etc/sysusers.d/goxel.conf 0644
  run systemd-sysusers /etc/sysusers.d/goxel.conf
  say "== directories (tmpfiles.d)"
  put "$PKG_DIR/systemd/goxel.tmpfiles" /etc/tmpfiles.d/goxel.conf 0644
  run systemd-tmpfiles --create /etc/tmpfiles.d/goxel.conf

  CHANGED=0
  install_common_files
  put "$REPO_DIR/client/completion/goxel-client.bash" \
    "$PREFIX/share/bash-completion/completions/goxel-client" 0644
  bin_changed=$CHANGED

  say "== configuration (/etc/goxel, /etc/default, /etc/logrotate.d)"
  put_config "$(service_config linux)" /etc/goxel/daemon_config.json 0640 root:goxel
  put_config "$PKG_DIR/systemd/goxel-daemon.default" /etc/default/goxel-daemon 0640 root:goxel
  put "$PKG_DIR/logrotate/goxel-daemon" /etc/logrotate.d/goxel-daemon 0644

  say "== systemd units (/etc/systemd/system)"
  CHANGED=0
  put "$(render "$PKG_DIR/systemd/goxel-daemon.service" "s|/usr/bin/goxel-daemon|$PREFIX/bin/goxel-daemon|")" \
    /etc/systemd/system/goxel-daemon.service 0644
  put "$PKG_DIR/systemd/goxel-daemon.socket" /etc/systemd/system/goxel-daemon.socket 0644
  if ((WITH_MCP)); then
    install_mcp
    put "$(render "$PKG_DIR/systemd/goxel-mcp.service" "s|/usr/bin/goxel-mcp|$PREFIX/bin/goxel-mcp|")" \
      /etc/systemd/system/goxel-mcp.service 0644
    say "  goxel-mcp.service is installed, not enabled: set GOXEL_MCP_TOKEN in /etc/default/goxel-mcp, then systemctl enable --now goxel-mcp"
  fi
  unit_changed=$CHANGED
  ((unit_changed)) && run systemctl daemon-reload
  run systemctl enable goxel-daemon.socket goxel-daemon.service
  ((START)) || { say "installed (not started: --no-start)"; return 0; }

  say "== start"
  if ((DRY_RUN)) || ! systemctl -q is-active goxel-daemon.service; then
    run systemctl start goxel-daemon.socket goxel-daemon.service
  elif ((unit_changed || bin_changed)); then
    run systemctl restart goxel-daemon.service
  else
    say "  goxel-daemon.service is already running the installed version"
  fi
  health /run/goxel/goxel-daemon.sock
}

# The next free id below 500 is not guessed: the default is the guide's 301,
# refused when another account already has it.
darwin_user() {
  say "== user and group _goxel (dscl, id $DARWIN_UID)"
  if ((!DRY_RUN)) && dscl . -read /Users/_goxel >/dev/null 2>&1; then
    say "  _goxel exists"
    return 0
  fi
  if ((!DRY_RUN)) && dscl . -list /Users UniqueID | awk -v id="$DARWIN_UID" '$2 == id {f=1} END {exit !f}'; then
    die "UniqueID $DARWIN_UID is taken: set GOXEL_DARWIN_UID to a free id below 500"
  fi
  run dscl . -create /Groups/_goxel
  run dscl . -create /Groups/_goxel PrimaryGroupID "$DARWIN_UID"
  run dscl . -create /Groups/_goxel RealName "goxel-daemon"
  run dscl . -create /Groups/_goxel Password '*'
  run dscl . -create /Users/_goxel
  run dscl . -create /Users/_goxel UniqueID "$DARWIN_UID"
  run dscl . -create /Users/_goxel PrimaryGroupID "$DARWIN_UID"
  run dscl . -create /Users/_goxel UserShell /usr/bin/false
  run dscl . -create /Users/_goxel NFSHomeDirectory "$PREFIX/var/lib/goxel"
  run dscl . -create /Users/_goxel RealName "goxel-daemon"
  run dscl . -create /Users/_goxel Password '*'
  run dscl . -create /Users/_goxel IsHidden 1
}

# launchd_load DOMAIN PLIST LABEL: (re)load the job when the plist changed.
launchd_load() {
  local domain=$1 plist=$2 label=$3
  if ((!DRY_RUN)) && launchctl print "$domain/$label" >/dev/null 2>&1; then
    ((CHANGED)) || { say "  $label is loaded with this plist"; return 0; }
    run launchctl bootout "$domain/$label"
  fi
  run launchctl enable "$domain/$label"
  run launchctl bootstrap "$domain" "$plist"
}

install_darwin() {
  find_binaries
  local sed_prefix="s|/usr/local|$PREFIX|g"
  if ((USER_AGENT)); then
    local home=${HOME:?} base dom
    base="$HOME/Library/Application Support/goxel"
    dom="gui/$(id -u)"
    say "== directories"
    run install -d -m 0700 -- "$base" "$HOME/Library/Logs/goxel" "$HOME/Library/LaunchAgents"
    install_common_files
    say "== configuration ($base)"
    put_config "$(service_config darwin --prefix "$PREFIX" --agent "$home")" \
      "$base/daemon_config.json" 0600 ""
    say "== LaunchAgent"
    CHANGED=0
    put "$(render "$PKG_DIR/launchd/com.goxel.daemon.agent.plist" "$sed_prefix; s|@HOME@|$home|g")" \
      "$HOME/Library/LaunchAgents/com.goxel.daemon.agent.plist" 0644
    ((START)) || { say "installed (not loaded: --no-start)"; return 0; }
    launchd_load "$dom" "$HOME/Library/LaunchAgents/com.goxel.daemon.agent.plist" com.goxel.daemon.agent
    health "$base/goxel-daemon.sock"
    return 0
  fi
  [[ $(id -u) -eq 0 || $DRY_RUN -eq 1 ]] || die "run as root (sudo $PROG), or use --user-agent"
  darwin_user
  say "== directories ($PREFIX/var)"
  run install -d -m 0750 -o _goxel -g _goxel -- "$PREFIX/var/lib/goxel" \
    "$PREFIX/var/log/goxel" "$PREFIX/var/run/goxel" "$PREFIX/var/cache/goxel"
  install_common_files
  say "== configuration ($PREFIX/etc/goxel)"
  put_config "$(service_config darwin --prefix "$PREFIX")" \
    "$PREFIX/etc/goxel/daemon_config.json" 0640 root:_goxel
  say "== LaunchDaemon"
  CHANGED=0
  put "$(render "$PKG_DIR/launchd/com.goxel.daemon.plist" "$sed_prefix")" \
    /Library/LaunchDaemons/com.goxel.daemon.plist 0644 root:wheel
  ((START)) || { say "installed (not loaded: --no-start)"; return 0; }
  launchd_load system /Library/LaunchDaemons/com.goxel.daemon.plist com.goxel.daemon
  health "$PREFIX/var/run/goxel/goxel-daemon.sock"
}

main() {
  while (($#)); do
    case $1 in
      -h | --help) usage; exit 0 ;;
      --dry-run) DRY_RUN=1 ;;
      --user-agent) USER_AGENT=1 ;;
      --no-start) START=0 ;;
      --with-mcp) WITH_MCP=1 ;;
      --prefix | --build-dir | --daemon | --client | --os)
        (($# >= 2)) || die "$1 needs a value" 2
        case $1 in
          --prefix) PREFIX=${2%/} ;; --build-dir) BUILD_DIR=$2 ;;
          --daemon) DAEMON_BIN=$2 ;; --client) CLIENT_BIN=$2 ;; --os) OS=$2 ;;
        esac
        shift ;;
      *) usage >&2; die "unknown argument: $1" 2 ;;
    esac
    shift
  done
  [[ $PREFIX == /* ]] || die "--prefix must be absolute, got '$PREFIX'" 2
  case $OS in
    linux | Linux) ((!USER_AGENT)) || die "--user-agent is for macOS" 2; install_linux ;;
    darwin | Darwin) install_darwin ;;
    *) die "unsupported OS '$OS' (linux or darwin)" 2 ;;
  esac
  ((DRY_RUN)) && say "dry run: nothing was changed"
  return 0
}

main "$@"
