processor "categories" "audit" {
  # every category but persistence reads (one per instance load: noisy)
  exclude = ["workflow_persistence_read"]
}
