output "s3" "archive" {
  bucket      = "acme-audit"
  prefix      = "hire2retire"
  key         = "{{ date }}/Hire2Retire_{{ workflowDefinitionId }}_{{ batch_time }}_{{ batch_id }}"
  region      = "eu-west-1"
  format      = "ndjson"
  compression = "gzip"

  server_side_encryption = "aws:kms"
  kms_key_id             = "alias/audit-archive"

  object_lock {
    mode   = "COMPLIANCE"
    retain = "7y"
  }
}
