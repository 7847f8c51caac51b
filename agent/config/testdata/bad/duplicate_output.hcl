defaults {
  output "s3" "archive" {
    bucket = "b"
  }
  output "s3" "archive" {
    bucket = "c"
  }
}

pipeline "p" {
  input "stdin" "in" {}
  output "stdout" "out" {}
  output "stdout" "out" {
    format = "plain"
  }
  processor "set" "s" {
    fields = { a = "b" }
  }
  processor "set" "s" {
    fields = { a = "c" }
  }
}
