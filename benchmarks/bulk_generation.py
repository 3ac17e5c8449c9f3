"""Bulk generation rate: `accord demo --bulk` into a fresh data directory.

    python benchmarks/bulk_generation.py --customers 1000000            # SQLite
    ACCORD_DATABASE_URL=postgresql://... python benchmarks/bulk_generation.py

Runs the real command in a child process (a fresh temporary data directory unless
--data-dir is given, which must be empty) and prints its own summary: rows written, the
end-to-end interactions/second, the interactions-phase rate and the time per phase.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="accord-bulk-"))
    env = {**os.environ, "ACCORD_DATA_DIR": str(data_dir)}
    accord = Path(sys.executable).with_name("accord")
    started = time.perf_counter()
    result = subprocess.run(
        [str(accord), "demo", "--bulk", "--no-serve", "--customers", str(args.customers),
         "--seed", str(args.seed)],
        env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(result.stderr[-2000:])
    summary = [line for line in result.stdout.splitlines()
               if line.startswith(("Wrote", "Throughput", "Interactions and", "Time by"))]
    print(f"database: {os.environ.get('ACCORD_DATABASE_URL', 'sqlite')} ({data_dir})")
    print("\n".join(summary))
    print(f"wall time including migrate: {wall:.1f} s")


if __name__ == "__main__":
    main()
