#!/bin/sh
# Runs every formats fuzzer for N seconds (default 30) over a seed corpus
# copied from tests/data. Exits non-zero if any target crashes.
# Usage: run_fuzzers.sh [SECONDS] [BUILD_DIR]
set -u
secs=${1:-30}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=${2:-$root/build-fuzz}
testdata=$root/tests/data
work=$(mktemp -d /tmp/goxel-fuzz-XXXXXX)
status=0
seed() {  # seed FORMAT GLOB...
  dir=$work/$1; shift
  mkdir -p "$dir"
  for f in "$@"; do [ -f "$f" ] && cp "$f" "$dir/"; done
}
seed gox "$testdata"/goxel/*.gox "$testdata"/vengi/*.gox
seed vox "$testdata"/vox/*.vox "$testdata"/vengi/*.vox "$testdata"/goxel/*.vox
seed txt "$testdata"/goxel/*.txt
seed qb "$testdata"/goxel/*.qb
seed png
# PNG seeds: the BL16 tiles and previews inside .gox files.
python3 - "$work/png" "$testdata"/goxel/*.gox "$testdata"/vengi/*.gox <<'PY'
import struct, sys
out, n = sys.argv[1], 0
for path in sys.argv[2:]:
    d = open(path, 'rb').read(); p = 8
    while p + 8 <= len(d):
        t = d[p:p+4]; size, = struct.unpack('<i', d[p+4:p+8])
        if t in (b'BL16', b'PREV'):
            open('%s/seed%d.png' % (out, n), 'wb').write(d[p+8:p+8+size]); n += 1
        p += 12 + size
PY
for fmt in gox vox txt qb png; do
  bin=$build/tests/fuzz/formats/fuzz_formats_$fmt
  if [ ! -x "$bin" ]; then
    echo "missing $bin (configure with CC=clang CXX=clang++ -DGOXEL_FUZZ=ON)" >&2
    status=1; continue
  fi
  mkdir -p "$work/$fmt.out"
  if ! "$bin" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
      -artifact_prefix="$work/crash-$fmt-" "$work/$fmt.out" "$work/$fmt" \
      >"$work/$fmt.log" 2>&1; then
    echo "fuzz_formats_$fmt FAILED; log and artifacts in $work" >&2
    tail -20 "$work/$fmt.log" >&2
    status=1
  else
    echo "fuzz_formats_$fmt ok: $(grep -o 'stat::number_of_executed_units: [0-9]*' "$work/$fmt.log" | tail -1)"
  fi
done
[ $status -eq 0 ] && rm -rf "$work"
exit $status
