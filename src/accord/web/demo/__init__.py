"""The demo data generator behind `accord demo`.

Generation is pure and seeded (``plan``, ``population``, ``purchases``, ``activity``: numpy,
no database), one chunk of customers at a time, so the same seed gives the same data in
either writer: ``service_writer`` (the normal services, audit and outbox included) or
``bulk_writer`` (the apps' bulk loaders, for millions of rows)."""
