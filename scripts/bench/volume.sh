# shellcheck shell=bash
# Sourced by run.sh: the scale rows of issue 12, point 3 (README,
# "Workloads"). Each is the tail json -> file row (`input "file"`,
# start_at = "beginning", no processors, SIGTERM once the output holds
# every entry) on more data or more pipelines:
#   - volume_rows: at BENCH_SCALE_BASE_N (default 1,000,000) and at
#     BENCH_SCALE_N (default 10,000,000) entries, one after the other, and
#     the ratio of the two rows' events/s, CPU-s/M and RSS (1.00 = flat).
#     Before the big run the free disk of the bench dir is checked against
#     the input (when not cached) plus the run dir the base run left, scaled
#     up; short of it the row is refused with what it needs. The run dirs
#     (output and data_dir) of both runs are removed after them, their
#     stderr logs kept. BENCH_SCALE=0 skips these rows.
#   - pipelines_row: BENCH_PIPELINES pipelines (default 100) in one agent,
#     each tailing its own file of one directory, pre-filled with
#     BENCH_PIPELINES_N / BENCH_PIPELINES lines (BENCH_PIPELINES_N defaults
#     to BENCH_N) cut from the json log of BENCH_PIPELINES_N entries, each
#     writing its own output directory; the row is the aggregate at full
#     speed, and the line below it compares it with one pipeline tailing
#     the same entries from one file (the tail json -> file row when it ran
#     at the same N, else a row run here). BENCH_PIPELINES=0 skips it.

SCALE_N=${BENCH_SCALE_N:-10000000}
SCALE_BASE_N=${BENCH_SCALE_BASE_N:-1000000}
PIPES=${BENCH_PIPELINES:-100}
PIPES_N=${BENCH_PIPELINES_N:-$N}
TAIL_RATE= # the tail json -> file row's events/s at N, once it ran
if [[ ! $PIPES =~ ^[0-9]+$ ]] || ((PIPES > 1000)); then die "BENCH_PIPELINES=$PIPES: want 0 to 1000"; fi
((PIPES == 0 || PIPES_N >= PIPES)) || die "BENCH_PIPELINES_N=$PIPES_N: fewer entries than the $PIPES pipelines"

# hum N: 1000000 -> 1M, 200000 -> 200k, other counts as they are.
hum() {
  awk -v n="$1" 'BEGIN {
    if (n >= 1e6 && n % 1e6 == 0) printf "%dM", n / 1e6
    else if (n >= 1e3 && n % 1e3 == 0) printf "%dk", n / 1e3
    else printf "%d", n }'
}

# ratio A B: A/B with two decimals, "-" when either is not a number > 0.
ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN {
    if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && a > 0 && b > 0) printf "%.2f", a / b; else printf "-" }'
}

# gib BYTES: in GiB with one decimal.
gib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1073741824 }'; }

# tail_conf NAME LOG: one pipeline tailing LOG from its start into the
# workload's output directory, no processors.
tail_conf() {
  config "$1" "input \"file\" \"in\" {
    paths    = [\"$2\"]
    format   = \"json\"
    start_at = \"beginning\"
  }" ""
}

# tail_row NAME LABEL N: the tail json -> file row on the json log of N
# entries (generated if needed); leaves the row in ROW.
tail_row() {
  generate json "$3"
  tail_conf "$1" "$DIR/data/audit-n$3-s$SEED.json.log"
  workload "$1" "$2" "$3" -events "$3" -bytes "$(stat_of json bytes "$3")" -until "$3"
}

# free_bytes: bytes available to an unprivileged user in the bench dir.
free_bytes() { df -P -B1 "$DIR" | awk 'NR == 2 { print $4 }'; }

