"""Capture use cases: sources and their syncs, email capture, file imports."""
