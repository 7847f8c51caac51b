data_dir = "/tmp/data"
