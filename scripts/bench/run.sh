#!/usr/bin/env bash
# make bench: end-to-end throughput of bin/auditship on generated Automatiko
# audit logs, next to the ceilings of merely reading the same bytes.
#
#   BENCH_N=200000 scripts/bench/run.sh      # a quick smoke run
#
# Environment:
#   BENCH_N              entries per input file (default 2000000)
#   BENCH_SEED           generator seed (default 1)
#   AUDITSHIP_BENCH_DIR  work dir on a disk-backed filesystem
#                        (default /var/tmp/auditship-bench); generated inputs
#                        are cached there and reused for the same N and seed
#   BENCH_TIMEOUT        per-workload limit (default 30m)
#   BENCH_BACKLOG_N      entries fed to the backlog workload (default 2000000)
#   BENCH_BACKLOG_BYTES  buffer size the backlog waits for (default 1 GiB)
#   BENCH_STORES         0 skips the object-store workloads
#   BENCH_MYSQL          0 skips the mysql workloads (BENCH_MYSQL_N entries,
#                        default 200000; the naive loop on BENCH_MYSQL_LOOP_N,
#                        default 20000), see scripts/bench/mysql.sh
#   BENCH_FIND           0 skips the export/replay rows of issue 11 on an
#                        archive of BENCH_FIND_N entries (default 1000000),
#                        see scripts/bench/find.sh
#   BENCH_SCALE          0 skips the scale rows of issue 12: tail json -> file
#                        at BENCH_SCALE_BASE_N (default 1000000) and at
#                        BENCH_SCALE_N entries (default 10000000; refused
#                        when the bench dir lacks the disk), see volume.sh
#   BENCH_PIPELINES      pipelines of the many-pipelines row (default 100; 0
#                        skips it), together tailing BENCH_PIPELINES_N
#                        entries (default BENCH_N) from one file each
#   BENCH_SCALE_SCRIPT   0 skips scripts/bench/scale.sh, which otherwise runs
#                        after the table when it exists (the steady-state
#                        100 pipelines x 100 lines/s script)
#   BENCH_PEERS          0 skips the side-by-side table with Fluent Bit,
#                        made by BENCH_PEERS_KIT/compare.sh (default
#                        ../shared/peers, from the repo root) when it exists
#                        on BENCH_PEERS_N lines (default 1000000) in
#                        BENCH_PEERS_ROUNDS rounds (default 3), see peers.sh
#   BENCH_INDEX_ROUNDS   pairs of tail rows with and without index values
#                        whose median CPU-s/M ratio is the index's cost
#                        (default 5; 0 skips them)
#   BENCH_ONLY=find|scale|peers|index  runs only those rows
#
# Each workload is timed from process start to exit; CPU and peak RSS come
# from the child's rusage (see scripts/bench/README.md).
set -euo pipefail

cd "$(dirname "$0")/../.."
N=${BENCH_N:-2000000}
SEED=${BENCH_SEED:-1}
DIR=${AUDITSHIP_BENCH_DIR:-/var/tmp/auditship-bench}
TIMEOUT=${BENCH_TIMEOUT:-30m}
GO=${GO:-go}

die() { echo "bench: $*" >&2; exit 1; }

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
FSTYPE=$(stat -f -c %T "$DIR")
case "$FSTYPE" in
  tmpfs|ramfs) die "$DIR is on $FSTYPE: fsync is free there; set AUDITSHIP_BENCH_DIR to a disk-backed directory" ;;
esac

echo "building bin/auditship and the bench tools"
$GO build -o bin/auditship ./cmd/auditship
$GO build -o "$DIR/bin/gen" ./scripts/bench/gen
$GO build -o "$DIR/bin/runner" ./scripts/bench/runner
$GO build -o "$DIR/bin/lines" ./scripts/bench/lines
$GO build -o "$DIR/bin/storestat" ./scripts/bench/storestat
AUDITSHIP=$(pwd)/bin/auditship
RUNNER="$DIR/bin/runner"

