#!/usr/bin/env bash
# Soaks the bursty-writer kill -9 scenario (e2e TestBurstKill9: rename
# rotation through a glob and through the exact path, copytruncate) with a
# random seed per round, for SOAK_MINUTES minutes (default 10; a round
# started before the end runs to completion, about 1.5 minutes). Prints
# each run's counts: written, stored, duplicates by _id and by content,
# missing, double-appended. The output of failed rounds is kept in
# SOAK_DIR (default /tmp/auditship-soak); E2E_SEED=N replays one with
#   cd e2e && E2E_SEED=N go test -run TestBurstKill9 -v .
# SOAK_RACE=1 builds the test with -race, as `make test` does: its slower
# writer widens the window between a rotation's rename and create.
# Exits 1 when any run failed. Not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${SOAK_MINUTES:-10}
keep=${SOAK_DIR:-/tmp/auditship-soak}
mkdir -p "$keep"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/auditship" ./cmd/auditship
go test -c ${SOAK_RACE:+-race} -o "$work/e2e.test" ./e2e

end=$(($(date +%s) + minutes * 60))
rounds=0 failed=0
while [ "$(date +%s)" -lt "$end" ]; do
  seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
  out="$work/round.txt"
  status=ok
  (cd e2e && AUDITSHIP_BIN="$work/auditship" E2E_SEED="$seed" \
    "$work/e2e.test" -test.run '^TestBurstKill9$' -test.v -test.count=1 -test.timeout 20m) >"$out" 2>&1 ||
    status=FAIL
  rounds=$((rounds + 1))
  echo "round $rounds seed $seed: $status"
  grep -o '[a-z_]* seed=[0-9]* kills=.*' "$out" | sed 's/^/  /' || true
  if [ "$status" = FAIL ]; then
    failed=$((failed + 1))
    cp "$out" "$keep/seed-$seed.txt"
    grep -E '^\s+--- FAIL|burst.*_test.go:[0-9]+: (writer|reading)' "$out" | sed 's/^/  /' || true
    echo "  output: $keep/seed-$seed.txt"
  fi
done
echo "soak: $rounds rounds of 3 runs in ${minutes}m, $failed rounds failed"
[ "$failed" -eq 0 ]
