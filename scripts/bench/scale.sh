#!/usr/bin/env bash
# Issue 12 point 3: many pipelines in one agent, each tailing its own file
# of one shared directory at a steady rate. Reports the agent's CPU (share
# of one core over the steady window), peak RSS, buffer fsyncs/s and the
# filesystem flushes they share.
#
#   scripts/bench/scale.sh                       # 100 pipelines x 100 lines/s, 60 s
#   SCALE_PIPELINES=10 SCALE_SECONDS=20 scripts/bench/scale.sh
#
# Environment:
#   SCALE_PIPELINES      pipelines (one file flow-N.log each; default 100)
#   SCALE_RATE           lines per second per file (default 100)
#   SCALE_SECONDS        writing time (default 60); the first SCALE_WARMUP
#                        seconds (default 10) are not measured
#   SCALE_PROFILE        a directory: the agent writes cpu.pprof and
#                        mem.pprof there (AUDITSHIP_CPUPROFILE/MEMPROFILE)
#   SCALE_STRACE         1: after the window, count fsync/fdatasync/syncfs calls
#                        with strace -c -f for 10 s
#   AUDITSHIP_BENCH_DIR  work dir on a disk-backed filesystem (default
#                        /var/tmp/auditship-bench); each run goes in its own
#                        scale.PID/, removed at the end unless SCALE_KEEP=1
#   AUDITSHIP_BIN        the agent to run (default: built into the run dir)
#   BENCH_RUNNER         scripts/bench/runner binary (default: built)
#   BENCH_METRICS_PORT   metrics port (default: a free one)
set -euo pipefail

cd "$(dirname "$0")/../.."
P=${SCALE_PIPELINES:-100}
RATE=${SCALE_RATE:-100}
SECS=${SCALE_SECONDS:-60}
WARM=${SCALE_WARMUP:-10}
BASE=${AUDITSHIP_BENCH_DIR:-/var/tmp/auditship-bench}
GO=${GO:-go}
die() { echo "scale: $*" >&2; exit 1; }
(( SECS > WARM )) || die "SCALE_SECONDS=$SECS must exceed SCALE_WARMUP=$WARM"

mkdir -p "$BASE"
BASE=$(cd "$BASE" && pwd)
case $(stat -f -c %T "$BASE") in
  tmpfs|ramfs) die "$BASE is on tmpfs: fsync is free there; set AUDITSHIP_BENCH_DIR" ;;
esac
DIR=$BASE/scale.$$ # runs side by side (make bench runs this too) do not share files
rm -rf "$DIR"
mkdir -p "$DIR/logs" "$DIR/out" "$DIR/bin"

AGENT_BIN=${AUDITSHIP_BIN:-$DIR/bin/auditship}
RUNNER=${BENCH_RUNNER:-$DIR/bin/runner}
[[ -n ${AUDITSHIP_BIN:-} ]] || $GO build -o "$AGENT_BIN" ./cmd/auditship
[[ -n ${BENCH_RUNNER:-} ]] || $GO build -o "$RUNNER" ./scripts/bench/runner
$GO build -o "$DIR/bin/gen" ./scripts/bench/gen
$GO build -o "$DIR/bin/appender" ./scripts/bench/appender
"$DIR/bin/gen" -n 20000 -format json -seed 1 > "$DIR/src.log"
PORT=${BENCH_METRICS_PORT:-$("$RUNNER" -free-port)}

{
  echo "shutdown_timeout = \"30s\""
  echo "metrics_addr     = \"127.0.0.1:$PORT\""
  for ((i = 0; i < P; i++)); do
    cat <<EOT
pipeline "flow-$i" {
  input "file" "in" {
    paths  = ["$DIR/logs/flow-$i.log"]
    format = "json"
  }
  processor "categories" "c" { exclude = ["workflow_persistence_read"] }
  output "file" "out" { path = "$DIR/out" }
}
EOT
  done
} > "$DIR/config.hcl"

# Create the files first: every input starts on an existing file.
for ((i = 0; i < P; i++)); do : > "$DIR/logs/flow-$i.log"; done

