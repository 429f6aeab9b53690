#!/usr/bin/env bash
# The fault suite's soak and crash loop (issue 18) against a built daemon:
#   scripts/soak.sh --duration 1h          # 256 connections for an hour
#   scripts/soak.sh --crash-loop 50        # 50 SIGKILLs during saves
# Extra flags go to scripts/soak.py (--connections N, --daemon PATH).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
daemon="${GOXEL_DAEMON_BINARY:-$here/../build/daemon/goxel-daemon}"
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration)
      d="$2"
      case "$d" in
        *h) d=$(( ${d%h} * 3600 )) ;;
        *m) d=$(( ${d%m} * 60 )) ;;
        *s) d=${d%s} ;;
      esac
      args+=(--duration "$d"); shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
if [[ ! -x "$daemon" ]]; then
  echo "soak.sh: no daemon binary at $daemon (build first, or set GOXEL_DAEMON_BINARY)" >&2
  exit 2
fi
exec python3 "$here/soak.py" --daemon "$daemon" "${args[@]}"
