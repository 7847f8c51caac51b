pipeline "" {
  input "file" {
    paths = ["/var/log/a.log"]
  }
  input "stdin" "" {}
  output "stdout" "out" "extra" {}
}

pipeline {
}
