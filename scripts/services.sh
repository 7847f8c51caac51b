#!/usr/bin/env bash
# Installs and starts what the tests need on 127.0.0.1. Today: logrotate (the
# real rotation tool the file-input tests drive) and the zstd CLI (to prove
# archives open with standard tools). The S3 gateway, Azurite and MariaDB
# arrive with the outputs that need them.
# Usage: scripts/services.sh [start|stop|status]    (start is the default)
# With CI=true or AUDITSHIP_REQUIRE_SERVICES=1, anything missing fails the run.
set -euo pipefail

log() { echo "services: $*" >&2; }

apt_install() { # packages...
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends "$@" >/dev/null ||
    { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "$@" >/dev/null; }
}

need_tool() { # binary package
  command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] && return 0
  log "installing $2 from Debian"
  apt_install "$2" || { log "cannot install $2"; return 1; }
}

start() {
  need_tool logrotate logrotate
  need_tool zstd zstd
  log "ready"
}

case ${1:-start} in
  start) start ;;
  stop) : ;;   # nothing long-running yet
  status) for t in logrotate zstd; do command -v $t >/dev/null || [ -x /usr/sbin/$t ] && echo "$t ok" || echo "$t missing"; done ;;
  *) echo "usage: $0 [start|stop|status]" >&2; exit 2 ;;
esac
