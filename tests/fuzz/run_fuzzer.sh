#!/usr/bin/env bash
# run_fuzzer.sh BINARY SEED_DIR: runs a libFuzzer target for
# GOXEL_FUZZ_SECONDS (default 20) over a scratch copy of its seed corpus.
# Exits non-zero when the fuzzer finds a crash, a leak or a timeout.
set -euo pipefail
bin=$1
seeds=$2
seconds=${GOXEL_FUZZ_SECONDS:-20}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"
cp -r "$seeds"/. "$work/corpus/" 2>/dev/null || true
cd "$work"
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -max_len=65536 -print_final_stats=1 corpus 2>"$work/fuzz.log" || {
  tail -n 60 "$work/fuzz.log"
  # Keep the reproducers beside the binary (the scratch dir is removed) and
  # print small ones in base64, so a CI log alone is enough to replay them.
  keep="$(dirname "$bin")/fuzz-artifacts"
  mkdir -p "$keep"
  for f in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
    [ -f "$f" ] || continue
    cp "$f" "$keep/"
    echo "reproducer $keep/$(basename "$f") ($(wc -c <"$f") bytes):"
    [ "$(wc -c <"$f")" -le 4096 ] && base64 "$f"
  done
  echo "fuzzer $bin failed"
  exit 1
}
grep -E "^(#[0-9]+.*DONE|stat::number_of_executed_units)" "$work/fuzz.log" | tail -n 2
