output "stdout" "console" {
  format = "json"
}
