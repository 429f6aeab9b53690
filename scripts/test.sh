#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite: the
# fuzzers for a bounded time, then a normal build and an ASan+UBSan build,
# each through ctest, then the threaded tests in a ThreadSanitizer build.
# Exits non-zero on any failure; the last line is ctest's summary.
#
# Environment: GOXEL_FUZZ_SECONDS (default 20 per target), GOXEL_SKIP_ASAN=1
# and GOXEL_SKIP_TSAN=1 to skip the sanitizer builds (not in CI).
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
# 4. ThreadSanitizer build: the pool, the server (in process and through
# the real binary) and the concurrency tests, where threads hand work and
# replies to each other.
if [ "${GOXEL_SKIP_TSAN:-0}" != 1 ]; then
  GOXEL_BUILD_TARGETS="goxel-daemon pool_test server_loop_test integration_server_test integration_concurrency_test" \
    goxel_build "$GOXEL_ROOT/build-tsan" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DGOXEL_TSAN=ON -DGOXEL_BUILD_BENCH=OFF
  echo "== tests (ThreadSanitizer)"
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
    ctest --test-dir "$GOXEL_ROOT/build-tsan" --output-on-failure -j "$jobs" \
    -R '^(ThreadPool|ServerLoop|Server|BusyProject|ExpectedVersion)[.]' || status=1
fi
exit "$status"
