defaults {
  output "s3" "archive" {
    bucket = "b"
  }
  processor "set" "tag" {
    fields = { a = "b" }
  }
}

pipeline "p" {
  input "stdin" "in" {}
  processor "categories" "tag" {}
  output "file" "archive" {
    path = "/tmp/archive"
  }
}
