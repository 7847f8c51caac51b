pipeline "p" {
  input "file" "a" {
    paths    = ["/var/log/a.log"]
    timezone = "Mars/Olympus_Mons"
  }
  input "stdin" "b" {
    timezone = "Local"
  }
  output "stdout" "out" {}
}
