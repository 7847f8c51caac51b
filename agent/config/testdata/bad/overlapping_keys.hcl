defaults {
  output "file" "a" {
    path = "/tmp/archive"
  }
}

pipeline "p" {
  input "stdin" "in" {}
  output "file" "b" {
    path = "/tmp/archive"
  }
  output "file" "c" {
    path = "/tmp/archive"
    name = "{{ output }}/{{ batch_id }}"
  }
  output "s3" "x" {
    bucket = "acme"
    prefix = "audit"
  }
  output "s3" "y" {
    bucket = "acme"
    prefix = "audit"
  }
  output "s3" "z" {
    enabled = false
    bucket  = "acme"
    prefix  = "audit"
  }
}
