"""The analytical store: a DuckDB file beside the operational database, filled over
Arrow (ADBC), and the engines (DuckDB, Spark) that run the per-customer SQL on it."""
