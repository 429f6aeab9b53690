#!/usr/bin/env bash
# bench/run_targets.sh: measures goxel-daemon against the targets of issue 2,
# in ONE run, next to the pingpong yardstick (bench/pingpong) and Redis 7
# driven by the same load client.
#
# Usage: bench/run_targets.sh [-d DAEMON] [-b GOXEL_BENCH] [-r ROUNDS] [DAEMON]
#   DAEMON       goxel-daemon binary (default: found under build*/)
#   GOXEL_BENCH  goxel-bench binary (default: found under build*/)
#   ROUNDS       rounds of every load, interleaved; medians reported (default 3)
#
# It compiles pp_server/pp_client (bench/pingpong, or $PINGPONG_DIR to
# measure with another copy of them) into a temporary directory, installs
# redis-server when it is missing (apt-get), and starts, on Unix sockets in
# that directory only: pp_server inline (the floor), pp_server worker (one
# plain thread hop), redis-server (--port 0), and goxel-daemon with 4 workers
# and --enable-debug-methods. Everything it starts is stopped on exit.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
pingpong_dir=${PINGPONG_DIR:-$here/pingpong}
daemon=""
bench=""
rounds=3

usage() {
  sed -n '5,9p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

while getopts ":d:b:r:h" opt; do
  case $opt in
    d) daemon=$OPTARG ;;
    b) bench=$OPTARG ;;
    r) rounds=$OPTARG ;;
    h) usage ;;
    *) echo "run_targets.sh: bad option -$OPTARG" >&2; usage ;;
  esac
