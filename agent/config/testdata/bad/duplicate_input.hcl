pipeline "p" {
  input "file" "in" {
    paths = ["/var/log/a.log"]
  }
  input "file" "in" {
    paths = ["/var/log/b.log"]
  }
  output "stdout" "out" {}
}
