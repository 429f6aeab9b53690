#!/usr/bin/env bash
# Shared by scripts/run.sh and scripts/test.sh: install what is missing from
# Debian's archive, then configure and build. Quiet when nothing is missing.
# shellcheck shell=bash

GOXEL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# Packages the build needs (used by the scripts that source this file).
# shellcheck disable=SC2034
GOXEL_BUILD_PACKAGES=(
  build-essential cmake pkg-config python3
  libuv1-dev rapidjson-dev libsystemd-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libpng-dev zlib1g-dev libcli11-dev
)
# shellcheck disable=SC2034
# Extra packages the test suite needs (sanitizers and fuzzing with clang,
# the Prometheus text parser, shellcheck, socat, node for the Node manager,
# dpkg-dev and debhelper for the .deb).
GOXEL_TEST_PACKAGES=(
  clang libclang-rt-14-dev python3 python3-prometheus-client python3-jsonschema
  shellcheck socat systemd systemd-container logrotate libxml2-utils dpkg-dev
  util-linux bsdutils debhelper
)

goxel_log() { printf '%s\n' "$*" >&2; }

# Runs a command as root: directly, or through sudo.
goxel_as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    goxel_log "error: need root to run: $* (no sudo found); install it by hand"
    return 1
  fi
}

# Installs the Debian packages in "$@" that are not installed yet.
goxel_install_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed"; then
      missing+=("$pkg")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  goxel_log "installing missing packages: ${missing[*]}"
  local log
  log=$(mktemp)
  if ! goxel_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$log" 2>&1 ||
     ! goxel_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
         --no-install-recommends "${missing[@]}" >>"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    goxel_log "error: apt-get could not install: ${missing[*]}"
    return 1
  fi
  rm -f "$log"
}

# Node.js and npm for the MCP manager's tests and the glTF validator: any
# node >= 18 will do; Debian's packages only when none is on the PATH.
goxel_ensure_node() {
  command -v node >/dev/null 2>&1 || goxel_install_packages nodejs
  command -v npm >/dev/null 2>&1 || goxel_install_packages npm
}

# goxel_install_mcp dev|prod: goxel-mcp's dependencies (client/mcp/
# node_modules) from its lockfile, with (dev: tests) or without the
# development ones, unless what is installed is newer than the lockfile and
# was installed for the same use (a dev install also serves prod).
# Quiet on success.
goxel_install_mcp() {
  local dir="$GOXEL_ROOT/client/mcp" log args=(--no-audit --no-fund)
  local mark="$dir/node_modules/.goxel-install" have=""
  [ "$1" = prod ] && args+=(--omit=dev)
  goxel_ensure_node
  [ -f "$mark" ] && have=$(cat "$mark")
  if [ -f "$dir/node_modules/.package-lock.json" ] &&
     [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ] &&
     { [ "$have" = dev ] || [ "$have" = "$1" ]; }; then
    return 0
  fi
  log=$(mktemp)
  if ! (cd "$dir" && npm ci "${args[@]}") >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    goxel_log "error: npm ci failed in $dir"
    return 1
  fi
  rm -f "$log"
  printf '%s\n' "$1" >"$mark"
}

# goxel_build DIR [cmake args...]: configure (once) and build quietly;
# with GOXEL_BUILD_TARGETS (space-separated) set, only those targets.
goxel_build() {
  local dir=$1
  shift
  local log
  log=$(mktemp)
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    if ! cmake -S "$GOXEL_ROOT" -B "$dir" "$@" >"$log" 2>&1; then
      cat "$log" >&2
      rm -f "$log"
      goxel_log "error: cmake configure failed for $dir"
      return 1
    fi
  fi
  local targets=()
  if [ -n "${GOXEL_BUILD_TARGETS:-}" ]; then
    read -r -a targets <<<"$GOXEL_BUILD_TARGETS"
    targets=(--target "${targets[@]}")
  fi
  if ! cmake --build "$dir" -j "$(nproc)" "${targets[@]}" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    goxel_log "error: build failed in $dir"
    return 1
  fi
  rm -f "$log"
}