done
shift $((OPTIND - 1))
if [[ $# -gt 1 ]]; then usage; fi
if [[ $# -eq 1 ]]; then daemon=$1; fi
if ! [[ $rounds =~ ^[1-9][0-9]?$ ]]; then
  echo "run_targets.sh: -r wants 1..99 rounds, got '$rounds'" >&2
  exit 2
fi

find_binary() {  # NAME: newest executable called NAME under $root/build*/
  find "$root" -maxdepth 5 -path "$root/build*" -type f -name "$1" -perm -u+x \
    -printf '%T@ %p\n' 2>/dev/null | sort -rn | head -1 | cut -d' ' -f2-
}
[[ -n $daemon ]] || daemon=$(find_binary goxel-daemon)
[[ -n $bench ]] || bench=$(find_binary goxel-bench)
for pair in "goxel-daemon:$daemon" "goxel-bench:$bench"; do
  name=${pair%%:*} path=${pair#*:}
  if [[ -z $path || ! -x $path ]]; then
    echo "run_targets.sh: no $name binary (${path:-none found under $root/build*});" \
      "build the target or pass its path" >&2
    exit 1
  fi
done
if [[ ! -f $pingpong_dir/pp_client.c || ! -f $pingpong_dir/pp_server.c ]]; then
  echo "run_targets.sh: pp_server.c and pp_client.c not found in $pingpong_dir" >&2
  exit 1
fi

if ! command -v redis-server >/dev/null; then
  echo "installing redis-server (apt-get)..." >&2
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q redis-server >/dev/null
fi

tmp=$(mktemp -d /tmp/goxel-targets.XXXXXX)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cc -O2 -Wall -Wextra -pthread -o "$tmp/pp_server" "$pingpong_dir/pp_server.c"
cc -O2 -Wall -Wextra -o "$tmp/pp_client" "$pingpong_dir/pp_client.c"

wait_for_socket() {  # PATH PID NAME
  local i
  for ((i = 0; i < 100; i++)); do
    [[ -S $1 ]] && return 0
    if ! kill -0 "$2" 2>/dev/null; then
      echo "run_targets.sh: $3 exited before listening on $1" >&2
      exit 1
    fi
    sleep 0.05
  done
  echo "run_targets.sh: $3 did not create $1 within 5 s" >&2
  exit 1
}

"$tmp/pp_server" "$tmp/floor.sock" inline -T 900 >"$tmp/floor.log" 2>&1 &
pids+=($!)
wait_for_socket "$tmp/floor.sock" $! "pp_server inline"
"$tmp/pp_server" "$tmp/worker.sock" worker -w 1 -T 900 >"$tmp/worker.log" 2>&1 &
pids+=($!)
wait_for_socket "$tmp/worker.sock" $! "pp_server worker"
redis-server --port 0 --unixsocket "$tmp/redis.sock" --save '' --appendonly no \
  --daemonize no --loglevel warning >"$tmp/redis.log" 2>&1 &
pids+=($!)
wait_for_socket "$tmp/redis.sock" $! "redis-server"
"$daemon" --foreground --socket "$tmp/goxel.sock" --data-dir "$tmp" --workers 4 \
  --enable-debug-methods >"$tmp/daemon.log" 2>&1 &
daemon_pid=$!
pids+=("$daemon_pid")
wait_for_socket "$tmp/goxel.sock" "$daemon_pid" "goxel-daemon"
if ! "$bench" -s "$tmp/goxel.sock" -n 1 -W 0 >/dev/null; then
  echo "run_targets.sh: goxel-daemon does not answer ping; its log:" >&2
  cat "$tmp/daemon.log" >&2
  exit 1
fi

# Idle figures, before any load (after one ping) and again after the loads.
proc_field() {  # PID FIELD -> value from /proc/PID/status (kB for VmRSS)
  awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}
sleep 0.5
idle_rss_kb=$(proc_field "$daemon_pid" VmRSS)
idle_threads=$(proc_field "$daemon_pid" Threads)

# add_voxel and get_voxel need a project (there is no implicit one).
if ! "$bench" -s "$tmp/goxel.sock" -n 1 -W 0 -M goxel.create_project \
  -A '{"name":"targets","size":[64,64,64]}' >/dev/null; then
  echo "run_targets.sh: goxel.create_project failed; the daemon's log:" >&2
  cat "$tmp/daemon.log" >&2
  exit 1
fi

declare -A samples=()  # key -> space-separated values, one per round
add() { samples[$1]="${samples[$1]:-} $2"; }
# pp_client prints "... rps=N ... p50_us=X ... errors=E".
pp() {  # KEY SOCK ARGS...
  local key=$1 sock=$2 out
  shift 2
  out=$("$tmp/pp_client" -s "$sock" "$@") || true
  if ! [[ $out =~ errors=0$ ]]; then
    echo "run_targets.sh: pp_client $key reported errors: $out" >&2
    exit 1
  fi
  add "$key.rps" "$(sed -E 's/.* rps=([0-9.]+).*/\1/' <<<"$out")"
  add "$key.p50" "$(sed -E 's/.* p50_us=([0-9.]+).*/\1/' <<<"$out")"
}
# goxel-bench prints one JSON line with "rps":N and "p50_us":X.
gb() {  # KEY SOCK ARGS...
  local key=$1 sock=$2 out
  shift 2
  if ! out=$("$bench" -s "$sock" "$@"); then
    echo "run_targets.sh: goxel-bench $key failed: $out" >&2
    exit 1
  fi
  add "$key.rps" "$(sed -E 's/.*"rps":([0-9.]+).*/\1/' <<<"$out")"
  add "$key.p50" "$(sed -E 's/.*"p50_us":([0-9.]+).*/\1/' <<<"$out")"
}
median() {  # KEY -> median of its samples
  tr ' ' '\n' <<<"${samples[$1]}" | sed '/^$/d' | sort -g |
    awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

many=(-c 32 -n 200000 -W 2000)
seq=(-c 1 -n 20000 -W 2000)
for ((round = 1; round <= rounds; round++)); do
  echo "round $round/$rounds..." >&2
  pp floor32 "$tmp/floor.sock" "${many[@]}" -m raw
  pp worker32 "$tmp/worker.sock" "${many[@]}" -m raw
  pp redis32 "$tmp/redis.sock" "${many[@]}" -m redis
  pp ping32 "$tmp/goxel.sock" "${many[@]}" -m json
  pp sleep32 "$tmp/goxel.sock" "${many[@]}" -m json -M debug.sleep -A '{"ms":0}'
  pp floor1 "$tmp/floor.sock" "${seq[@]}" -m raw
  pp ping1 "$tmp/goxel.sock" "${seq[@]}" -m json
  pp add1 "$tmp/goxel.sock" "${seq[@]}" -m json -M goxel.add_voxel \
    -A '{"x":1,"y":2,"z":3,"r":255,"g":0,"b":0}'
  pp get32 "$tmp/goxel.sock" "${many[@]}" -m json -M goxel.get_voxel \
    -A '{"x":1,"y":2,"z":3}'
  gb gb.floor32 "$tmp/floor.sock" "${many[@]}" --raw 60
  gb gb.ping32 "$tmp/goxel.sock" "${many[@]}"
  gb gb.sleep32 "$tmp/goxel.sock" "${many[@]}" -M debug.sleep -A '{"ms":0}'
  gb gb.floor1 "$tmp/floor.sock" "${seq[@]}" --raw 60
  gb gb.ping1 "$tmp/goxel.sock" "${seq[@]}"
done
sleep 0.5
after_rss_kb=$(proc_field "$daemon_pid" VmRSS)
after_threads=$(proc_field "$daemon_pid" Threads)

met=0 total=0
row() {  # LABEL VALUE UNIT FLOOR RATIO_TARGET_TEXT OK(0/1/-)
  printf '%-44s %12s %-6s %12s %7s  %s\n' "$@"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
check() {  # LABEL KEY FLOOR_KEY OP LIMIT UNIT TARGET_TEXT (ratio OP LIMIT)
  local v f r ok
  v=$(median "$2") f=$(median "$3") r=$(ratio "$v" "$f")
  ok=$(awk -v r="$r" -v l="$5" -v op="$4" 'BEGIN { print ((op == ">=" ? r >= l : r <= l) ? "MET" : "MISSED") }')
  total=$((total + 1))
  [[ $ok == MET ]] && met=$((met + 1))
  row "$1" "$v" "$6" "$f" "$r" "$7: $ok"
}
info() {  # LABEL KEY FLOOR_KEY UNIT
  local v f
  v=$(median "$2") f=$(median "$3")
  row "$1" "$v" "$4" "$f" "$(ratio "$v" "$f")" ""
}

echo
echo "goxel-daemon targets ($(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ), median of $rounds rounds)"
echo "daemon: $daemon"
row "figure (pp_client unless noted)" "value" "unit" "floor" "ratio" "target"
info "echo floor, one epoll loop, 32 conns" floor32.rps floor32.rps req/s
info "echo + one worker hop, 32 conns" worker32.rps floor32.rps req/s
info "Redis PING, 32 conns" redis32.rps floor32.rps req/s
check "daemon ping, 32 conns" ping32.rps floor32.rps ">=" 0.9 req/s ">= 0.90x floor"
total=$((total + 1))
if awk -v a="$(median ping32.rps)" -v b="$(median redis32.rps)" 'BEGIN { exit !(a >= b) }'; then
  met=$((met + 1)) redis_ok=MET
else
  redis_ok=MISSED
fi
row "daemon ping vs Redis PING, 32 conns" "$(median ping32.rps)" req/s "$(median redis32.rps)" \
  "$(ratio "$(median ping32.rps)" "$(median redis32.rps)")" ">= 1.00x Redis: $redis_ok"
check "daemon debug.sleep{ms:0}, 32 conns" sleep32.rps floor32.rps ">=" 0.6 req/s ">= 0.60x floor"
check "goxel.get_voxel, 32 conns (issue 4)" get32.rps floor32.rps ">=" 0.6 req/s ">= 0.60x floor"
total=$((total + 1))
if awk -v a="$(median add1.rps)" 'BEGIN { exit !(a >= 19500) }'; then
  met=$((met + 1)) add_ok=MET
else
  add_ok=MISSED
fi
row "goxel.add_voxel, 1 conn (issue 4)" "$(median add1.rps)" req/s "$(median floor1.rps)" \
  "$(ratio "$(median add1.rps)" "$(median floor1.rps)")" ">= 19500 (3x v14): $add_ok"
info "echo floor, 1 conn sequential (p50)" floor1.p50 floor1.p50 us
check "daemon ping, 1 conn sequential (p50)" ping1.p50 floor1.p50 "<=" 1.2 us "<= 1.20x floor"
info "daemon ping, 1 conn sequential (rps)" ping1.rps floor1.rps req/s
info "goxel-bench: echo floor, 32 conns" gb.floor32.rps floor32.rps req/s
info "goxel-bench: daemon ping, 32 conns" gb.ping32.rps gb.floor32.rps req/s
info "goxel-bench: daemon debug.sleep, 32 conns" gb.sleep32.rps gb.floor32.rps req/s
info "goxel-bench: echo floor, 1 conn (p50)" gb.floor1.p50 floor1.p50 us
info "goxel-bench: daemon ping, 1 conn (p50)" gb.ping1.p50 gb.floor1.p50 us
rss_ok=$(awk -v k="$idle_rss_kb" 'BEGIN { print (k <= 8192 ? "MET" : "MISSED") }')
thr_ok=$([[ $idle_threads -ge 5 && $idle_threads -le 6 ]] && echo MET || echo MISSED)
total=$((total + 2))
[[ $rss_ok == MET ]] && met=$((met + 1))
[[ $thr_ok == MET ]] && met=$((met + 1))
row "daemon idle RSS, 4 workers (fresh)" "$idle_rss_kb" kB "-" "-" "<= 8192 kB: $rss_ok"
row "daemon idle threads, 4 workers (fresh)" "$idle_threads" "" "-" "-" "5 (6 at most): $thr_ok"
row "daemon idle RSS after the loads" "$after_rss_kb" kB "-" "-" ""
row "daemon threads after the loads" "$after_threads" "" "-" "-" ""
echo "targets met: $met/$total (the 500 MB/s framer target is measured by the Google Benchmark binaries)"
