data_dir = "/tmp/other"

pipeline "orders" {
  input "file" "in" {
    paths = ["/var/log/a.log"]
  }
}

pipeline "billing" {
  input "file" "in" {
    paths = ["/var/log/b.log"]
    start_at = "later"
  }
}
