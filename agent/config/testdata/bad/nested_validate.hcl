pipeline "p" {
  input "stdin" "in" {}
  output "mysql" "db" {
    host = "h"
    table "events" {
      when = "true"
    }
  }
}
