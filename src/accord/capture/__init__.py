"""Capture: connectors that bring the outside world onto customers' timelines."""
