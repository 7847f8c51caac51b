#!/bin/sh
# Stops the service before its files go (not on an upgrade: postinstall
# restarts it). SIGTERM drains within shutdown_timeout; undelivered events
# stay in /var/lib/auditship.
set -e

upgrade=0
case "$1" in
	upgrade) upgrade=1 ;;        # deb
	1) upgrade=1 ;;              # rpm: a version stays installed
esac
if [ "$upgrade" = 0 ] && [ -d /run/systemd/system ]; then
	systemctl disable --now auditship.service >/dev/null 2>&1 || true
fi
exit 0
