input "file" "engine" {
  # Globs, re-scanned every scan_interval and watched with inotify.
  paths   = ["/var/log/engine/audit.log*"]
  exclude = ["*.gz", "*.zst", "*.bz2", "*.xz"]

  # Only for files present at the very first start; later files are read
  # from their beginning.
  start_at       = "beginning"
  scan_interval  = "1s"
  max_open_files = 1024

  # Common to every input (see SPEC §3): format, timezone, strip_prefix,
  # id_fields, multiline { ... }, max_line_bytes.
}
