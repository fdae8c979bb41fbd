"""Write results to CSV or Excel: atomically, formula-free, and readable back as the same frame.

:func:`write_results` writes dates in exactly the two forms :func:`~.reading.read_recipients`
recognises, so a file it writes reads back as the same frame. Writes are atomic: a temporary
file in the same folder, fsynced, then renamed.
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
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import openpyxl
import pandas as pd
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.utils import get_column_letter

from smsbatch.exceptions import ResultsFileError, ResultsFileExistsError
from smsbatch.spreadsheets._cells import CSV_SUFFIXES, EXCEL_SUFFIXES, mark, number_text

__all__ = ["write_results"]

logger = logging.getLogger(__name__)

EXCEL_MAX_CHARS = 32767

# XML 1.0 cannot hold these, so neither can an .xlsx file.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


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
        text = number_text(value)
        # -5 is a number to Excel; "-inf" would be a formula.
        return text if math.isfinite(value) else mark(text)
    # A NUL byte would make the file look binary to read_recipients (and to most tools).
    return mark(str(value).replace("\x00", "\ufffd"))


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

    def text_cell(text: str, row: int | None, name: str) -> Cell:
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
    rows: list[list[Cell | str | float | None]] = [
        [text_cell(name, None, name) for name, _ in columns]
    ]
    formats = [
        "yyyy-mm-dd" if _all_midnight(values) else "yyyy-mm-dd hh:mm:ss" for _, values in columns
    ]
    for row, cells in enumerate(zip(*(values for _, values in columns), strict=True)):
        out: list[Cell | str | float | None] = []
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
