#!/usr/bin/env bash
# install-service.sh: install goxel-daemon as a service, from a build tree.
#
# What is installed is CMake's install() rules: `cmake --install BUILD
# --prefix PREFIX` into a staging directory, then each staged file is put in
# place (so a second run can tell what changed, and keeps edited configs).
# Linux (systemd): user and group goxel (sysusers), directories (tmpfiles),
# everything staged under PREFIX (binaries, man pages, bash completion,
# docs); the staged /etc files (service configuration, /etc/default,
# logrotate) into /etc, the units, sysusers.d and tmpfiles.d files into
# /etc/systemd/system, /etc/sysusers.d and /etc/tmpfiles.d (where systemd
# reads them for any PREFIX); then enable and start the socket and the
# service and check health on /run/goxel/goxel-daemon.sock.
# macOS (launchd): user and group _goxel (dscl), directories below PREFIX/var,
# the staged PREFIX/bin and PREFIX/share/man, PREFIX/etc/goxel/daemon_config.json and
# /Library/LaunchDaemons/com.goxel.daemon.plist, bootstrapped; or with
# --user-agent a LaunchAgent for the current user. Then a health check.
#
# Idempotent: a second run changes nothing and says so. An edited
# configuration is never overwritten (the new one is written beside it as
# daemon_config.json.new). --dry-run prints every step without doing it.
# Exit codes: 0 installed and healthy; 1 a step failed; 2 usage error.
set -euo pipefail
shopt -s extglob

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
STAGE=""
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
  --build-dir DIR   the CMake build tree to install (cmake --install;
                    default: build/ of this checkout)
  --os linux|darwin install for this OS (default: this machine's, $(uname -s))
  --user-agent      macOS: a LaunchAgent for the current user, no root
  --no-start        install and enable, but do not start or check health
  --with-mcp        also install goxel-mcp (the MCP server for AI agents):
                    PREFIX/lib/goxel-mcp with its dependencies, PREFIX/bin/goxel-mcp
                    and, on Linux, goxel-mcp.service (installed, not enabled);
                    needs a build tree configured with -DGOXEL_INSTALL_MCP=ON
                    (node >= 18 and npm)
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
    put "$src" "$dest.new" "$3" "${4:-}"
    return 0
  fi
  put "$@"
}

# Temporary files go into one private directory, removed on exit: they are
# made inside $(...) subshells, which cannot add to a list the parent cleans.
WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/goxel-install.XXXXXX") || exit 1
cleanup() { rm -rf -- "$WORK_DIR"; }
trap cleanup EXIT

# render SRC SED_SCRIPT: SRC with sed applied, in a temporary file (printed).
render() {
  local out
  out=$(mktemp "$WORK_DIR/render.XXXXXX")
  sed -e "$2" -- "$1" >"$out"
  printf '%s\n' "$out"
}

# stage: `cmake --install` of the build tree into $STAGE (a temporary
# directory, also under --dry-run: it only reads the build tree).
stage() {
  local build=${BUILD_DIR:-$REPO_DIR/build}
  [[ -f $build/CMakeCache.txt ]] ||
    die "no CMake build tree at $build: build first (cmake -S . -B build && cmake --build build) or pass --build-dir DIR"
  [[ -x $build/daemon/goxel-daemon ]] || die "no goxel-daemon in $build/daemon: build first (cmake --build $build)"
  if ((WITH_MCP)) && ! grep -q '^GOXEL_INSTALL_MCP:BOOL=ON$' "$build/CMakeCache.txt"; then
    die "--with-mcp needs a build tree configured with -DGOXEL_INSTALL_MCP=ON (node >= 18 and npm)"
  fi
  STAGE=$WORK_DIR/stage
  say "== cmake --install $build --prefix $PREFIX (staged in a temporary directory)"
  if ! DESTDIR=$STAGE cmake --install "$build" --prefix "$PREFIX" >"$WORK_DIR/cmake-install.log" 2>&1; then
    cat "$WORK_DIR/cmake-install.log" >&2
    die "cmake --install $build failed"
  fi
}

# staged [FIND-ARGS...]: the staged files (paths relative to $STAGE, sorted),
# without goxel-mcp's unless --with-mcp.
staged() {
  (cd "$STAGE" && find . ! -type d "$@" | sed 's|^\./||' | sort) |
    if ((WITH_MCP)); then cat; else grep -v 'goxel-mcp' || true; fi
}

