pipeline "a" {
  input "stdin" "in" {}
  output "stdout" "out" {}
}

pipeline "b" {
  input "stdin" "in" {}
  output "stdout" "out" {}
}

pipeline "c" {
  enabled = false
  input "stdin" "in" {}
  output "stdout" "out" {}
}
