pipeline "p" {
  input "stdin" "in" {}
  output "s3" "archive" {
    bucket = "b"
    batch {
      max_bytes  = "6GiB"
      max_events = 0
    }
  }
}
