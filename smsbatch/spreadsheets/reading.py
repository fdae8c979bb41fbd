"""Read recipient lists from CSV and Excel without mangling a value.

Phone numbers are the reason this module exists: pandas and Excel both love to turn
``0612345678`` into the float ``612345678.0``. Here every value is read as the text that was
written, and dates are the only thing recognised as more than text:

- a cell Excel stores as a date becomes a date;
- a column whose every value is an ISO 8601 date (``2026-03-12``, ``2026-03-12 14:30``) becomes
  a datetime column. Day-first dates such as ``12-03-2026`` stay text exactly as written: we
  never guess between day and month.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import os
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd

from smsbatch.exceptions import RecipientsFileError
from smsbatch.spreadsheets._cells import CSV_SUFFIXES, EXCEL_SUFFIXES, number_text, unmark

__all__ = ["read_recipients"]

logger = logging.getLogger(__name__)

SEPARATORS = (";", ",", "\t")

_ISO_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}"
    r"(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?"
    r"(?:Z|[+-]\d{2}:?\d{2})?"
)
# Only digits and the punctuation people type in numbers: a header cell like this is data.
_NUMBER_LIKE = re.compile(r"\+?[\d\s()./-]+")
_SAMPLE_RECORDS = 200


def read_recipients(
    path: str | os.PathLike[str],
    *,
    sheet: str | int | None = None,
    sep: str | None = None,
    encoding: str | None = None,
) -> pd.DataFrame:
    """Read a recipient list from CSV or Excel, keeping every value as it was written.

    Parameters
    ----------
    path
        A ``.csv``/``.txt``/``.tsv`` or ``.xlsx``/``.xlsm`` file. The first non-empty row holds
        the column names; spaces around them are stripped.
    sheet
        Excel only: the sheet's name or 0-based position. Default: the first sheet.
    sep
        CSV only: the separator. Default: detected among ``;``, ``,`` and tab.
    encoding
        CSV only: the text encoding. Default: UTF-8 (with or without BOM, or UTF-16 with BOM),
        falling back to Windows-1252.

    In CSV, one leading apostrophe before ``=``, ``+``, ``-``, ``@``, ``'``, a tab or a carriage
    return marks the value as text, as in Excel: ``'+31612345678`` reads as ``+31612345678``.
    :func:`write_results` writes such values that way. Other apostrophes stay
    (``'s-Hertogenbosch``).

    Returns
    -------
    pandas.DataFrame
        Text columns (``str``; empty cells are missing), and datetime columns for dates.
        Excel numbers come back as the digits shown (``612345678``, never ``612345678.0``).
        Completely empty rows and unnamed empty columns are dropped; the index is 0, 1, 2...

    Raises
    ------
    RecipientsFileError
        The file is missing, unreadable, empty, has no header row or an unknown extension, or
        the sheet does not exist. The message says what and where.

    Examples
    --------
    >>> df = read_recipients("sample_data/recipients.csv")
    >>> df.loc[0, "telefoon"]
    '0612345601'
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        records = _csv_records(path, sep=sep, encoding=encoding)
    elif suffix in EXCEL_SUFFIXES:
        records = _excel_records(path, sheet=sheet)
    elif suffix in {".xls", ".ods"}:
        raise RecipientsFileError(
            f"{path}: {suffix} files are not supported; save it as .xlsx or .csv", path=path
        )
    else:
        raise RecipientsFileError(
            f"{path}: unknown file type {suffix or '(no extension)'!r}; use .csv or .xlsx",
            path=path,
        )
    return _frame(records, path)


def _csv_records(
    path: Path, *, sep: str | None, encoding: str | None
) -> list[tuple[int, list[Any]]]:
    try:
        data = path.read_bytes()
    except OSError as err:
        raise RecipientsFileError(
            f"{path}: cannot read the file: {err.strerror}", path=path
        ) from err
    if data.startswith(b"PK\x03\x04"):
        raise RecipientsFileError(
            f"{path}: this is an Excel workbook with a CSV name; rename it to .xlsx", path=path
        )
    text = _decode(data, path, encoding)
    delimiter = sep or _detect_separator(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records = []
    try:
        for values in reader:
            records.append((reader.line_num, [unmark(value) for value in values]))
    except csv.Error as err:
        raise RecipientsFileError(
            f"{path}: not readable as CSV near line {reader.line_num}: {err}", path=path
        ) from err
    return records


def _decode(data: bytes, path: Path, encoding: str | None) -> str:
    """Decode the way Dutch files come: UTF-8 (maybe with BOM), Excel's UTF-16, or cp1252."""
    if encoding is not None:
        candidates = [encoding]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8-sig", "cp1252"]
    if b"\x00" in data and not candidates[0].lower().startswith("utf-16"):
        raise RecipientsFileError(
            f"{path}: binary data, not CSV text (UTF-16 without BOM? pass encoding=...)",
            path=path,
        )
    for name in candidates:
        try:
            return data.decode(name)
        except UnicodeDecodeError:
            continue
        except LookupError as err:
            raise RecipientsFileError(f"{path}: unknown encoding {name!r}", path=path) from err
    raise RecipientsFileError(
        f"{path}: the text is neither UTF-8 nor Windows-1252; pass encoding=...", path=path
    )


def _detect_separator(text: str) -> str:
    """Pick the separator that splits the header widest and the rows most consistently."""

    def score(delimiter: str) -> tuple[bool, float, int]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            rows = [row for _, row in zip(range(_SAMPLE_RECORDS), reader, strict=False) if row]
        except csv.Error:
            return (False, 0.0, 0)
        if not rows:
            return (False, 0.0, 0)
        width = len(rows[0])
        consistent = sum(len(row) == width for row in rows) / len(rows)
        return (width > 1, consistent, width)

    return max(SEPARATORS, key=score)


def _excel_records(path: Path, *, sheet: str | int | None) -> list[tuple[int, list[Any]]]:
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError as err:
        raise RecipientsFileError(f"{path}: no such file", path=path) from err
    except zipfile.BadZipFile as err:
        raise RecipientsFileError(
            f"{path}: not an .xlsx workbook (damaged, password-protected, or another format)",
            path=path,
        ) from err
    except Exception as err:  # openpyxl raises many types for broken workbooks
        raise RecipientsFileError(f"{path}: cannot read the workbook: {err}", path=path) from err
    try:
        worksheet = _pick_sheet(workbook, sheet, path)
        worksheet.reset_dimensions()  # some exporters write a wrong size; read what is there
        return [
            (number, [_excel_value(cell) for cell in cells])
            for number, cells in enumerate(worksheet.iter_rows(min_row=1), start=1)
        ]
    finally:
        workbook.close()


def _pick_sheet(workbook: Any, sheet: str | int | None, path: Path) -> Any:
    names = workbook.sheetnames
    if sheet is None:
        sheet = 0
    if isinstance(sheet, int) and 0 <= sheet < len(names):
        return workbook.worksheets[sheet]
    if isinstance(sheet, str) and sheet in names:
        return workbook[sheet]
    raise RecipientsFileError(
        f"{path}: no sheet {sheet!r}; the workbook has {', '.join(map(repr, names))}", path=path
    )


def _excel_value(cell: Any) -> Any:
    """Return a cell as the text Excel shows, or a datetime for a date cell."""
    value = cell.value
    if value is None or isinstance(value, str | dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        text = number_text(value)
        # A phone column formatted "0000000000" shows its leading zero: keep what is shown.
        number_format = getattr(cell, "number_format", "General") or "General"
        if text.isdigit() and set(number_format) == {"0"}:
            text = text.zfill(len(number_format))
        return text
    return str(value)


def _frame(records: list[tuple[int, list[Any]]], path: Path) -> pd.DataFrame:
    records = [(number, values) for number, values in records if not all(map(_blank, values))]
    if not records:
        raise RecipientsFileError(f"{path}: the file is empty", path=path)
    (_, header), body = records[0], records[1:]
    names = [_column_name(value, position, path) for position, value in enumerate(header)]
    duplicates = sorted({name for name in names if name and names.count(name) > 1})
    if duplicates:
        raise RecipientsFileError(
            f"{path}: the header names these columns more than once: {', '.join(duplicates)}",
            path=path,
        )
    for number, values in body:
        if len(values) > len(names) and not all(map(_blank, values[len(names) :])):
            raise RecipientsFileError(
                f"{path}: row {number} has {len(values)} values but the header names "
                f"{len(names)} columns; is the separator right, or a value unquoted?",
                path=path,
            )
    columns: dict[str, pd.Series] = {}
    for position, name in enumerate(names):
        values = [_cell(row, position) for _, row in body]
        if not name:
            if all(value is None for value in values):
                continue  # the trailing ";;;" Excel leaves behind
            name = f"Unnamed: {position}"
            logger.warning(
                "%s: column %d has values but no name; calling it %r", path, position + 1, name
            )
        columns[name] = _column(values)
    if not columns:
        raise RecipientsFileError(f"{path}: the header row names no columns", path=path)
    return pd.DataFrame(columns, index=pd.RangeIndex(len(body)))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _cell(row: Sequence[Any], position: int) -> Any:
    value = row[position] if position < len(row) else None
    return None if value == "" else value


def _column_name(value: Any, position: int, path: Path) -> str:
    text = "" if value is None else str(value).strip().lstrip("\ufeff").strip()
    digits = sum(char.isdigit() for char in text)
    if isinstance(value, dt.datetime) or (digits >= 6 and _NUMBER_LIKE.fullmatch(text)):
        raise RecipientsFileError(
            f"{path}: the first row looks like data, not column names (column {position + 1}); "
            "add a header row such as 'telefoon;voornaam'",
            path=path,
        )
    return text


def _column(values: list[Any]) -> pd.Series:
    """Make a datetime column when every value is a date, else a text column."""
    present = [value for value in values if value is not None]
    if present and all(isinstance(value, dt.datetime) for value in present):
        return pd.Series(pd.to_datetime(values))
    texts = [value if not isinstance(value, dt.datetime) else _iso(value) for value in values]
    present = [text for text in texts if text is not None]
    if present and all(_ISO_DATETIME.fullmatch(text) for text in present):
        try:
            return pd.Series(pd.to_datetime(texts, format="ISO8601"))
        except (ValueError, TypeError):
            pass  # 2026-13-45, or mixed offsets: not dates after all, keep the text
    return pd.Series(texts, dtype="str")


def _iso(value: dt.datetime) -> str:
    if value.time() == dt.time():
        return value.strftime("%Y-%m-%d")
    return value.isoformat(sep=" ")
