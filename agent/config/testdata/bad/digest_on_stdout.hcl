pipeline "p" {
  input "stdin" "in" {}
  output "stdout" "out" {
    digest_interval = "1h"
    signing_key     = "keys/none.pem"
  }
  output "file" "archive" {
    path        = "/tmp/a"
    signing_key = "keys/missing.pem"
  }
}
