# auditship example configuration — runs as is with `make run`.
# It tails the sample Automatiko audit log in examples/, archives every entry
# under ./archive (create-only ndjson files) and prints each one on stdout.
# Reference: README.md, and the README.md beside each plugin.

data_dir         = "./data"          # buffer, checkpoints, stream ids (`--data-dir` overrides)
shutdown_timeout = "30s"
metrics_addr     = "127.0.0.1:9464"  # /metrics, /healthz, /readyz

# Inherited by every pipeline; a pipeline block with the same type and name
# overrides it attribute by attribute, `enabled = false` turns it off.
defaults {
  output "file" "archive" {
    path = "./archive"
    name = "{{ pipeline }}/{{ date }}/{{ pipeline }}_{{ batch_time }}_{{ batch_id }}"
    batch {
      interval = "1s"
    }
  }
}

# One pipeline per flow / workflow engine.
pipeline "automatiko" {
  enabled = true                     # the per-pipeline toggle

  input "file" "engine" {
    paths    = ["./examples/automatiko-audit.log*"]
    format   = "auto"                # json | plain | auto
    timezone = "UTC"                 # for timestamps written without a zone
    start_at = "beginning"
  }

  # Persistence reads are noisy; archive everything else.
  processor "categories" "audit" {
    exclude = ["workflow_persistence_read"]
  }
  processor "set" "origin" {
    fields = { environment = "example" }
  }

  output "stdout" "console" {
    enabled = true                   # the per-output toggle
    format  = "json"
  }

  # Long-term stores. They come with their own issues and are shown here
  # commented out until then:
  #
  # output "s3" "archive" {
  #   enabled = false
  #   bucket  = "acme-audit"
  #   prefix  = "audit/automatiko"
  #   key     = "Hire2Retire_{{ workflowDefinitionId }}_{{ batch_time }}_{{ batch_id }}"
  # }
  # output "azure_blob" "archive" {
  #   enabled           = false
  #   connection_string = env("AZURE_STORAGE_CONNECTION_STRING")
  #   container         = "audit-{{ workflowDefinitionId }}"
  # }
  # output "mysql" "db" {
  #   enabled  = false
  #   host     = "127.0.0.1"
  #   database = "audit"
  # }
}
