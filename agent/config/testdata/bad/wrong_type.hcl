shutdown_timeout = ["30s"]

pipeline "p" {
  enabled = "maybe"
  input "file" "in" {
    paths       = { a = 1 }
    include_raw = "sometimes"
    id_fields   = "auditID"
  }
  processor "set" "s" {
    fields = ["a"]
  }
  buffer {
    max_partitions = "many"
  }
  output "stdout" "out" {}
}
