pipeline "p" {
  input "stdin" "in" {}
  output "stdout" "out" {
    when = "category in ['workflow'"
  }
  output "file" "archive" {
    path = "/tmp/a"
    when = "workflowDefinitionId == 'orders'"
  }
}
