"""The fastest this machine's SQLite can load the demo data set: a lower bound for bulk mode.

Copies every bulk-loaded table of an existing demo database into a fresh file with
``INSERT INTO ... SELECT`` (SQLite's own C code: no Python per row, no generation), with
the same schema, unique indexes kept during the copy and the other indexes built after,
under the same PRAGMAs as ``accord demo``'s bulk mode. Whatever Accord's generator and
loaders do on top of this costs more, so interactions / (this total) is the ceiling for an
end-to-end interactions-per-second figure on this machine.

    python benchmarks/sqlite_load_floor.py /tmp/accord-1m/accord.sqlite3 [--keep]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path

TABLES = ("customers_customer", "customers_identity", "customers_namekey",
          "interactions_interaction", "interactions_participant", "interactions_attachment",
          "transactions_transaction", "transactions_transactionline")
PRAGMAS = ("journal_mode=WAL", "synchronous=OFF", "cache_size=-1000000", "threads=2",
           "temp_store=MEMORY", "foreign_keys=OFF")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="a demo database (accord.sqlite3)")
    parser.add_argument("--keep", action="store_true", help="keep the copy")
    args = parser.parse_args()

    source = sqlite3.connect(f"file:{args.source}?mode=ro", uri=True)
    marks = ",".join("?" * len(TABLES))
    schema = dict(source.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name IN ({marks})",
        TABLES).fetchall())
    indexes = [sql for (sql,) in source.execute(
        f"SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({marks})", TABLES)]
    interactions = source.execute("SELECT COUNT(*) FROM interactions_interaction").fetchone()[0]
    source.close()

    workdir = Path(tempfile.mkdtemp(prefix="accord-floor-"))
    target = sqlite3.connect(workdir / "copy.sqlite3", isolation_level=None)
    for pragma in PRAGMAS:
        target.execute(f"PRAGMA {pragma}")
    for table in TABLES:
        target.execute(schema[table])
    unique = [sql for sql in indexes if sql.upper().startswith("CREATE UNIQUE")]
    others = [sql for sql in indexes if sql not in unique]
    for sql in unique:
        target.execute(sql)
    target.execute("ATTACH DATABASE ? AS source", (f"file:{args.source}?mode=ro",))

    started = time.perf_counter()
    for table in TABLES:
        t = time.perf_counter()
        target.execute("BEGIN")
        rows = target.execute(f"INSERT INTO main.{table} SELECT * FROM source.{table}").rowcount
        target.execute("COMMIT")
        print(f"{table:<32}{rows:>12,} rows {time.perf_counter() - t:>8.1f} s", flush=True)
    t = time.perf_counter()
    for sql in others:
        target.execute(sql)
    print(f"{len(others)} non-unique indexes built after the copy{'':>6}"
          f"{time.perf_counter() - t:>8.1f} s")
    total = time.perf_counter() - started
    print(f"total {total:.1f} s: at most {interactions / total:,.0f} interactions/s end to end "
          f"({interactions:,} interactions)")
    target.close()
    if not args.keep:
        for path in workdir.iterdir():
            path.unlink()
        workdir.rmdir()


if __name__ == "__main__":
    main()
