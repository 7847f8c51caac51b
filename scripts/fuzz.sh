#!/usr/bin/env bash
# Runs every Fuzz target for a bounded number of executions (FUZZTIME,
# default 40000x: a few seconds per target on the 2-core machine).
#
# A count, not a duration: with a duration, Go 1.26's fuzz coordinator can
# report "context deadline exceeded" as a failure when the deadline fires
# while a worker is still shutting down (go.dev/issue/75804, fixed in Go
# 1.27). It failed a CI run that way with no crasher written. A count has
# no deadline, so a loaded machine only makes the run slower. Set
# FUZZTIME=30s (or any duration) for a longer local run. FuzzRecover
# writes and recovers a real segment file per input (~400 execs/s, not
# ~10,000), so it gets a tenth of the count.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-40000x}
grep -rl --include='*_test.go' '^func Fuzz' . | while read -r f; do
  pkg=./$(dirname "${f#./}")
  for t in $(grep -o '^func Fuzz[A-Za-z0-9_]*' "$f" | cut -d' ' -f2); do
    n=$FUZZTIME
    if [[ $t == FuzzRecover && $n =~ ^([0-9]+)x$ ]]; then
      n=$((BASH_REMATCH[1] / 10))x
    fi
    echo "fuzz $pkg $t ($n)"
    go test -run='^$' -fuzz="^$t\$" -fuzztime="$n" "$pkg"
  done
done
