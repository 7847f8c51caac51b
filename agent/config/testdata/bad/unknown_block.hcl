pipelin "orders" {
}

pipeline "p" {
  input "stdin" "in" {}
  inptu "file" "x" {}
  output "stdout" "out" {
    batchh {
      interval = "1s"
    }
  }
}

defaults {
  outptu "s3" "a" {}
}