# generate FORMAT [N]: writes (or reuses) the input and its stats; the
# stats file is written last, so its presence means the input is complete.
generate() {
  local n=${2:-$N}
  local base="$DIR/data/audit-n$n-s$SEED.$1"
  if [[ ! -s "$base.stats.json" ]]; then
    echo "generating $n $1 entries into $base.log"
    mkdir -p "$DIR/data"
    "$DIR/bin/gen" -n "$n" -format "$1" -seed "$SEED" -stats "$base.tmp.json" > "$base.log"
    mv "$base.tmp.json" "$base.stats.json"
  fi
}
stat_of() { sed -n "s/^  \"$2\": \([0-9]*\).*/\1/p" "$DIR/data/audit-n${3:-$N}-s$SEED.$1.stats.json"; }
ONLY=${BENCH_ONLY:-}
case $ONLY in
  ''|find|scale|peers|index) ;;
  *) die "BENCH_ONLY=$ONLY: want find, scale, peers or index" ;;
esac
if [[ -z $ONLY ]]; then
  generate json
  generate plain
elif [[ $ONLY == index ]]; then
  generate json
fi
JSON_LOG="$DIR/data/audit-n$N-s$SEED.json.log"
PLAIN_LOG="$DIR/data/audit-n$N-s$SEED.plain.log"

# Every agent serves /metrics on one free port; the runner scrapes the
# buffer's fsync counter (and, per workload, what it stops on).
PORT=$("$RUNNER" -free-port)
METRICS=(-metrics "http://127.0.0.1:$PORT/metrics" -fsyncs auditship_buffer_fsyncs_total)

# config NAME INPUT_BLOCK PROCESSORS [OUTPUT_BLOCK [BUFFER_BLOCK [SHUTDOWN]]]:
# one pipeline "bench", by default writing ndjson files under the
# workload's run dir.
config() {
  local output=${4:-"output \"file\" \"out\" { path = \"$DIR/run/$1/out\" }"}
  cat > "$DIR/conf/$1.hcl" <<EOF
shutdown_timeout = "${6:-60s}"
metrics_addr     = "127.0.0.1:$PORT"

pipeline "bench" {
  $2
$3
  ${5:-}
  $output
}
EOF
}
PROCESSORS='  processor "categories" "c" { exclude = ["workflow_persistence_read"] }
  processor "filter" "f" { when = "workflowDefinitionId == '"'orders'"'" }'
mkdir -p "$DIR/conf"
config json  'input "stdin" "in" { format = "json" }' "$PROCESSORS" "" 'buffer { fsync = "batch" }'
config never 'input "stdin" "in" { format = "json" }' "$PROCESSORS" "" 'buffer { fsync = "never" }'
config plain 'input "stdin" "in" { format = "plain" }' "$PROCESSORS"
config tail  "input \"file\" \"in\" {
    paths    = [\"$JSON_LOG\"]
    format   = \"json\"
    start_at = \"beginning\"
  }" ""
# the same without index values (index_fields = []): the index's cost is
# the difference (issue 11: at most 3% of CPU-s per million)
config tailnoidx "input \"file\" \"in\" {
    paths    = [\"$JSON_LOG\"]
    format   = \"json\"
    start_at = \"beginning\"
  }" "" "output \"file\" \"out\" {
    path         = \"$DIR/run/tailnoidx/out\"
    index_fields = []
  }"

# agent NAME LABEL RUNNER_ARGS...: runs the agent on conf/NAME.hcl with
# the data_dir of run dir $RUN_DIR (default NAME), which it keeps, prints
# the row and keeps it in ROW; a failed run sets FAILED.
FAILED=0
ROW=
agent() {
  local name=$1 label=$2
  shift 2
  local run="$DIR/run/${RUN_DIR:-$name}"
  mkdir -p "$run"
  if ! ROW=$("$RUNNER" -label "$label" -timeout "$TIMEOUT" -stderr "$run/stderr-$name.log" "${METRICS[@]}" "$@" \
      -- "$AUDITSHIP" run -c "$DIR/conf/$name.hcl" --data-dir "$run/data"); then
    FAILED=1
  fi
  echo "$ROW"
}

# check NAME WHAT GOT WANT: flags a mismatch, with the run's last log lines.
check() {
  [[ "$3" == "$4" ]] && return
  local log="$DIR/run/${RUN_DIR:-$1}/stderr-$1.log"
  echo "  !! $1: $2 $3, want $4; last log lines ($log):"
  tail -n 5 "$log" | cut -c1-300 | sed 's/^/     /'
  FAILED=1
}

