"""What an import did: counts, and every rejected row with its line and column."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from rich.console import Console
from rich.table import Table

SHOWN_ERRORS = 50  # on screen; --errors FILE keeps them all


class Outcome(Enum):
    IMPORTED = "imported"
    PRESENT = "already present"


@dataclass(frozen=True)
class RowProblem:
    line: int
    field: str | None
    message: str


@dataclass
class ImportReport:
    kind: str
    source: str = ""
    imported: int = 0
    present: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.problems)

    def count(self, outcome: Outcome) -> None:
        if outcome is Outcome.IMPORTED:
            self.imported += 1
        else:
            self.present += 1

    def reject(self, line: int, field: str | None, message: str) -> None:
        self.problems.append(RowProblem(line, field, message))

    def summary(self) -> str:
        source = f" (source {self.source!r})" if self.source else ""
        return (f"{self.kind}{source}: {self.imported:,} imported, {self.present:,} already "
                f"present, {self.rejected:,} rejected.")

    def show(self, console: Console) -> None:
        if self.problems:
            table = Table(title=f"Rejected rows ({self.rejected:,})", title_justify="left")
            table.add_column("line", justify="right")
            table.add_column("field")
            table.add_column("problem")
            for problem in self.problems[:SHOWN_ERRORS]:
                table.add_row(str(problem.line), problem.field or "-", problem.message)
            console.print(table)
            if self.rejected > SHOWN_ERRORS:
                console.print(f"... and {self.rejected - SHOWN_ERRORS:,} more "
                              "(--errors FILE writes them all).")
        console.print(self.summary())

    def write_problems(self, path: Path) -> None:
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["line", "field", "problem"])
            for p in self.problems:
                writer.writerow([p.line, p.field or "", p.message])
