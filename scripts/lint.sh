#!/usr/bin/env bash
# gofmt, go vet and staticcheck must be clean. staticcheck is built once into
# a tools cache outside the repo.
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS_DIR=${AUDITSHIP_TOOLS_DIR:-$HOME/.cache/auditship-tools}
STATICCHECK_VERSION=${STATICCHECK_VERSION:-v0.8.2}

bad=$(gofmt -l $(git ls-files '*.go'; git ls-files --others --exclude-standard '*.go'))
if [ -n "$bad" ]; then echo "gofmt would change:"; echo "$bad"; exit 1; fi
go vet ./...
sc=$TOOLS_DIR/bin/staticcheck-$STATICCHECK_VERSION
if [ ! -x "$sc" ]; then
  mkdir -p "$TOOLS_DIR/bin"
  GOBIN=$TOOLS_DIR/bin go install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION"
  mv "$TOOLS_DIR/bin/staticcheck" "$sc"
fi
"$sc" ./...