# col K: field K from the right of ROW (0 exit, 1 out, 2 ratio, 3 obj/s,
# 4 fsync/s, 5 RSS, 6 CPU-s/M, 7 MB/s, 8 events/s); labels hold spaces.
col() { awk -v k="$1" '{print $(NF-k)}' <<<"$ROW"; }

# workload NAME LABEL EXPECTED RUNNER_ARGS...: a fresh data_dir and output
# per run; checks the output holds the expected number of events.
workload() {
  local name=$1 label=$2 expected=$3
  shift 3
  rm -rf "$DIR/run/$name" && mkdir -p "$DIR/run/$name/out"
  agent "$name" "$label" -watch "$DIR/run/$name/out" "$@"
  check "$name" "events out" "$(col 1)" "$expected"
}

# dd_rate: synchronous 4 KiB writes per second in the bench dir: how many
# fsyncs the disk can do, the ceiling of fsync = "always".
dd_rate() {
  local secs
  secs=$(LC_ALL=C dd if=/dev/zero of="$DIR/dd.test" bs=4k count=2000 oflag=dsync 2>&1 |
    sed -n 's/.*copied, \([0-9.e+-]*\) s,.*/\1/p')
  rm -f "$DIR/dd.test"
  awk -v s="$secs" 'BEGIN { if (s > 0) printf "%.0f", 2000 / s; else printf "?" }'
}

# index_cost: BENCH_INDEX_ROUNDS (default 5) more pairs of the two tail
# rows, run one after the other, and the median of their CPU-s/M ratios:
# what the index costs is a few percent, single runs vary by more.
index_cost() {
  local rounds=${BENCH_INDEX_ROUNDS:-5} i ratios=() t n bytes
  (( rounds > 0 )) || return 0
  bytes=$(stat_of json bytes)
  echo "index cost: $rounds interleaved pairs of tail json -> file with and without index values"
  for ((i = 1; i <= rounds; i++)); do
    workload tail "  pair $i: with index values" "$N" -events "$N" -bytes "$bytes" -until "$N"
    t=$(col 6)
    workload tailnoidx "  pair $i: index_fields = []" "$N" -events "$N" -bytes "$bytes" -until "$N"
    n=$(col 6)
    ratios+=("$(awk -v t="$t" -v n="$n" 'BEGIN { if (n > 0) printf "%.4f", t / n; else print "nan" }')")
  done
  printf '%s\n' "${ratios[@]}" | sort -g | awk '{ r[NR] = $1 } END {
    m = NR % 2 ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2
    printf "index values cost %+.1f%% CPU-s/M, median of %d pairs (range %+.1f%% to %+.1f%%; target <= 3%%)\n", 100 * (m - 1), NR, 100 * (r[1] - 1), 100 * (r[NR] - 1) }'
}

[[ -n $ONLY ]] || source scripts/bench/backlog.sh
source scripts/bench/stores.sh
source scripts/bench/mysql.sh
source scripts/bench/find.sh
source scripts/bench/volume.sh
source scripts/bench/peers.sh

# The steady-state many-pipelines script (scripts/bench/scale.sh), when it
# is there: run as a child after the scale rows, with the bench's binary,
# dir, runner and metrics port in its environment; it prints its own rows,
# and a non-zero exit fails the bench.
scale_script() {
  [[ -f scripts/bench/scale.sh ]] || return 0
  if [[ ${BENCH_SCALE_SCRIPT:-1} == 0 ]]; then
    echo "scripts/bench/scale.sh skipped (BENCH_SCALE_SCRIPT=0)"
    return
  fi
  echo
  echo "scripts/bench/scale.sh:"
  AUDITSHIP_BENCH_DIR=$DIR AUDITSHIP_BIN=$AUDITSHIP BENCH_RUNNER=$RUNNER BENCH_METRICS_PORT=$PORT \
    bash scripts/bench/scale.sh || { echo "  !! scripts/bench/scale.sh exited $?"; FAILED=1; }
}

