#!/usr/bin/env bash
# The repository stands alone: no tracked file outside .ci/ may refer to a
# folder beside the checkout (the team's workbench), because a plain clone,
# a packager's build or a fork has nothing there. Usage:
# standalone_test.sh [SOURCE_DIR]
set -euo pipefail
root=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
cd "$root"
# Built from pieces so that this file does not match itself.
dots='\.\.'
pattern="${dots}/shared|(^|[^a-z_])shared/(testdata|tools|docs|seeds|hooks)"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files -- . ':!.ci')
else  # an exported tree: every file
  mapfile -t files < <(find . -path ./.ci -prune -o -path './build*' -prune -o -type f -print)
fi
((${#files[@]})) || { echo "standalone_test: no files found under $root" >&2; exit 1; }
hits=$(printf '%s\0' "${files[@]}" | xargs -0 grep -n -I -E "$pattern" -- 2>/dev/null || true)
if [[ -n $hits ]]; then
  echo "these files refer to something outside the repository:" >&2
  printf '%s\n' "$hits" >&2
  exit 1
fi
echo "ok: ${#files[@]} tracked files, none refers outside the repository"
