# shellcheck shell=bash
# Sourced by run.sh: the backlog workload (README, "Workloads"). A first run
# fills the buffer while the output cannot write; a second run on the same
# data_dir, with the output restored, drains it.

BACKLOG_N=${BENCH_BACKLOG_N:-2000000}
BACKLOG_BYTES=${BENCH_BACKLOG_BYTES:-1073741824}
generate json "$BACKLOG_N"
BACKLOG_LOG="$DIR/data/audit-n$BACKLOG_N-s$SEED.json.log"

# backlog_output DIR: the file output with 64 MiB batches that close by
# size only (the last one when the run stops).
backlog_output() {
  cat <<EOF
output "file" "out" {
    path = "$1"
    batch {
      max_bytes  = "64MiB"
      max_events = 1000000
      interval   = "1h"
    }
  }
EOF
}

backlog() {
  local run="$DIR/run/backlog"
  local in='input "stdin" "in" { format = "json" }' buffer='buffer { max_size = "2GiB" }'
  rm -rf "$run" && mkdir -p "$run/out" && : > "$run/blocked"
  # A regular file as the output directory: every write fails and retries.
  config backlog-fill "$in" "" "$(backlog_output "$run/blocked")" "$buffer" 2s
  config backlog-drain "$in" "" "$(backlog_output "$run/out")" "$buffer" 30m
  "$RUNNER" -target "target (backlog),,,64"
  RUN_DIR=backlog agent backlog-fill "backlog fill, output blocked" -stdin "$BACKLOG_LOG" \
    -until-metric auditship_buffer_bytes -until "$BACKLOG_BYTES" \
    -events-metric auditship_buffer_appended_records_total
  local appended exit held
  appended=$(col 10) exit=$(col 0)
  RUN_DIR=backlog check backlog-fill "exit" "${exit%%@*}" "0/sigterm"
  # The batch the sender keeps retrying is spooled and trimmed from the
  # buffer: the backlog is the pipeline's whole state dir.
  held=$(du -sb "$run/data/pipelines/bench" | cut -f1)
  echo "  backlog: $((held >> 20)) MiB in data_dir (du -sb; buffer $(($(du -sb \
    "$run/data/pipelines/bench/buffer" | cut -f1) >> 20)) MiB, the rest spooled), at least $appended events"
  RUN_DIR=backlog check backlog-fill "data_dir holds >= $BACKLOG_BYTES bytes:" \
    "$( ((held >= BACKLOG_BYTES)) && echo yes || echo no)" yes
  RUN_DIR=backlog agent backlog-drain "backlog drain -> file, 64 MiB" -watch "$run/out" -events-out \
    -bytes "$held"
  RUN_DIR=backlog check backlog-drain "exit" "$(col 0)" 0
  RUN_DIR=backlog check backlog-drain "events out >= $appended appended:" \
    "$( (($(col 1) >= appended)) && echo yes || echo no)" yes
}
