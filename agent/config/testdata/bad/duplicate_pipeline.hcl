pipeline "orders" {
  input "stdin" "in" {}
  output "stdout" "out" {}
}

pipeline "orders" {
  input "file" "in" {
    paths = ["/var/log/a.log"]
  }
  output "stdout" "out" {}
}
