#!/usr/bin/env bash
# Prints the path of promtool, installing the Debian package `prometheus`
# first when it is missing (root only). The package's server is never left
# running: a policy-rc.d keeps invoke-rc.d from starting it, and the unit is
# disabled and stopped in case it started anyway.
set -euo pipefail
if p=$(command -v promtool); then echo "$p"; exit 0; fi
if [ "$(id -u)" != 0 ]; then echo "promtool missing and not root" >&2; exit 1; fi
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"
  trap 'rm -f "$policy"' EXIT
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends prometheus >&2 ||
  { apt-get update >&2 && apt-get install -y --no-install-recommends prometheus >&2; }
if command -v systemctl >/dev/null; then
  now=; [ -d /run/systemd/system ] && now=--now
  systemctl disable $now prometheus >&2 || true
fi
command -v promtool
