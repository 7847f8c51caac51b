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
AUDITSHIP=$(pwd)/bin/auditship
RUNNER="$DIR/bin/runner"

# generate FORMAT: writes (or reuses) the input and its stats; the stats
# file is written last, so its presence means the input is complete.
generate() {
  local base="$DIR/data/audit-n$N-s$SEED.$1"
  if [[ ! -s "$base.stats.json" ]]; then
    echo "generating $N $1 entries into $base.log"
    mkdir -p "$DIR/data"
    "$DIR/bin/gen" -n "$N" -format "$1" -seed "$SEED" -stats "$base.tmp.json" > "$base.log"
    mv "$base.tmp.json" "$base.stats.json"
  fi
}
stat_of() { sed -n "s/^  \"$2\": \([0-9]*\).*/\1/p" "$DIR/data/audit-n$N-s$SEED.$1.stats.json"; }
generate json
generate plain
JSON_LOG="$DIR/data/audit-n$N-s$SEED.json.log"
PLAIN_LOG="$DIR/data/audit-n$N-s$SEED.plain.log"

# config NAME INPUT_BLOCK PROCESSORS: one pipeline "bench" writing ndjson
# files under the workload's run dir.
config() {
  cat > "$DIR/conf/$1.hcl" <<EOF
shutdown_timeout = "60s"

pipeline "bench" {
  $2
$3
  output "file" "out" {
    path = "$DIR/run/$1/out"
  }
}
EOF
}
PROCESSORS='  processor "categories" "c" { exclude = ["workflow_persistence_read"] }
  processor "filter" "f" { when = "workflowDefinitionId == '"'orders'"'" }'
mkdir -p "$DIR/conf"
config json  'input "stdin" "in" { format = "json" }' "$PROCESSORS"
config plain 'input "stdin" "in" { format = "plain" }' "$PROCESSORS"
config tail  "input \"file\" \"in\" {
    paths    = [\"$JSON_LOG\"]
    format   = \"json\"
    start_at = \"beginning\"
  }" ""

# workload NAME LABEL EXPECTED RUNNER_ARGS...: a fresh data_dir and output
# per run; checks the output holds the expected number of events.
FAILED=0
workload() {
  local name=$1 label=$2 expected=$3
  shift 3
  local run="$DIR/run/$name"
  rm -rf "$run" && mkdir -p "$run/out"
  local row
  if ! row=$("$RUNNER" -label "$label" -timeout "$TIMEOUT" -stderr "$run/stderr.log" -watch "$run/out" "$@" \
      -- "$AUDITSHIP" run -c "$DIR/conf/$name.hcl" --data-dir "$run/data"); then
    FAILED=1
  fi
  echo "$row"
  local out
  out=$(awk '{print $(NF-1)}' <<<"$row")
  if [[ "$out" != "$expected" ]]; then
    echo "  !! $name: $out events out, want $expected; last log lines ($run/stderr.log):"
    tail -n 5 "$run/stderr.log" | cut -c1-300 | sed 's/^/     /'
    FAILED=1
  fi
}

JSON_BYTES=$(stat_of json bytes)
PLAIN_BYTES=$(stat_of plain bytes)
PASSED=$(stat_of json passed)

echo
echo "auditship $(git describe --tags --always --dirty 2>/dev/null || echo dev), $($GO env GOVERSION)," \
  "$(nproc) CPUs: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
echo "bench dir $DIR on $FSTYPE; $N entries: json $((JSON_BYTES / N)) B/entry," \
  "plain $((PLAIN_BYTES / N)) B/entry; categories + filter pass $PASSED"
echo
"$RUNNER" -header
"$RUNNER" -label "ceiling: cat > /dev/null" -events "$N" -bytes "$JSON_BYTES" -stdin "$JSON_LOG" -- cat
"$RUNNER" -label "ceiling: split lines" -events "$N" -bytes "$JSON_BYTES" -stdin "$JSON_LOG" -- "$DIR/bin/lines"
workload json  "stdin json -> file" "$PASSED" -events "$N" -bytes "$JSON_BYTES" -stdin "$JSON_LOG"
workload plain "stdin plain -> file" "$PASSED" -events "$N" -bytes "$PLAIN_BYTES" -stdin "$PLAIN_LOG"
workload tail  "tail json -> file" "$N" -events "$N" -bytes "$JSON_BYTES" -until "$N"
echo
echo "events/s and MB/s count input entries and bytes over the wall time from start to exit;"
echo "CPU-s/M = (user+sys of the process) per million input entries; RSS = peak (ru_maxrss)."
echo "tail: the file input never ends, so the runner sends SIGTERM once the output holds all $N"
echo "entries (exit column: sigterm@SECONDS); the time includes the graceful shutdown that follows."
exit $FAILED
