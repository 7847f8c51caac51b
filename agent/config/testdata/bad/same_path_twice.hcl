pipeline "p" {
  input "file" "a" {
    paths = ["/var/log/a.log", "/var/log/b.log"]
  }
  input "file" "b" {
    paths = ["/var/log/b.log"]
  }
  input "file" "c" {
    paths = ["/var/log/c.log", "/var/log/c.log"]
  }
  output "stdout" "out" {}
}

pipeline "q" {
  input "file" "a" {
    paths = ["/var/log/a.log"]
  }
  output "stdout" "out" {}
}
