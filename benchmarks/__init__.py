"""Performance benchmarks: see benchmarks/README.md."""
