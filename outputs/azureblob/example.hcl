output "azure_blob" "archive" {
  account_url             = "https://auditarchive.blob.core.windows.net"
  tenant_id               = "00000000-0000-0000-0000-000000000000"
  client_id               = "11111111-1111-1111-1111-111111111111"
  client_certificate_path = "/etc/auditship/azure-client.pem"
  container               = "audit-{{ workflowDefinitionId }}"
  name                    = "{{ pipeline }}/{{ date }}/{{ workflowDefinitionId }}_{{ batch_time }}_{{ batch_id }}"
  compression             = "gzip"
  meta_container          = "audit-chain"

  immutability {
    mode   = "unlocked"
    retain = "7y"
  }
}
