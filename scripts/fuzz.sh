#!/usr/bin/env bash
# Runs every Fuzz target for a few seconds (FUZZTIME, default 10s). The
# time includes gathering baseline coverage over the seed corpus (every
# line of the sample logs: about 900 inputs for the decoders); with 3s a
# loaded machine sometimes ran out of time before fuzzing began and the
# target failed with "context deadline exceeded".
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-10s}
grep -rl --include='*_test.go' '^func Fuzz' . | while read -r f; do
  pkg=./$(dirname "${f#./}")
  for t in $(grep -o '^func Fuzz[A-Za-z0-9_]*' "$f" | cut -d' ' -f2); do
    echo "fuzz $pkg $t ($FUZZTIME)"
    go test -run='^$' -fuzz="^$t\$" -fuzztime="$FUZZTIME" "$pkg"
  done
done
