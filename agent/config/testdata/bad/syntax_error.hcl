pipeline "p" {
  input "stdin" "in" {
    format = "json
  }
