# auditship — the two commands a user needs: `make run` and `make test`.
GO        ?= go
BIN       := bin/auditship
TOOLS_DIR ?= $(HOME)/.cache/auditship-tools
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT    ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo dev)
BUILD_DATE ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS   := -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.buildDate=$(BUILD_DATE)

.PHONY: build run test lint unit fuzz e2e bench services clean soak package

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/auditship

# dist/auditship_*.deb and dist/auditship-*.rpm (nfpm, installed once under
# $(TOOLS_DIR)) with a static binary; the packaging tests build and install
# them too.
package:
	VERSION=$(VERSION) COMMIT=$(COMMIT) BUILD_DATE=$(BUILD_DATE) TOOLS_DIR=$(TOOLS_DIR) scripts/package.sh

# The main job on the embedded default config: tails the sample Automatiko
# log in examples/, archives it under ./archive and prints it. Ctrl-C stops.
run: build
	$(BIN) run -c config.hcl.example --data-dir ./data

# Every test: lint, unit and race tests, a bounded count of fuzz runs per target,
# the end-to-end tests against the built binary and real logrotate, and the
# output tests against real servers (S3 gateway, Azurite, MariaDB). Under
# `make test` a server that is missing fails the run instead of skipping
# (the variable reaches the services prerequisite too).
test: export AUDITSHIP_REQUIRE_SERVICES := 1
test: services lint
	$(GO) test -race -count=1 -timeout 20m ./...
	scripts/fuzz.sh

# Installs and starts the servers on 127.0.0.1 (idempotent); endpoints go to
# /tmp/auditship-services/env. `scripts/services.sh stop` ends them.
services:
	scripts/services.sh start

lint:
	scripts/lint.sh

bench:
	scripts/bench/run.sh

# The bursty-writer kill -9 scenario (e2e TestBurstKill9, issue 7) with a
# random seed per round for SOAK_MINUTES minutes, printing each run's
# counts; failed rounds are kept in /tmp/auditship-soak. Not run by `test`.
SOAK_MINUTES ?= 10
soak:
	SOAK_MINUTES=$(SOAK_MINUTES) scripts/soak.sh

clean:
	rm -rf bin data archive dist
