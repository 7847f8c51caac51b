pipeline "p" {
  input "stdin" "in" {}
  output "file" "a" {
    path            = "/tmp/a"
    signing_key     = "PRIVATE+KEY+bogus+00000000+AAAA"
    checkpoint_copy = "missing"
  }
  output "file" "b" {
    path            = "/tmp/b"
    checkpoint_copy = "b"
    digest_interval = "0s"
  }
  output "file" "c" {
    path            = "/tmp/c"
    checkpoint_copy = "out"
    signing_key     = "no/such/key"
  }
  output "stdout" "out" {
    checkpoint_copy = "a"
  }
}
