#!/bin/sh
# Issue 16's figures for this build and, when given, an older one, in one
# run (the machines are shared: compare within a run, as ratios).
#
#   bench/voxel/scale_bench.sh NEW_BUILD_DIR [OLD_BUILD_DIR]
#
# Per build: goxel-scale-bench through a daemon on a private socket (add_voxel
# on a 100k-block project ÷ on an empty one, ping p99 while add_voxel streams,
# one 100k scattered add_voxel_batch, memory per isolated voxel,
# get_project_info at 750k blocks), goxel-batch-bench (dense add_voxel_batch
# voxels/s), and the voxel and render micro-benchmarks (256^3 fill, bytes per
# dense voxel, snapshot + edit, menger render). The old engine holds 16 KiB
# per isolated voxel: its get_project_info figure is skipped (12 GB at 750k).
# An older build may lack goxel-scale-bench: this build's clients are used.
set -eu
new=$1
old=${2:-}
client=$new/bench/voxel/goxel-scale-bench
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT INT TERM
pid=

run_daemon() {  # build-dir label info-blocks
  sock=$tmp/$2.sock
  bin=$(cd "$1" && pwd)/daemon/goxel-daemon
  (cd "$tmp" && exec "$bin" --foreground --socket "$sock" --workers 4) \
    >"$tmp/$2.log" 2>&1 &
  pid=$!
  i=0
  while [ ! -S "$sock" ] && [ $i -lt 200 ]; do i=$((i + 1)); sleep 0.05; done
  echo "== $2: goxel-scale-bench"
  "$client" -s "$sock" -n 100000 -c 2000 --pid "$pid" --info-blocks "$3"
  echo "== $2: goxel-batch-bench (dense, 100k voxels)"
  "$new/bench/methods/goxel-batch-bench" -s "$sock" -n 100000 -r 5
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  pid=
}

micro() {  # build-dir label
  echo "== $2: voxel_bench, render_bench"
  "$1/bench/voxel/voxel_bench" \
    --benchmark_filter='FillBox256$|MemoryDense|MemorySparse|SnapshotEdit|CopyVolume' \
    --benchmark_counters_tabular=true 2>/dev/null
  "$1/bench/render/render_bench" --benchmark_filter='RenderMenger512' 2>/dev/null
}

run_daemon "$new" new 750000
[ -n "$old" ] && run_daemon "$old" old 0
micro "$new" new
[ -n "$old" ] && micro "$old" old
exit 0
