pipeline "p" {
  input "file" "in" {
    paths    = ["/var/log/a.log"]
    format   = "xml"
    start_at = "middle"
  }
  buffer {
    when_full = "drop"
    fsync     = "sometimes"
  }
  output "stdout" "out" {
    format = "yaml"
  }
}
