pipeline "p" {
  input "fille" "in" {
    paths = ["/var/log/a.log"]
  }
  processor "zzz" "x" {}
  processor "catgories" "c" {}
  output "s4" "archive" {
    bucket = "b"
  }
  output "stdout" "out" {}
}
