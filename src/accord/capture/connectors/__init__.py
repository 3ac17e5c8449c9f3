"""Adapters to the outside world: mail servers, calendars, files. No Django."""
