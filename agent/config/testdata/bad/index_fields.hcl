pipeline "p" {
  input "stdin" "in" {}
  output "file" "nested" {
    path         = "/tmp/a"
    index_fields = ["businessKey", "variables.orderId", "", "a\\b"]
  }
  output "file" "twice" {
    path         = "/tmp/b"
    index_fields = ["businessKey", "identity", "businessKey"]
  }
  output "file" "not_a_list" {
    path         = "/tmp/c"
    index_fields = "businessKey"
  }
  output "stdout" "out" {
    index_fields = ["businessKey"]
  }
}