if [[ -n $ONLY ]]; then
  echo
  echo "auditship $(git describe --tags --always --dirty 2>/dev/null || echo dev), $($GO env GOVERSION)," \
    "$(nproc) CPUs: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1); load average $(cut -d" " -f1-3 /proc/loadavg)"
  echo "bench dir $DIR on $FSTYPE; BENCH_ONLY=$ONLY"
  case $ONLY in
    find)
      echo
      "$RUNNER" -header | sed -n 1p
      find_rows
      ;;
    index)
      echo
      "$RUNNER" -header | sed -n 1p
      index_cost
      ;;
    scale)
      echo
      "$RUNNER" -header | sed -n 1p
      volume_rows
      pipelines_row
      scale_script
      ;;
    peers) peers_table ;;
  esac
  echo "load average $(cut -d" " -f1-3 /proc/loadavg) at the end"
  exit $FAILED
fi

JSON_BYTES=$(stat_of json bytes)
PLAIN_BYTES=$(stat_of plain bytes)
PASSED=$(stat_of json passed)

echo
echo "auditship $(git describe --tags --always --dirty 2>/dev/null || echo dev), $($GO env GOVERSION)," \
  "$(nproc) CPUs: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1); load average $(cut -d" " -f1-3 /proc/loadavg)"
echo "bench dir $DIR on $FSTYPE; $N entries: json $((JSON_BYTES / N)) B/entry," \
  "plain $((PLAIN_BYTES / N)) B/entry; categories + filter pass $PASSED"
echo "disk: $(dd_rate) synchronous 4 KiB writes/s (dd bs=4k count=2000 oflag=dsync in the bench dir)"
echo
"$RUNNER" -header
"$RUNNER" -label "ceiling: cat > /dev/null" -events "$N" -bytes "$JSON_BYTES" -stdin "$JSON_LOG" -- cat
"$RUNNER" -label "ceiling: split lines" -events "$N" -bytes "$JSON_BYTES" -stdin "$JSON_LOG" -- "$DIR/bin/lines"
"$RUNNER" -target "target (fsync batch/never),250000,4,64"
workload json  "stdin json -> file, fsync=batch" "$PASSED" -events "$N" -bytes "$JSON_BYTES" -stdin "$JSON_LOG"
BATCH_RATE=$(col 8)
workload never "stdin json -> file, fsync=never" "$PASSED" -events "$N" -bytes "$JSON_BYTES" -stdin "$JSON_LOG"
NEVER_RATE=$(col 8)
workload plain "stdin plain -> file" "$PASSED" -events "$N" -bytes "$PLAIN_BYTES" -stdin "$PLAIN_LOG"
workload tail  "tail json -> file" "$N" -events "$N" -bytes "$JSON_BYTES" -until "$N"
TAIL_RATE=$(col 8)
TAIL_CPU=$(col 6)
workload tailnoidx "tail json -> file, no index values" "$N" -events "$N" -bytes "$JSON_BYTES" -until "$N"
NOIDX_CPU=$(col 6)
backlog
stores
mysql_rows
find_rows
volume_rows
pipelines_row
echo
awk -v b="$BATCH_RATE" -v n="$NEVER_RATE" 'BEGIN { if (n > 0)
  printf "fsync=batch runs at %.0f%% of the events/s of fsync=never (target >= 80%%)\n", 100 * b / n }'
awk -v t="$TAIL_CPU" -v n="$NOIDX_CPU" 'BEGIN { if (n > 0)
  printf "index values cost %+.1f%% CPU-s/M (tail json -> file against index_fields = []; target <= 3%%; single runs vary +-10%%)\n", 100 * (t / n - 1) }'
index_cost
echo "events/s and MB/s count input entries and bytes over the wall time from start to exit;"
echo "CPU-s/M = (user+sys of the process) per million input entries; RSS = peak (ru_maxrss);"
echo "fsync/s = buffer fsyncs (auditship_buffer_fsyncs_total) per second, up to the last scrape."
echo "tail: the file input never ends, so the runner sends SIGTERM once the output holds all $N"
echo "entries (exit column: sigterm@SECONDS); the time includes the graceful shutdown that follows."
echo "backlog, object stores and scale: see scripts/bench/README.md for how each row is measured."
scale_script
peers_table
echo "load average $(cut -d" " -f1-3 /proc/loadavg) at the end"
exit $FAILED
