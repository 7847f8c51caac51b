pipeline "p" {
  input "file" "in" {
    paths          = ["/var/log/a.log"]
    max_line_bytes = "0"
    multiline {
      max_bytes = "1 megabyte"
    }
  }
  buffer {
    max_size = "lots"
  }
  output "stdout" "out" {
    batch {
      max_bytes = "-1KiB"
    }
  }
}
