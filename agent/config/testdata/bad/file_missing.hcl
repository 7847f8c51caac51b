pipeline "p" {
  input "stdin" "in" {}
  output "s3" "out" {
    bucket = file("no-such-bucket-file.txt")
  }
}
