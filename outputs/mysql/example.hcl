output "mysql" "db" {
  host     = "127.0.0.1"
  port     = 3306
  database = "audit"
  user     = "auditship"
  # password = env("AUDITSHIP_MYSQL_PASSWORD") # keep it out of the file
  tls      = "false" # "true" | "skip-verify" | { ca_file = "…", cert_file = "…", key_file = "…" }

  create_tables = false # `auditship ddl` prints the CREATE TABLE statements

  # Hire2Retire: connector/child events apart from the workflow's own.
  table "robomq_hire2retire_integration_table" {
    when = "category == 'messaging'"
    columns = {
      flow_name            = "workflowDefinitionId"
      workflow_instance_id = "workflowInstanceId"
      connector            = "connector"
      message_name         = "messageName"
      business_key         = "businessKey"
    }
  }
  table "robomq_hire2retire_event" {
    columns = {
      flow_name            = "workflowDefinitionId"
      workflow_instance_id = "workflowInstanceId"
      business_key         = "businessKey"
      category             = "category"
      node_name            = "nodeName"
      message              = "message"
    }
  }
}
