#!/usr/bin/env bash
# Installs what is missing, builds, and starts goxel-daemon in the
# foreground on its default socket (/tmp/goxel-daemon.sock). Extra
# arguments go to the daemon, e.g. scripts/run.sh --workers 8. Also installs
# goxel-mcp's dependencies (npm ci in client/mcp) so agents can connect with
# client/mcp/bin/goxel-mcp.js.
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
. "$(dirname "$0")/lib/common.sh"

goxel_install_packages "${GOXEL_BUILD_PACKAGES[@]}"
goxel_build "$GOXEL_ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
# goxel-mcp (client/mcp) for AI agents; best effort: the daemon runs without.
goxel_install_mcp prod || goxel_log "warning: goxel-mcp dependencies not installed"
exec "$GOXEL_ROOT/build/daemon/goxel-daemon" --foreground "$@"