envs=()
if [[ -n ${SCALE_PROFILE:-} ]]; then
  mkdir -p "$SCALE_PROFILE"
  envs=(AUDITSHIP_CPUPROFILE="$SCALE_PROFILE/cpu.pprof" AUDITSHIP_MEMPROFILE="$SCALE_PROFILE/mem.pprof")
fi
env "${envs[@]}" "$AGENT_BIN" run -c "$DIR/config.hcl" --data-dir "$DIR/data" 2> "$DIR/agent.log" &
AGENT=$!
trap 'kill $AGENT 2>/dev/null || true' EXIT
for _ in $(seq 1200); do # building 100 pipelines takes a while on a busy machine
  curl -sf "http://127.0.0.1:$PORT/readyz" > /dev/null && break
  sleep 0.1
done
curl -sf "http://127.0.0.1:$PORT/readyz" > /dev/null || die "agent not ready; see $DIR/agent.log"

WSECS=$SECS
[[ ${SCALE_STRACE:-0} != 1 ]] || WSECS=$((SECS + 12)) # strace counts while the writer writes
"$DIR/bin/appender" -src "$DIR/src.log" -dir "$DIR/logs" -files "$P" -rate "$RATE" -for "${WSECS}s" > "$DIR/written" &
WRITER=$!

HZ=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$AGENT/stat"; }
# buffer fsyncs asked for, and the filesystem flushes they shared
fsyncs() {
  curl -sf "http://127.0.0.1:$PORT/metrics" |
    awk '/^auditship_buffer_fsyncs_total/ {s += $NF} /^auditship_fs_flushes_total/ {f += $NF}
      END {printf "%d %d\n", s, f}'
}
# A scrape of 100 pipelines' metrics takes a while: each count is timed
# at its own scrape, the CPU at its own read.
sleep "$WARM"
read -r f0 g0 < <(fsyncs) && u0=$(date +%s.%N)
c0=$(cpu) t0=$(date +%s.%N)
sleep $((SECS - WARM))
c1=$(cpu) t1=$(date +%s.%N)
read -r f1 g1 < <(fsyncs) && u1=$(date +%s.%N)
STRACE=""
if [[ ${SCALE_STRACE:-0} == 1 ]]; then
  timeout -s INT 10 strace -c -f -e trace=fsync,fdatasync,syncfs -p "$AGENT" -o "$DIR/strace.txt" 2> /dev/null || true
  STRACE=$(awk '$NF ~ /^(fsync|fdatasync|syncfs)$/ {printf "%s %s/s  ", $NF, $4 / 10}' "$DIR/strace.txt")
fi
wait $WRITER
HWM=$(awk '/^VmHWM/ {print $2}' "/proc/$AGENT/status")
sleep 3 # the last batches (interval 1s)
kill -TERM $AGENT
wait $AGENT || die "agent exited with $?; see $DIR/agent.log"
trap - EXIT

STORED=$(find "$DIR/out" -type f -name '*.ndjson' -exec cat {} + | wc -l)
awk -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" -v hz="$HZ" -v f0="$f0" -v f1="$f1" -v g0="$g0" -v g1="$g1" -v u0="$u0" -v u1="$u1" \
  -v la="$(cut -d" " -f1-3 /proc/loadavg)" -v hwm="$HWM" -v p="$P" -v rate="$RATE" -v w="$(cat "$DIR/written")" -v s="$STORED" 'BEGIN {
  d = t1 - t0
  printf "pipelines %d x %d lines/s, window %.0f s, load average %s\n", p, rate, d, la
  printf "cpu       %.1f%% of one core\n", 100 * (c1 - c0) / hz / d
  printf "rss peak  %.1f MB (VmHWM)\n", hwm / 1024
  printf "fsyncs    %.1f/s (auditship_buffer_fsyncs_total: %d to %d in %.1f s)\n", (f1 - f0) / (u1 - u0), f0, f1, u1 - u0
  printf "flushes   %.1f/s (auditship_fs_flushes_total: shared syncfs of the filesystem, for every fsync of the agent)\n", (g1 - g0) / (u1 - u0)
  printf "lines     %d written, %d stored (categories drops persistence reads)\n", w * p, s
}'
[[ -z $STRACE ]] || echo "strace    $STRACE"
[[ ${SCALE_KEEP:-0} == 1 ]] && echo "kept $DIR" || rm -rf "$DIR"
