pipeline "p" {
  input "stdin" "in" {}
  output "s3" "archive" {
    bucket = "b"
    retry {
      initial_interval = "10s"
      max_interval     = "1s"
      jitter           = 0.2
    }
  }
}
