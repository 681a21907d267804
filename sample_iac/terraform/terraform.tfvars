owner = "web-platform"