# place REL DEST [OWNER:GROUP]: the staged file REL at DEST, with its staged
# mode; files under /etc are configuration (an edited one is kept).
place() {
  local src=$STAGE/$1 dest=$2 mode
  mode=$(stat -c %a -- "$src" 2>/dev/null || stat -f %Lp -- "$src")
  if [[ $dest == /etc/* && $dest != /etc/systemd/* && $dest != /etc/sysusers.d/* && $dest != /etc/tmpfiles.d/* ]]; then
    put_config "$src" "$dest" "0$mode" "${3:-}"
  else
    put "$src" "$dest" "0$mode" "${3:-}"
  fi
}

# service_config PLATFORM [ARGS...]: the generated service configuration.
service_config() {
  command -v python3 >/dev/null 2>&1 || die "python3 is needed to write the service configuration (packaging/service_config.py)"
  local out
  out=$(mktemp "$WORK_DIR/config.XXXXXX")
  python3 "$PKG_DIR/service_config.py" --platform "$@" "$REPO_DIR/config/daemon_config.json" "$out"
  printf '%s\n' "$out"
}

# install_darwin_files: the staged PREFIX/bin and PREFIX/share/man (the
# rest is for Linux: systemd, sysusers, logrotate, bash completion).
install_darwin_files() {
  local rel p=${PREFIX#/}
  say "== binaries and man pages ($PREFIX)"
  while IFS= read -r rel; do
    place "$rel" "/$rel"
  done < <(staged \( -path "./$p/bin/*" -o -path "./$p/share/man/*" \))
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

# linux_dest REL: where the staged file REL goes on Linux: configuration to
# /etc whatever the prefix (the unit, systemd and logrotate read it there),
# units, sysusers.d and tmpfiles.d to /etc/systemd/system, /etc/sysusers.d
# and /etc/tmpfiles.d, everything else to its place under PREFIX.
linux_dest() {
  local rel=$1 p=${PREFIX#/}
  case $rel in
    etc/*) printf '/%s\n' "$rel" ;;
    "$p"/etc/*) printf '/etc/%s\n' "${rel#"$p"/etc/}" ;;
    "$p"/lib/systemd/system/*) printf '/etc/systemd/system/%s\n' "${rel##*/}" ;;
    "$p"/lib/sysusers.d/*) printf '/etc/sysusers.d/%s\n' "${rel##*/}" ;;
    "$p"/lib/tmpfiles.d/*) printf '/etc/tmpfiles.d/%s\n' "${rel##*/}" ;;
    *) printf '/%s\n' "$rel" ;;
  esac
}

# place_linux PATTERN [OWNER:GROUP [EXCEPT]]: the staged files whose
# destination matches the glob PATTERN but not EXCEPT, with OWNER:GROUP for
# 0640 files.
place_linux() {
  local rel dest mode
  while IFS= read -r rel; do
    dest=$(linux_dest "$rel")
    # shellcheck disable=SC2053  # $1 is a glob
    [[ $dest == $1 && $dest != ${3:-} ]] || continue
    mode=$(stat -c %a -- "$STAGE/$rel")
    if [[ $mode == 640 ]]; then place "$rel" "$dest" "${2:-}"; else place "$rel" "$dest"; fi
  done < <(staged)
}

install_linux() {
  local unit_changed=0 bin_changed
  [[ $(id -u) -eq 0 || $DRY_RUN -eq 1 ]] || die "run as root (sudo $PROG)"
  command -v systemctl >/dev/null 2>&1 || ((DRY_RUN)) || die "no systemctl: this installs a systemd service"
  stage

  say "== user and group goxel (sysusers.d)"
  place_linux '/etc/sysusers.d/*'
  run systemd-sysusers /etc/sysusers.d/goxel.conf
  say "== directories (tmpfiles.d)"
  place_linux '/etc/tmpfiles.d/*'
  run systemd-tmpfiles --create /etc/tmpfiles.d/goxel.conf

  CHANGED=0
  say "== binaries, man pages, bash completion, docs ($PREFIX)"
  place_linux "$PREFIX/*"
  bin_changed=$CHANGED

  say "== configuration (/etc/goxel, /etc/default, /etc/logrotate.d)"
  place_linux '/etc/*' root:goxel '/etc/@(systemd|sysusers.d|tmpfiles.d)/*'

  say "== systemd units (/etc/systemd/system)"
  CHANGED=0
  place_linux '/etc/systemd/system/*'
  if ((WITH_MCP)); then
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
  stage
  local sed_prefix="s|/usr/local|$PREFIX|g"
  if ((USER_AGENT)); then
    local home=${HOME:?} base dom
    base="$HOME/Library/Application Support/goxel"
    dom="gui/$(id -u)"
    say "== directories"
    run install -d -m 0700 -- "$base" "$HOME/Library/Logs/goxel" "$HOME/Library/LaunchAgents"
    install_darwin_files
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
  install_darwin_files
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
      --prefix | --build-dir | --os)
        (($# >= 2)) || die "$1 needs a value" 2
        case $1 in
          --prefix) PREFIX=${2%/} ;; --build-dir) BUILD_DIR=$2 ;;
          --os) OS=$2 ;;
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
