data_dir = env("AUDITSHIP_TEST_UNSET_1")

pipeline "p" {
  input "file" "in" {
    paths = [env("AUDITSHIP_TEST_UNSET_2"), "/var/log/${env("AUDITSHIP_TEST_UNSET_3")}.log"]
  }
  output "file" "out" {
    path = env("AUDITSHIP_TEST_SET", "default", "extra")
  }
}
