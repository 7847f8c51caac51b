pipeline "p" {
}

pipeline "q" {
  enabled = false
  input "stdin" "in" {}
}
