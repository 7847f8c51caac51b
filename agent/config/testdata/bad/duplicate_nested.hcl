defaults {
  buffer {
    max_size = "2GiB"
  }
  buffer {
    max_size = "3GiB"
  }
}

pipeline "p" {
  input "stdin" "in" {
    multiline {
      max_lines = 5
    }
    multiline {
      max_lines = 6
    }
  }
  output "stdout" "out" {
    batch {
      max_events = 1
    }
    batch {
      max_events = 2
    }
  }
}
