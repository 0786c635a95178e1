"""The JSON API (v1) and the health checks."""
