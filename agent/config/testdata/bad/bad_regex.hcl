pipeline "p" {
  input "file" "in" {
    paths        = ["/var/log/a.log"]
    strip_prefix = "^(["
    multiline {
      start_pattern = "*start"
    }
  }
  output "stdout" "out" {}
}
