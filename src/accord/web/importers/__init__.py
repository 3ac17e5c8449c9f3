"""Importing customers, interactions, transactions and vCards from files (`accord import`).

``records`` reads CSV, TSV and JSON Lines into numbered records, ``vcard`` splits vCard
files into cards; ``customers`` and ``activity`` (interactions, transactions) turn one
record into service calls; ``runner`` runs them row by row (each in its own savepoint, batched
into larger transactions) and collects the ``report``. Columns: docs/import-formats.md."""
