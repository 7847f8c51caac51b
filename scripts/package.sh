#!/usr/bin/env bash
# Builds the static auditship binary and the .deb and .rpm packages with nfpm.
#   scripts/package.sh                 # into dist/
#   DIST=/tmp/out scripts/package.sh   # elsewhere (the packaging tests do)
# VERSION, COMMIT and BUILD_DATE default to git's view of the tree; nfpm is
# installed once under $TOOLS_DIR (never in the repository).
set -euo pipefail

cd "$(dirname "$0")/.."
GO=${GO:-go}
NFPM_VERSION=${NFPM_VERSION:-v2.45.2}
TOOLS_DIR=${TOOLS_DIR:-$HOME/.cache/auditship-tools}
DIST=${DIST:-dist}
VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
COMMIT=${COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo dev)}
BUILD_DATE=${BUILD_DATE:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}
ARCH=${ARCH:-$($GO env GOARCH)}

# deb and rpm want a version that starts with a digit.
pkg_version=$VERSION
[[ $pkg_version =~ ^v?[0-9]+\.[0-9]+ ]] || pkg_version="0.0.0~git${pkg_version//-/.}"
pkg_version=${pkg_version#v}

nfpm="$TOOLS_DIR/nfpm-$NFPM_VERSION/nfpm"
if [[ ! -x $nfpm ]]; then
	echo "installing nfpm $NFPM_VERSION into $(dirname "$nfpm")" >&2
	GOBIN="$(dirname "$nfpm")" GOFLAGS= $GO install "github.com/goreleaser/nfpm/v2/cmd/nfpm@$NFPM_VERSION"
fi

mkdir -p "$DIST"
bin="$DIST/build/auditship"
ldflags="-s -w -X main.version=$VERSION -X main.commit=$COMMIT -X main.buildDate=$BUILD_DATE"
CGO_ENABLED=0 GOOS=linux GOARCH=$ARCH $GO build -trimpath -ldflags "$ldflags" -o "$bin" ./cmd/auditship

for packager in deb rpm; do
	VERSION=$pkg_version ARCH=$ARCH AUDITSHIP_BIN=$bin \
		"$nfpm" package --config packaging/nfpm.yaml --packager "$packager" --target "$DIST/" >&2
done
ls "$DIST"/*.deb "$DIST"/*.rpm
