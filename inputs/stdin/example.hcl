input "stdin" "in" {
  # stdin has no attributes of its own. The common ones apply:
  # format, timezone, strip_prefix, id_fields, multiline { ... },
  # max_line_bytes. At EOF the pipeline ends once everything read
  # is delivered.
}
