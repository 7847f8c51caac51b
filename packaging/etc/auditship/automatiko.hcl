# Example pipeline: tails an Automatiko engine's audit log and archives each
# entry as ndjson files under /var/lib/auditship/archive (the only directory
# the unit may write: ProtectSystem=strict). Point paths at your engine's log
# (the auditship user must be able to read it) and add your long-term store:
# see the README.md of each output (s3, azure_blob, mysql, file).
pipeline "automatiko" {
  input "file" "engine" {
    paths    = ["/var/log/automatiko/audit.log*"]
    format   = "auto"
    timezone = "UTC"
  }

  output "file" "archive" {
    path = "/var/lib/auditship/archive"
    batch {
      interval = "5s"
    }
  }

  # Secrets come from the environment (a systemd drop-in with
  # Environment= or EnvironmentFile=), never from this file:
  # output "azure_blob" "archive" {
  #   connection_string = env("AZURE_STORAGE_CONNECTION_STRING")
  #   container         = "audit-{{ workflowDefinitionId }}"
  # }
}
