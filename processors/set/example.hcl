processor "set" "env" {
  fields = {
    environment = "prod"
    cluster     = "eu-central-1"
  }
}
