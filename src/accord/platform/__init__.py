"""Shared kernel: errors, clock, ids, events (outbox), audit, blobs. Imports no feature app."""
