# shellcheck shell=bash
# Sourced by run.sh: the side-by-side table with Fluent Bit (issue 12,
# point 5; README, "Workloads"). The peer kit is not part of the repo and
# nothing of it is copied here: when BENCH_PEERS_KIT (default
# ../shared/peers, relative to the repo root) holds compare.sh, the bench
# calls it on the bin/auditship it just built, with BENCH_PEERS_N lines
# (default 1000000) and BENCH_PEERS_ROUNDS rounds (default 3), and prints
# what it prints, its table last (lines/s, CPU-s per 1M lines, peak RSS,
# ratios vs fluentbit-tuned). compare.sh waits before each round for the
# 1-minute load average to drop below AUDITSHIP_PEERS_MAXLOAD (default
# 1.5), passed through, as is AUDITSHIP_PEERS_ONLY; its work dir is
# AUDITSHIP_PEERS_DIR, by default $DIR/peers. Without the kit one line
# says it is absent; BENCH_PEERS=0 skips it. A failed comparison (a run
# that failed its checks, a missing library) fails the bench.

PEERS_KIT=${BENCH_PEERS_KIT:-../shared/peers}
PEERS_N=${BENCH_PEERS_N:-1000000}
PEERS_ROUNDS=${BENCH_PEERS_ROUNDS:-3}
PEERS_MAXLOAD=${AUDITSHIP_PEERS_MAXLOAD:-1.5}
PEERS_DIR=${AUDITSHIP_PEERS_DIR:-$DIR/peers}

peers_table() {
  echo
  if [[ ${BENCH_PEERS:-1} == 0 ]]; then
    echo "peers: Fluent Bit comparison skipped (BENCH_PEERS=0)"
    return
  fi
  if [[ ! -f $PEERS_KIT/compare.sh ]]; then
    echo "peers: Fluent Bit comparison skipped: peer kit absent (no $PEERS_KIT/compare.sh from $(pwd))"
    return
  fi
  local log="$DIR/peers-n$PEERS_N.log" rc
  echo "peers: $PEERS_KIT/compare.sh bin/auditship $PEERS_N, $PEERS_ROUNDS rounds, waiting for load" \
    "< $PEERS_MAXLOAD before each (load average now $(cut -d" " -f1-3 /proc/loadavg)); work dir $PEERS_DIR, log $log"
  set +e
  AUDITSHIP_PEERS_ROUNDS=$PEERS_ROUNDS AUDITSHIP_PEERS_MAXLOAD=$PEERS_MAXLOAD AUDITSHIP_PEERS_DIR=$PEERS_DIR \
    bash "$PEERS_KIT/compare.sh" "$AUDITSHIP" "$PEERS_N" < /dev/null 2>&1 | tee "$log" | sed -u 's/^/  /'
  rc=${PIPESTATUS[0]}
  set -e
  if ((rc != 0)); then
    echo "  !! peers: compare.sh exited $rc; see $log"
    FAILED=1
  fi
  echo "load average $(cut -d" " -f1-3 /proc/loadavg) after the peer comparison"
}
