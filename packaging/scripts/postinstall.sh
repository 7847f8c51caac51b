#!/bin/sh
# Creates the system user the unit runs as; the state directory
# /var/lib/auditship is created by systemd (StateDirectory=auditship).
set -e

if ! getent group auditship >/dev/null 2>&1; then
	groupadd --system auditship
fi
if ! getent passwd auditship >/dev/null 2>&1; then
	nologin=/usr/sbin/nologin
	[ -x "$nologin" ] || nologin=/sbin/nologin
	useradd --system --gid auditship --home-dir /var/lib/auditship \
		--no-create-home --shell "$nologin" \
		--comment "auditship audit-log shipper" auditship
fi

if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1 || true
	# An upgrade picks up the new binary; a first install is not started.
	if systemctl is-active --quiet auditship.service; then
		systemctl restart auditship.service || true
	fi
fi
exit 0
