#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite: the
# fuzzers for a bounded time, then a normal build and an ASan+UBSan build,
# each through ctest. Exits non-zero on any failure; the last line is
# ctest's summary.
#
# Environment: GOXEL_FUZZ_SECONDS (default 20 per target), GOXEL_SKIP_ASAN=1
# to skip the sanitizer build (not in CI).
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
. "$(dirname "$0")/lib/common.sh"

goxel_install_packages "${GOXEL_BUILD_PACKAGES[@]}" "${GOXEL_TEST_PACKAGES[@]}"
goxel_ensure_node
goxel_install_mcp dev

jobs=$(nproc)
status=0

# 1. Fuzzers (clang + libFuzzer), bounded in time.
CC=clang CXX=clang++ goxel_build "$GOXEL_ROOT/build-fuzz" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGOXEL_FUZZ=ON \
  -DGOXEL_BUILD_TESTS=OFF -DGOXEL_BUILD_BENCH=OFF
echo "== fuzzing (${GOXEL_FUZZ_SECONDS:-20} s per target)"
ctest --test-dir "$GOXEL_ROOT/build-fuzz" --output-on-failure || status=1

# 2. Normal build: the whole suite.
goxel_build "$GOXEL_ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
echo "== tests (RelWithDebInfo)"
ctest --test-dir "$GOXEL_ROOT/build" --output-on-failure -j "$jobs" || status=1

# 3. AddressSanitizer + UndefinedBehaviorSanitizer build: the whole suite.
if [ "${GOXEL_SKIP_ASAN:-0}" != 1 ]; then
  goxel_build "$GOXEL_ROOT/build-asan" -DCMAKE_BUILD_TYPE=Debug \
    -DGOXEL_SANITIZE=ON -DGOXEL_BUILD_BENCH=OFF
  echo "== tests (ASan+UBSan)"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$GOXEL_ROOT/build-asan" --output-on-failure -j "$jobs" ||
    status=1
fi
exit "$status"
