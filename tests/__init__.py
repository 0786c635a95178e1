"""Test suite: see docs/testing.md."""
