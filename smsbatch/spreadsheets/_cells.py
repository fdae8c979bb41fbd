"""How one value is spelt in a spreadsheet, the same way when reading and when writing.

Reading and writing are each other's inverse: a number is written as the digits Excel shows
and read back as that text, and the apostrophe that keeps a CSV value from running as a formula
in Excel is put in by :func:`mark` and taken out by :func:`unmark`.
"""

from __future__ import annotations

import math

__all__ = ["CSV_SUFFIXES", "EXCEL_SUFFIXES", "mark", "number_text", "unmark"]

CSV_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm"})

# Excel runs a CSV value that starts with one of these as a formula (OWASP "CSV injection").
_FORMULA_START = frozenset("=+-@\t\r")
# A leading apostrophe before these marks the rest as text: how Excel users write it, and how
# write_results protects a value. Apostrophe itself is here so that the marking is reversible.
_MARKABLE = _FORMULA_START | {"'"}


def number_text(value: float) -> str:
    """Write a number the way Excel shows it: ``612345678``, not ``612345678.0``.

    Whole numbers keep every digit (phone numbers do not fit in 15); fractions get Excel's 15
    significant digits, so ``0.1 + 0.2`` is ``0.3``.
    """
    if isinstance(value, int) or not math.isfinite(value):
        return str(value)
    if value.is_integer():
        return str(int(value))
    return format(value, ".15g")


def _marked(text: str) -> bool:
    return text[:1] == "'" and text[1:2] in _MARKABLE


def mark(text: str) -> str:
    """Put an apostrophe before text Excel would run as a formula, or that unmark would strip."""
    return "'" + text if text[:1] in _FORMULA_START or _marked(text) else text


def unmark(text: str) -> str:
    """Undo mark: drop one leading apostrophe that marks a formula-like text as text."""
    return text[1:] if _marked(text) else text
