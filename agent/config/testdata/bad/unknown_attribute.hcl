data_dri = "/tmp"

pipeline "p" {
  enabeld = true
  input "file" "in" {
    pathz = ["/var/log/a.log"]
    paths = ["/var/log/a.log"]
    timezon = "UTC"
  }
  processor "categories" "c" {
    includ = ["workflow"]
  }
  output "stdout" "out" {
    whne = "true"
    batch {
      max_event = 10
    }
  }
  output "mysql" "db" {
    host = "h"
    tls {
      ca_fil = "x"
    }
  }
}
