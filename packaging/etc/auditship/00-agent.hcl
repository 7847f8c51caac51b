# auditship reads every *.hcl file of /etc/auditship in name order; this one
# holds the agent's own settings, one file per pipeline follows.
# Check a change with `auditship validate -c /etc/auditship`, apply it with
# `systemctl reload auditship` (a config that does not validate is not
# applied: the running one stays and the problems are logged).

# data_dir is given by the unit: --data-dir /var/lib/auditship.

# SIGTERM drains within this; the unit's TimeoutStopSec (45s) must stay above.
shutdown_timeout = "30s"

# /metrics (Prometheus), /healthz, /readyz.
metrics_addr = "127.0.0.1:9464"
