#!/usr/bin/env bash
# Installs what is missing, builds, and starts goxel-daemon in the
# foreground on its default socket (/tmp/goxel-daemon.sock). Extra
# arguments go to the daemon, e.g. scripts/run.sh --workers 8.
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
. "$(dirname "$0")/lib/common.sh"

goxel_install_packages "${GOXEL_BUILD_PACKAGES[@]}"
goxel_build "$GOXEL_ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
exec "$GOXEL_ROOT/build/daemon/goxel-daemon" --foreground "$@"
