shutdown_timeout = "5 minutes"

pipeline "p" {
  input "file" "in" {
    paths         = ["/var/log/a.log"]
    scan_interval = "often"
    multiline {
      flush_timeout = "-1s"
    }
  }
  output "stdout" "out" {
    permanent_retry_interval = "5"
    batch {
      interval = "1x"
    }
  }
}