volume_rows() {
  if [[ ${BENCH_SCALE:-1} == 0 ]]; then
    skip "tail json -> file, $(hum "$SCALE_BASE_N") / $(hum "$SCALE_N")" "BENCH_SCALE=0"
    return
  fi
  local base="scale-n$SCALE_BASE_N" big="scale-n$SCALE_N"
  local base_rate base_cpu base_rss per_event need free input_need=0 label
  label="tail json -> file, $(hum "$SCALE_N")"
  tail_row "$base" "tail json -> file, $(hum "$SCALE_BASE_N")" "$SCALE_BASE_N"
  base_rate=$(col 8) base_cpu=$(col 6) base_rss=$(col 5)
  # What the run dir (output files, data_dir) held per entry at the base
  # size, times the big N, plus a quarter for the buffer's segments not
  # yet trimmed while it runs and 1 GiB to spare.
  per_event=$(($(du -sb "$DIR/run/$base" | cut -f1) / SCALE_BASE_N))
  rm -rf "$DIR/run/$base/out" "$DIR/run/$base/data"
  if [[ ! -s "$DIR/data/audit-n$SCALE_N-s$SEED.json.stats.json" ]]; then
    # The generator's bytes per entry at the base size (about 620).
    input_need=$(($(stat_of json bytes "$SCALE_BASE_N") * SCALE_N / SCALE_BASE_N))
    # A half-written input from an interrupted run is regenerated.
    rm -f "$DIR/data/audit-n$SCALE_N-s$SEED.json.log"
  fi
  need=$((input_need + per_event * SCALE_N * 5 / 4 + (1 << 30)))
  free=$(free_bytes)
  if ((free < need)); then
    skip "$label" "refused: needs $(gib "$need") GiB free in $DIR, $(gib "$free") GiB are (input $(gib "$input_need") GiB to generate, run dir ~$(gib $((per_event * SCALE_N))) GiB at $per_event B/entry, +25% and 1 GiB); free some or set BENCH_SCALE_N lower"
    return
  fi
  tail_row "$big" "$label" "$SCALE_N"
  echo "  scale: $(hum "$SCALE_N")/$(hum "$SCALE_BASE_N"): events/s x$(ratio "$(col 8)" "$base_rate")," \
    "CPU-s/M x$(ratio "$(col 6)" "$base_cpu"), RSS x$(ratio "$(col 5)" "$base_rss") (1.00 = flat);" \
    "input $(gib "$(stat_of json bytes "$SCALE_N")") GiB, run dir $(gib "$(du -sb "$DIR/run/$big" | cut -f1)") GiB"
  rm -rf "$DIR/run/$big/out" "$DIR/run/$big/data"
}

# pipes_inputs PER: cuts the first PER * PIPES entries of the json log of
# PIPES_N entries into PIPES files p000.log ... of PER lines each in one
# directory, PIPES_DIR (cached; the .complete marker beside it is written
# last).
pipes_inputs() {
  PIPES_DIR="$DIR/data/pipes-n$PIPES_N-s$SEED-p$PIPES"
  [[ -e "$PIPES_DIR.complete" ]] && return
  echo "cutting $PIPES_N json entries into $PIPES files of $1 lines under $PIPES_DIR"
  rm -rf "$PIPES_DIR" && mkdir -p "$PIPES_DIR"
  head -n $(($1 * PIPES)) "$DIR/data/audit-n$PIPES_N-s$SEED.json.log" |
    split -l "$1" -d -a 3 --additional-suffix=.log - "$PIPES_DIR/p"
  : > "$PIPES_DIR.complete"
}

# pipes_conf RUN: PIPES pipelines, each tailing its own file of PIPES_DIR
# into its own directory under RUN/out.
pipes_conf() {
  local f p
  {
    echo "shutdown_timeout = \"60s\""
    echo "metrics_addr     = \"127.0.0.1:$PORT\""
    for f in "$PIPES_DIR"/p*.log; do
      p=$(basename "$f" .log)
      cat <<EOF

pipeline "$p" {
  input "file" "in" {
    paths    = ["$f"]
    format   = "json"
    start_at = "beginning"
  }
  output "file" "out" { path = "$1/out/$p" }
}
EOF
    done
  } > "$DIR/conf/pipes.hcl"
}

pipelines_row() {
  local label="tail json -> file, $PIPES pipelines"
  if [[ $PIPES == 0 ]]; then
    skip "$label" "BENCH_PIPELINES=0"
    return
  fi
  local per=$((PIPES_N / PIPES)) total single single_n bytes
  total=$((per * PIPES))
  generate json "$PIPES_N"
  pipes_inputs "$per"
  bytes=$(find "$PIPES_DIR" -name 'p*.log' -printf '%s\n' | awk '{ s += $1 } END { print s }')
  # The single pipeline on the same entries: the tail json -> file row
  # when it ran on them, else one run here.
  single=$TAIL_RATE single_n=$N
  if [[ -z $single || $PIPES_N != "$N" ]]; then
    tail_row tail1 "tail json -> file, 1 pipeline" "$PIPES_N"
    single=$(col 8) single_n=$PIPES_N
    rm -rf "$DIR/run/tail1/out" "$DIR/run/tail1/data"
  fi
  rm -rf "$DIR/run/pipes" && mkdir -p "$DIR/run/pipes/out"
  pipes_conf "$DIR/run/pipes"
  agent pipes "$label" -watch "$DIR/run/pipes/out" -events "$total" -bytes "$bytes" -until "$total"
  check pipes "events out" "$(col 1)" "$total"
  echo "  $PIPES pipelines x $per lines: $(col 8) events/s together, x$(ratio "$(col 8)" "$single") the" \
    "single pipeline's $single events/s on $single_n entries of one file"
  rm -rf "$DIR/run/pipes/out" "$DIR/run/pipes/data"
}
