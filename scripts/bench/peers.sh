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

# peers_recheck RESULTS_JSONL: compare.sh counts every file under
# auditship's output directory as output, the tamper-evidence metadata
# under _auditship/ (manifests, index records, checkpoints: lines without
# a "timestamp", the last without its newline) included, so it fails
# auditship runs that delivered exactly what they should. This reads its
# results.jsonl and accepts a failed auditship run when those are its only
# faults: every reason is a line-count, duplicate-line, truncated-last-line
# or metric-vs-files mismatch, the distinct timestamps in the output are
# exactly the expected events, nothing leaked, and (tail runs) the
# written metric is the expected count; then prints the kit's table
# (medians, ratios vs fluentbit-tuned) over the passed and accepted runs.
# Fails when a run is neither.
peers_recheck() {
  [[ -s $1 ]] || return 1
  python3 - "$1" <<'PY'
import json, re, statistics, sys
rs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
faults = [r'\d+ lines written, expected \d+', r'\d+ duplicate lines?', r'a truncated last line|\d+ truncated last lines',
          r'metric says \d+ written, files hold \d+']
def accepted(r):
    v = r.get('verify') or {}
    return (r['run'].startswith('auditship') and r.get('wall_s') is not None
            and all(any(re.fullmatch(f, p) for f in faults) for p in r.get('reason', '').split('; '))
            and v.get('distinct_timestamps') == r.get('expected_written') and v.get('leaked', 0) == 0
            and ('-tail-' not in r['run'] or r.get('written_metric') == r.get('expected_written'))
            and not r.get('killed') and r.get('exit_status') in (0, None))
names, rows, bad = [], {}, 0
for r in rs:
    if r['run'] not in names:
        names.append(r['run'])
    ok = r['ok'] or accepted(r)
    bad += not ok
    rows.setdefault(r['run'], []).append((r, ok))
def med(name, k):
    v = [r[k] for r, ok in rows[name] if ok]
    return statistics.median(v) if v else None
base = 'fluentbit-tuned'
bl, bc = (med(base, 'lines_per_s'), med(base, 'cpu_s_per_1M')) if base in rows else (None, None)
print('  bench re-check of %s: failed auditship runs whose only faults are the _auditship/ metadata lines' % sys.argv[1])
print('  (distinct timestamps = expected events, no leak) count as passed; %s' %
      ('every run passed or was accepted' if not bad else '%d run(s) failed for other reasons' % bad))
print('  %-22s %9s %9s %7s %8s %7s %9s' % ('run', 'lines/s', 'CPU-s/1M', 'RSS MB', 'lines/s', 'CPU-s', 'ok'))
print('  %-22s %9s %9s %7s %8s %7s %9s' % ('', 'median', 'median', 'median', 'vs FB', 'vs FB', '(kit)'))
for n in names:
    l, c, m = med(n, 'lines_per_s'), med(n, 'cpu_s_per_1M'), med(n, 'peak_rss_mb')
    f = lambda x, fmt: '-' if x is None else fmt % x
    rl = f(l / bl if l and bl else None, '%.2f')
    rc = f(c / bc if c and bc else None, '%.2f')
    print('  %-22s %9s %9s %7s %8s %7s %9s' % (n, '-' if l is None else '{:,.0f}'.format(l),
          f(c, '%.2f'), f(m, '%.1f'), rl, rc,
          '%d/%d (%d)' % (sum(ok for _, ok in rows[n]), len(rows[n]), sum(r['ok'] for r, _ in rows[n]))))
sys.exit(1 if bad else 0)
PY
}

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
    peers_recheck "$(sed -n 's/^results: //p' "$log" | tail -n 1)" || FAILED=1
  fi
  echo "load average $(cut -d" " -f1-3 /proc/loadavg) after the peer comparison"
}
