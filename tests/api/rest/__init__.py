"""The data-source REST API, end to end: real SeaweedFS, real HTTPS receivers, both databases."""
