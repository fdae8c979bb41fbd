"""Read recipient lists from CSV and workbooks without mangling a value.

Phone numbers are the reason this module exists: pandas and Excel both love to turn
``0612345678`` into the float ``612345678.0``. Here every value is read as the text that was
written, and dates are the only thing recognised as more than text (see ``_dates``).

What was read (file, sheet, header row, hidden rows left out, encoding, separator) is recorded in
``df.attrs["smsbatch_source"]``, so a front end can show it; everything a person should know about
is also a warning.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from smsbatch.exceptions import RecipientsFileError
from smsbatch.spreadsheets._cells import CSV_SUFFIXES
from smsbatch.spreadsheets._csv import open_csv
from smsbatch.spreadsheets._dates import typed_column, unzoned
from smsbatch.spreadsheets._limits import ReadLimits
from smsbatch.spreadsheets._table import Header, blank, find_header, name_columns
from smsbatch.spreadsheets._workbooks import WORKBOOK_SUFFIXES, read_sheet

__all__ = ["SOURCE_ATTR", "read_recipients"]

#: The key of ``df.attrs`` that says where a frame was read from.
SOURCE_ATTR = "smsbatch_source"


def read_recipients(
    path: str | os.PathLike[str],
    *,
    sheet: str | int | None = None,
    header_row: int | None = None,
    sep: str | None = None,
    encoding: str | None = None,
    region: str = "NL",
    include_hidden: bool = False,
    limits: ReadLimits | None = None,
) -> pd.DataFrame:
    """Read a recipient list from CSV or a workbook, keeping every value as it was written.

    Parameters
    ----------
    path
        A ``.csv``/``.txt``/``.tsv``, ``.xlsx``/``.xlsm``, ``.xls`` or ``.ods`` file.
    sheet
        Workbooks only: the sheet's name, or its position counting from 0. Default: the sheet
        that was active when the file was saved (``.xlsx``), else the first visible one; a
        warning names it when there are others. A hidden sheet is read only when named.
    header_row
        The row with the column names, counting from 1 as the spreadsheet shows it. Default:
        the first row that looks like a header for the table below it, so a title above the
        table is skipped (with a warning).
    sep
        CSV only: the separator. Default: a ``sep=;`` first line (Excel writes one), else
        detected among ``;``, ``,`` and tab.
    encoding
        CSV only: the text encoding. Default: UTF-8 (with or without BOM), UTF-16 (with or
        without BOM), else Windows-1252 or Mac Roman, whichever reads as words, with a warning.
        A file that mixes UTF-8 with another encoding is an error naming the line.
    region
        How numeric dates are written: day-first (``20-12-2026``) except for the regions that
        put the month first (``US``). Default ``"NL"``.
    include_hidden
        Workbooks only: also read rows that are hidden or filtered out. Default ``False``:
        they are left out, with a warning that counts them (``.xls`` does not say which rows
        are hidden: all are read).
    limits
        :class:`ReadLimits` for rows, columns, cell length and size; the defaults are far
        beyond any real list.

    In CSV, one leading apostrophe before ``=``, ``+``, ``-``, ``@``, ``'``, a tab or a carriage
    return marks the value as text, as in Excel: ``'+31612345678`` reads as ``+31612345678``.
    :func:`write_results` writes such values that way. Other apostrophes stay
    (``'s-Hertogenbosch``).

    A date column whose header names a time zone, ``sms_sent_at (Europe/Amsterdam)`` as
    :func:`write_results` writes it, is read as timezone-aware times named ``sms_sent_at``
    (unless a column of that name exists); in the hour that repeats when the clocks go back,
    the first of the two is read.

    Returns
    -------
    pandas.DataFrame
        Text columns (``str``; empty cells are missing), and datetime columns for dates.
        Excel numbers come back as the digits shown (``612345678``, never ``612345678.0``).
        A column name used twice gets a number (``Mobile 2``); values right of the last named
        column are notes and are left out, with a warning. Empty rows and unnamed empty columns
        are dropped; the index is 0, 1, 2... ``df.attrs["smsbatch_source"]`` says what was read.

    Raises
    ------
    RecipientsFileError
        The file is missing, unreadable, empty, past a limit, has no header row or an unknown
        extension, or the sheet does not exist or is not a table. The message says what and
        where.

    Examples
    --------
    >>> df = read_recipients("sample_data/recipients.csv")
    >>> df.loc[0, "telefoon"]
    '0612345601'
    >>> df.attrs["smsbatch_source"]["header_row"]
    1
    """
    path = Path(path)
    limits = limits or ReadLimits()
    suffix = path.suffix.lower()
    source: dict[str, Any] = {"path": str(path), "sheet": None, "hidden_rows_skipped": 0}
    if suffix in CSV_SUFFIXES:
        csv_file = open_csv(path, sep=sep, encoding=encoding, limits=limits)
        index = find_header(csv_file.records, header_row, path)
        number, cells = csv_file.records[index]
        header = Header(cells, number, path)
        columns: list[Any] = [
            column.iloc[1:].reset_index(drop=True) for column in csv_file.body(index, limits)
        ]
        notes = csv_file.warnings
        source.update(encoding=csv_file.encoding, separator=csv_file.separator)
        records = csv_file.records
    elif suffix in WORKBOOK_SUFFIXES:
        read = read_sheet(path, sheet=sheet, limits=limits)
        records = read.records
        if not any(not all(map(blank, values)) for _, values in records):
            raise RecipientsFileError(
                f"{path}: sheet {read.name!r} is empty; {read.listing}", path=path
            )
        index = find_header(records, header_row, path)
        number, cells = records[index]
        header = Header(cells, number, path)
        body = [
            (row, values) for row, values in records[index + 1 :] if not all(map(blank, values))
        ]
        notes = list(read.warnings)
        if not include_hidden and read.hidden_rows:
            kept = [(row, values) for row, values in body if row not in read.hidden_rows]
            source["hidden_rows_skipped"] = len(body) - len(kept)
            if len(kept) < len(body):
                notes.append(
                    f"left out {len(body) - len(kept)} hidden or filtered-out rows "
                    "(include_hidden=True reads them)"
                )
            body = kept
        width = max([len(values) for _, values in body] + [len(cells)])
        columns = [[_cell(values, position) for _, values in body] for position in range(width)]
        source.update(sheet=read.name)
    else:
        raise RecipientsFileError(
            f"{path}: unknown file type {suffix or '(no extension)'!r}; "
            "use .csv, .xlsx, .xls or .ods",
            path=path,
        )
    if any(not all(map(blank, values)) for _, values in records[:index]):
        notes.append(f"the column names are in row {number}; the rows above it were left out")
    named, naming_notes = name_columns(header, columns, path)
    frame = _frame(named, region)
    source.update(header_row=number, warnings=notes + naming_notes)
    frame.attrs[SOURCE_ATTR] = source
    for note in source["warnings"]:
        warnings.warn(f"{path.name}: {note}", UserWarning, stacklevel=2)
    return frame


def _cell(values: list[Any], position: int) -> Any:
    value = values[position] if position < len(values) else None
    return None if value == "" else value


def _frame(named: dict[str, Any], region: str) -> pd.DataFrame:
    """Drop the rows with nothing in them and type each column."""
    if not named:
        return pd.DataFrame()
    blank_rows: Any = None
    for values in named.values():
        if isinstance(values, pd.Series):
            empty = values.isna() | values.str.isspace().fillna(False).astype(bool)
        else:
            empty = pd.Series([blank(value) for value in values], dtype=bool)
        blank_rows = empty if blank_rows is None else blank_rows & empty
    keep = ~blank_rows.to_numpy(dtype=bool)
    columns = {}
    for name, values in named.items():
        if isinstance(values, pd.Series):
            values = values[keep].reset_index(drop=True)
        else:
            values = [value for value, kept in zip(values, keep, strict=True) if kept]
        column, typed = unzoned(name, typed_column(values, region), set(named))
        columns[column] = typed
    return pd.DataFrame(columns, index=pd.RangeIndex(int(keep.sum())))
