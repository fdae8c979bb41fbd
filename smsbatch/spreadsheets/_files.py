"""Read recipient lists from CSV/Excel and write results back, without mangling a value.

Phone numbers are the reason this module exists: pandas and Excel both love to turn
``0612345678`` into the float ``612345678.0``. Here every value is read as the text that was
written, and dates are the only thing recognised as more than text:

- a cell Excel stores as a date becomes a date;
- a column whose every value is an ISO 8601 date (``2026-03-12``, ``2026-03-12 14:30``) becomes
  a datetime column. Day-first dates such as ``12-03-2026`` stay text exactly as written: we
  never guess between day and month.

:func:`write_results` writes dates in exactly those two forms, so a file it writes reads back as
the same frame. Writes are atomic: a temporary file in the same folder, fsynced, then renamed.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import logging
import math
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import openpyxl
import pandas as pd
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.utils import get_column_letter

from smsbatch.exceptions import RecipientsFileError, ResultsFileError, ResultsFileExistsError

logger = logging.getLogger(__name__)

CSV_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm"})
SEPARATORS = (";", ",", "\t")
EXCEL_MAX_CHARS = 32767

_ISO_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}"
    r"(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?"
    r"(?:Z|[+-]\d{2}:?\d{2})?"
)
# Only digits and the punctuation people type in numbers: a header cell like this is data.
_NUMBER_LIKE = re.compile(r"\+?[\d\s()./-]+")
# XML 1.0 cannot hold these, so neither can an .xlsx file.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SAMPLE_RECORDS = 200
# Excel runs a CSV value that starts with one of these as a formula (OWASP "CSV injection").
_FORMULA_START = frozenset("=+-@\t\r")
# A leading apostrophe before these marks the rest as text: how Excel users write it, and how
# write_results protects a value. Apostrophe itself is here so that the marking is reversible.
_MARKABLE = _FORMULA_START | {"'"}


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


def write_results(
    df: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    sep: str = ";",
    sheet: str = "results",
) -> Path:
    """Write a frame to CSV or Excel (by extension), atomically and formula-free.

    Text stays text (phone numbers too), numbers stay numbers in Excel, and dates are written
    so that :func:`read_recipients` reads them back as dates: real date cells in Excel,
    ISO 8601 in CSV (timezone-aware times are converted to UTC). A named index is written as
    a column; an unnamed one is not.

    In ``.xlsx`` every text is stored as text, so ``=SUM(A1)`` or ``@foo`` never becomes a
    formula; control characters XML cannot hold become ``\\ufffd`` and a carriage return a
    newline. A CSV is UTF-8 with BOM, so Excel shows accents, and ``;``-separated, which Dutch
    Excel opens in columns. In CSV a text that starts with ``=``, ``+``, ``-``, ``@``, a tab or
    a carriage return gets an apostrophe in front (``'+31612345678``), so Excel does not run it
    as a formula; so does a text that starts with an apostrophe followed by one of those or by
    another apostrophe. :func:`read_recipients` removes exactly that apostrophe again. Numbers
    (``-5``) are written as they are.

    Parameters
    ----------
    df
        The frame to write, e.g. the result of a send.
    path
        Target file: ``.xlsx``/``.xlsm``, or ``.csv``/``.txt``/``.tsv`` (``.tsv`` is always
        tab-separated).
    overwrite
        Replace an existing file. Default ``False``: an existing file is an error.
    sep
        CSV separator.
    sheet
        Excel sheet name.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ResultsFileExistsError
        The file exists and ``overwrite`` is false. Nothing was written.
    ResultsFileError
        Unknown extension, a value Excel cannot hold, or the file system refused. Any file
        already at ``path`` is left as it was.

    Examples
    --------
    >>> write_results(result, "results.xlsx")  # doctest: +SKIP
    PosixPath('results.xlsx')
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES | EXCEL_SUFFIXES:
        raise ResultsFileError(
            f"{path}: unknown file type {suffix or '(no extension)'!r}; use .csv or .xlsx",
            path=path,
        )
    if not overwrite and path.exists():
        raise _exists_error(path)
    if df.index.names != [None]:
        df = df.reset_index()
    if suffix in EXCEL_SUFFIXES:
        _atomic_write(
            path, lambda stream: _write_excel(df, stream, path, sheet), overwrite=overwrite
        )
    else:
        delimiter = "\t" if suffix == ".tsv" else sep
        _atomic_write(path, lambda stream: _write_csv(df, stream, delimiter), overwrite=overwrite)
    logger.info("wrote %d rows to %s", len(df), path)
    return path


# --- reading --------------------------------------------------------------------------------


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
            records.append((reader.line_num, [_unmark(value) for value in values]))
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
        text = _number_text(value)
        # A phone column formatted "0000000000" shows its leading zero: keep what is shown.
        number_format = getattr(cell, "number_format", "General") or "General"
        if text.isdigit() and set(number_format) == {"0"}:
            text = text.zfill(len(number_format))
        return text
    return str(value)


def _number_text(value: float) -> str:
    """Write a number the way Excel shows it: ``612345678``, not ``612345678.0``.

    Whole numbers keep every digit (phone numbers do not fit in 15); fractions get Excel's 15
    significant digits, so ``0.1 + 0.2`` is ``0.3``.
    """
    if isinstance(value, int) or not math.isfinite(value):
        return str(value)
    if value.is_integer():
        return str(int(value))
    return format(value, ".15g")


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


# --- writing --------------------------------------------------------------------------------


def _atomic_write(path: Path, write: Callable[[BinaryIO], None], *, overwrite: bool) -> None:
    """Write through a temporary sibling so a crash never leaves a half-written file."""
    directory = path.parent
    try:
        descriptor, temporary = tempfile.mkstemp(
            dir=directory, prefix=f".{path.name}.", suffix=".tmp"
        )
    except OSError as err:
        raise ResultsFileError(
            f"{path}: cannot write in {directory}: {err.strerror}", path=path
        ) from err
    try:
        with os.fdopen(descriptor, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        _publish(temporary, path, overwrite=overwrite)
    except BaseException as err:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(err, OSError) and not isinstance(err, ResultsFileError):
            raise ResultsFileError(f"{path}: the write failed: {err}", path=path) from err
        raise
    _sync_directory(directory)


def _publish(temporary: str, path: Path, *, overwrite: bool) -> None:
    # New files stay private (mkstemp's 0600: they hold phone numbers); a replaced file keeps
    # the permissions its owner gave it.
    if overwrite:
        with contextlib.suppress(FileNotFoundError):
            shutil.copymode(path, temporary)
        os.replace(temporary, path)
        return
    # A hard link fails if the name exists: no window in which another file could be clobbered.
    try:
        os.link(temporary, path)
    except FileExistsError as err:
        raise _exists_error(path) from err
    except OSError:  # no hard links here (FAT, some network drives): check, then rename
        if path.exists():
            raise _exists_error(path) from None
        os.replace(temporary, path)
        return
    os.unlink(temporary)


def _exists_error(path: Path) -> ResultsFileExistsError:
    return ResultsFileExistsError(
        f"{path} already exists; pass overwrite=True to replace it", path=path
    )


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable; not every platform can open a directory."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _columns_for_writing(df: pd.DataFrame) -> Iterator[tuple[str, list[Any]]]:
    """Yield each column's name and values with dates made explicit (UTC for aware times)."""
    for position in range(df.shape[1]):
        series = df.iloc[:, position]
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            series = series.dt.tz_convert("UTC")
        values = [None if _missing(value) else value for value in series.tolist()]
        yield str(df.columns[position]), values


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and arrays inside a cell are values, not missing
        return False


def _write_csv(df: pd.DataFrame, stream: BinaryIO, delimiter: str) -> None:
    columns = list(_columns_for_writing(df))
    texts = []
    for _, values in columns:
        date_only = _all_midnight(values)
        texts.append([_csv_text(value, date_only) for value in values])
    text_stream = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    writer = csv.writer(text_stream, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([_csv_text(name, True) for name, _ in columns])
    writer.writerows(zip(*texts, strict=True))
    text_stream.flush()
    text_stream.detach()


def _csv_text(value: Any, date_only: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d") if date_only else value.isoformat(sep=" ")
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = _number_text(value)
        # -5 is a number to Excel; "-inf" would be a formula.
        return text if math.isfinite(value) else _mark(text)
    # A NUL byte would make the file look binary to read_recipients (and to most tools).
    return _mark(str(value).replace("\x00", "\ufffd"))


def _marked(text: str) -> bool:
    return text[:1] == "'" and text[1:2] in _MARKABLE


def _mark(text: str) -> str:
    """Put an apostrophe before text Excel would run as a formula, or that _unmark would strip."""
    return "'" + text if text[:1] in _FORMULA_START or _marked(text) else text


def _unmark(text: str) -> str:
    """Undo _mark: drop one leading apostrophe that marks a formula-like text as text."""
    return text[1:] if _marked(text) else text


def _all_midnight(values: Iterable[Any]) -> bool:
    """True when a column holds dates without times, so the time is not worth writing."""
    return all(
        not isinstance(value, dt.datetime) or (value.time() == dt.time() and value.tzinfo is None)
        for value in values
    )


def _write_excel(df: pd.DataFrame, stream: BinaryIO, path: Path, sheet: str) -> None:
    workbook = openpyxl.Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)
    columns = list(_columns_for_writing(df))
    cleaned = 0

    def text_cell(text: str, row: int | None, name: str) -> WriteOnlyCell:
        nonlocal cleaned
        if len(text) > EXCEL_MAX_CHARS:
            where = "the header" if row is None else f"row {df.index[row]!r}"
            raise ResultsFileError(
                f"{path}: {where}, column {name!r} has {len(text)} characters; Excel holds "
                f"at most {EXCEL_MAX_CHARS} in a cell. Write .csv instead.",
                path=path,
            )
        # XML reads a carriage return back as a newline anyway; say so in the file itself.
        safe = _NOT_IN_XML.sub("\ufffd", text.replace("\r\n", "\n").replace("\r", "\n"))
        cleaned += safe != text
        cell = WriteOnlyCell(worksheet, value=safe)
        cell.data_type = "s"  # never a formula or an error code, whatever the text starts with
        return cell

    # Convert everything before openpyxl starts its own temporary sheet file, so that a value
    # that cannot be written fails here, with nothing to clean up.
    rows = [[text_cell(name, None, name) for name, _ in columns]]
    formats = [
        "yyyy-mm-dd" if _all_midnight(values) else "yyyy-mm-dd hh:mm:ss" for _, values in columns
    ]
    for row, cells in enumerate(zip(*(values for _, values in columns), strict=True)):
        out = []
        for (name, _), number_format, value in zip(columns, formats, cells, strict=True):
            if isinstance(value, dt.datetime):
                if value.tzinfo is not None:  # Excel has no timezones: keep the instant as text
                    out.append(text_cell(value.isoformat(sep=" "), row, name))
                    continue
                cell = WriteOnlyCell(worksheet, value=value)
                cell.number_format = number_format
                out.append(cell)
            elif value is None or isinstance(value, bool | int):
                out.append(value)
            elif isinstance(value, float):
                out.append(value if math.isfinite(value) else str(value))
            elif isinstance(value, str) and not _needs_text_cell(value):
                out.append(value)
            else:
                out.append(text_cell(str(value), row, name))
        rows.append(out)
    if cleaned:
        logger.warning("%d values held control characters Excel cannot store; replaced", cleaned)
    # The streaming writer leaves the sheet size out, which makes readers scan the sheet twice.
    size = f"A1:{get_column_letter(max(len(columns), 1))}{len(rows)}"
    worksheet.calculate_dimension = lambda: size
    try:
        for out in rows:
            worksheet.append(out)
        workbook.save(stream)
    except BaseException:
        _discard(worksheet)
        raise


def _discard(worksheet: Any) -> None:
    """Close and delete the temporary file a write-only openpyxl sheet streams its rows into."""
    rows, writer = getattr(worksheet, "_rows", None), getattr(worksheet, "_writer", None)
    with contextlib.suppress(Exception):
        if rows is not None:
            rows.close()
        if writer is not None:
            writer.close()
            writer.cleanup()


def _needs_text_cell(text: str) -> bool:
    """True for text openpyxl would turn into a formula or error, truncate, or choke on."""
    return (
        text.startswith("=")
        or text in ERROR_CODES
        or len(text) > EXCEL_MAX_CHARS
        or "\r" in text
        or _NOT_IN_XML.search(text) is not None
    )
