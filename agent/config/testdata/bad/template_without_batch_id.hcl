pipeline "p" {
  input "stdin" "in" {}
  output "file" "archive" {
    path = "/tmp/archive"
    name = "{{ pipeline }}/{{ date }}/events"
  }
}
