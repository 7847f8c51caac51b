output "file" "archive" {
  path        = "/var/lib/auditship/archive"
  name        = "{{ pipeline }}/{{ date }}/{{ workflowDefinitionId }}_{{ batch_time }}_{{ batch_id }}"
  format      = "ndjson"
  compression = "zstd"
}
