"""Capture's tables, one module per noun; Django finds them all through this package."""

from accord.capture.models.sources import CaptureProblem, Source

__all__ = ["CaptureProblem", "Source"]
