"""How big a recipients file may be: far beyond a real list, small enough to fail fast.

A real recipient list has thousands of rows and tens of columns. A damaged or hostile file (a
workbook that unpacks to millions of rows, a CSV that is one endless line) would otherwise keep
the reader busy for minutes and eat gigabytes before any error. Each limit is checked before
the work it bounds, and the error says which limit to raise.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ReadLimits"]

MIB = 1024 * 1024


@dataclass(frozen=True)
class ReadLimits:
    """Limits for :func:`~smsbatch.read_recipients`; pass ``limits=ReadLimits(max_rows=...)``.

    Parameters
    ----------
    max_rows
        Rows of the table (below the header). Default 2,000,000 (Excel holds 1,048,576).
    max_columns
        Columns. Default 1,000 (a real list has tens).
    max_cell_chars
        Characters in one cell. Default 100,000 (an Excel cell holds 32,767).
    max_bytes
        Size of a CSV file, or of a workbook once unpacked. Default 1 GiB.
    """

    max_rows: int = 2_000_000
    max_columns: int = 1_000
    max_cell_chars: int = 100_000
    max_bytes: int = 1024 * MIB

    def advice(self, name: str) -> str:
        """Say how to lift one limit, for the end of an error message."""
        now = getattr(self, name)
        return f"if the file is right, pass limits=ReadLimits({name}=...) (now {now:,})"
