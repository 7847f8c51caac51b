data_dir = "/tmp/data"

defaults {
  output "stdout" "out" {
    formatt = "json"
  }
}

pipeline "orders" {
  input "stdin" "in" {}
}
