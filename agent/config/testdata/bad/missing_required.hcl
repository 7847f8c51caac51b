pipeline "p" {
  input "file" "in" {
    start_at = "beginning"
  }
  processor "filter" "f" {}
  output "file" "archive" {
    format = "ndjson"
  }
}
