shutdown_timeout = "soon"
metrics_addr     = 9464

pipeline "p" {
  input "file" "in" {
    paths    = ["/var/log/a.log"]
    format   = "csv"
    timezone = "Nowhere"
  }
  processor "filtr" "f" {
    when = "true"
  }
  output "stdout" "out" {
    colour = "red"
  }
  output "file" "archive" {
    path = "/tmp/a"
    batch {
      interval = "sometimes"
    }
  }
}
