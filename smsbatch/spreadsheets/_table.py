"""Turn rows into a table: find the header row, name the columns, set the notes aside.

The header is the first row that looks like one for the table below it: it names at least as
many columns as the rows under it usually fill, and none of its cells looks like data (a phone
number, a date). Rows above it are a title and are skipped with a warning. Columns are named as
written; a name used twice gets a number (``Mobile``, ``Mobile 2``); a column without a name
between named ones is ``Unnamed: N``; values to the right of the last named column are notes
beside the table, left out with a warning naming their cells.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from smsbatch.exceptions import RecipientsFileError

__all__ = ["Header", "blank", "column_letter", "find_header", "name_columns"]

# Only digits and the punctuation people type in numbers: a header cell like this is data.
_NUMBER_LIKE = re.compile(r"\+?[\d\s()./-]+")
_LOOK_AHEAD = 10
_TITLE_ROWS = 30


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def column_letter(position: int) -> str:
    """Spreadsheet column letters for a 0-based position: 0 is A, 26 is AA."""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _looks_like_data(value: Any) -> bool:
    if isinstance(value, dt.datetime):
        return True
    text = "" if value is None else str(value).strip()
    return sum(char.isdigit() for char in text) >= 6 and bool(_NUMBER_LIKE.fullmatch(text))


def _filled(values: Sequence[Any]) -> int:
    return sum(not blank(value) for value in values)


def find_header(records: list[tuple[int, list[Any]]], header_row: int | None, path: Path) -> int:
    """Return the index in ``records`` of the header row (given as a 1-based row number)."""
    if header_row is not None:
        for index, (number, values) in enumerate(records):
            if number == header_row:
                if not _filled(values):
                    break
                return index
        raise RecipientsFileError(
            f"{path}: header_row={header_row} is not a row with column names (rows count "
            "from 1, as the spreadsheet shows them)",
            path=path,
        )
    filled = [index for index, (_, values) in enumerate(records) if _filled(values)]
    if not filled:
        raise RecipientsFileError(f"{path}: the file is empty", path=path)
    for place, index in enumerate(filled[:_TITLE_ROWS]):
        values = records[index][1]
        if any(_looks_like_data(value) for value in values):
            continue
        below = sorted(_filled(records[i][1]) for i in filled[place + 1 : place + 1 + _LOOK_AHEAD])
        if not below or _filled(values) >= below[len(below) // 2]:
            return index
    return filled[0]  # nothing looks like a header: name_columns says why


class Header:
    """The column names of a table, and what became of the cells that could not be names."""

    def __init__(self, cells: Sequence[Any], number: int, path: Path) -> None:
        self.number = number
        texts = [_name_text(value, position, path) for position, value in enumerate(cells)]
        named = [position for position, text in enumerate(texts) if text]
        if not named:
            raise RecipientsFileError(f"{path}: the header row names no columns", path=path)
        self.width = named[-1] + 1
        self.names: list[str | None] = []
        self.renamed: dict[str, str] = {}
        seen: set[str] = set()
        for position, text in enumerate(texts[: self.width]):
            name = text or None
            if name is not None and name in seen:
                count = 2
                while f"{name} {count}" in seen or f"{name} {count}" in texts:
                    count += 1
                self.renamed.setdefault(f"{column_letter(position)}{number}", f"{name} {count}")
                name = f"{name} {count}"
            if name is not None:
                seen.add(name)
            self.names.append(name)


def _name_text(value: Any, position: int, path: Path) -> str:
    if _looks_like_data(value):
        raise RecipientsFileError(
            f"{path}: the first row looks like data, not column names (column {position + 1}); "
            "add a header row such as 'telefoon;voornaam', or pass header_row=N",
            path=path,
        )
    return "" if value is None else str(value).strip().lstrip("\ufeff").strip()


def name_columns(
    header: Header, columns: list[Any], path: Path
) -> tuple[dict[str, Any], list[str]]:
    """Pair names with columns; return them and the warnings about unnamed cells and notes."""
    named: dict[str, Any] = {}
    warnings: list[str] = []
    for position, values in enumerate(columns[: header.width]):
        name = header.names[position] if position < len(header.names) else None
        if name is None:
            if not _any_value(values):
                continue  # the trailing ";;;" Excel leaves behind
            name = f"Unnamed: {position}"
            warnings.append(f"column {position + 1} has values but no name; calling it {name!r}")
        named[name] = values
    notes = [
        column_letter(position)
        for position, values in enumerate(columns)
        if position >= header.width and _any_value(values)
    ]
    if notes:
        warnings.append(
            f"left out values beside the table, in column{'s' * (len(notes) > 1)} "
            f"{', '.join(notes)} (no column name in row {header.number}): notes, not data"
        )
    if header.renamed:
        pairs = ", ".join(f"{cell} → {name!r}" for cell, name in header.renamed.items())
        warnings.append(f"the header names a column more than once; renamed {pairs}")
    return named, warnings


def _any_value(values: Any) -> bool:
    if isinstance(values, pd.Series):
        return bool(values.notna().any())
    return any(value is not None for value in values)
