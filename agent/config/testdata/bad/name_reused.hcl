pipeline "p" {
  input "file" "in" {
    paths = ["/var/log/a.log"]
  }
  input "stdin" "in" {}
  output "stdout" "out" {}
  output "file" "out" {
    path = "/tmp/out"
  }
}
