"""Accord: an open-source, customer-centric CRM."""

__version__ = "0.1.0"
