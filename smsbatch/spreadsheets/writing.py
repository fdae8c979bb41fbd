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
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
import xlsxwriter

from smsbatch.exceptions import ResultsFileError, ResultsFileExistsError
from smsbatch.spreadsheets._cells import CSV_SUFFIXES, EXCEL_SUFFIXES, mark, number_text
from smsbatch.spreadsheets._dates import zoned_name
from smsbatch.spreadsheets._summary_sheet import RESULT_STATUS, write_summary
from smsbatch.spreadsheets._xlsx import STATUS_STYLES, status_style, write_rows, xlsx_columns

__all__ = ["write_results"]

logger = logging.getLogger(__name__)

# Text a spreadsheet opening the CSV turns into a number: a leading 0 or digits past 15 lost.
_CHANGED_BY_SPREADSHEETS = re.compile(r"0[0-9]+|[0-9]{16,}")


def write_results(
    df: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    sep: str = ";",
    sheet: str = "results",
    tz: str = "Europe/Amsterdam",
    sender: str | None = None,
    journal: str | os.PathLike[str] | None = None,
) -> Path:
    """Write a frame to CSV or Excel (by extension), atomically and formula-free.

    Text stays text (phone numbers too), numbers stay numbers in Excel, and dates are written
    so that :func:`read_recipients` reads them back as dates: real date cells in Excel,
    ISO 8601 in CSV. Timezone-aware times (``sms_sent_at``) are written as whole seconds in
    ``tz``, and the header says so: ``sms_sent_at (Europe/Amsterdam)``; ``read_recipients``
    reads such a column back as aware times named ``sms_sent_at``. A named index is written as
    a column; an unnamed one is not.

    An ``.xlsx`` is made to be acted on: a bold, frozen header with a filter, columns as wide
    as their values, date, date-time and time cells, and ``sms_status`` coloured (sent green,
    failed and invalid red, unknown orange, the rest grey). A frame with ``sms_status`` gets a
    second sheet, "Summary": the rows by status and what each means, the SMS parts, the cost
    when the frame carries its price, the first and last ``sms_sent_at``, ``sender`` and
    ``journal`` when given, and a bar chart of the statuses. Every text is stored as text, so
    ``=SUM(A1)`` or ``@foo`` never becomes a formula; control characters XML cannot hold
    become ``\\ufffd`` and a carriage return a newline.

    A CSV is UTF-8 with BOM, so Excel shows accents, and ``;``-separated, which Dutch Excel
    opens in columns. In CSV a text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
    carriage return gets an apostrophe in front (``'+31612345678``), so Excel does not run it
    as a formula; so does a text that starts with an apostrophe followed by one of those or by
    another apostrophe. :func:`read_recipients` removes exactly that apostrophe again. Numbers
    (``-5``) are written as they are. Excel and LibreOffice show that apostrophe and read
    ``0612345678`` in a CSV as a number without its ``0``: when the frame holds such a value,
    a warning says so (once per file) and that ``.xlsx`` keeps it.

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
    tz
        Time zone of the timezone-aware times in the file. Default ``"Europe/Amsterdam"``.
    sender, journal
        Shown on the Summary sheet of an ``.xlsx`` when given (the CLI passes both).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ResultsFileExistsError
        The file exists and ``overwrite`` is false. Nothing was written.
    ResultsFileError
        Unknown extension or time zone, a value Excel cannot hold, or the file system refused.
        Any file already at ``path`` is left as it was.

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
    tz = _zone(tz, path)
    if df.index.names != [None]:
        df = df.reset_index()
    columns = _columns_for_writing(df, tz)
    if suffix in EXCEL_SUFFIXES:
        summary = {"tz": tz, "sender": sender, "journal": journal}
        _atomic_write(
            path,
            lambda stream: _write_excel(df, columns, stream, path, sheet, summary),
            overwrite=overwrite,
        )
    else:
        delimiter = "\t" if suffix == ".tsv" else sep
        _atomic_write(
            path, lambda stream: _write_csv(columns, stream, delimiter), overwrite=overwrite
        )
        _warn_about_csv(columns, path)
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


def _columns_for_writing(df: pd.DataFrame, tz: str) -> list[tuple[str, pd.Series]]:
    """Each column's header and values; timezone-aware times become whole seconds in ``tz``,
    and the header says so: ``sms_sent_at (Europe/Amsterdam)``."""
    columns = []
    for position in range(df.shape[1]):
        series = df.iloc[:, position]
        name = str(df.columns[position])
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            series = series.dt.tz_convert(tz).dt.floor("s").dt.tz_localize(None)
            name = zoned_name(name, tz)
        columns.append((name, series))
    return columns


def _warn_about_csv(columns: list[tuple[str, pd.Series]], path: Path) -> None:
    """Say once, naming an example, when a spreadsheet would change a value of this CSV."""
    for name, series in columns:
        if series.dtype.kind == "M":
            continue
        texts = series.dropna()
        texts = texts[texts.map(lambda value: isinstance(value, str))].astype("str")
        changed = texts[texts.str.fullmatch(_CHANGED_BY_SPREADSHEETS.pattern)]
        marked = texts[texts.map(mark) != texts]
        if len(changed) or len(marked):
            what = (
                f"{changed.iloc[0]!r} as a number, without its leading 0 or last digits"
                if len(changed)
                else f"{marked.iloc[0]!r} with the apostrophe that keeps it from being a formula"
            )
            warnings.warn(
                f"{path.name}: Excel and LibreOffice open this CSV showing {what} (column "
                f"{name!r}); an .xlsx file keeps numbers, dates and texts as they are",
                UserWarning,
                stacklevel=3,
            )
            return


def _zone(tz: str, path: Path) -> str:
    try:
        ZoneInfo(tz)
    except (ValueError, ZoneInfoNotFoundError) as err:
        raise ResultsFileError(
            f"{path}: unknown time zone {tz!r}; use a name such as 'Europe/Amsterdam' or 'UTC'",
            path=path,
        ) from err
    return tz


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and arrays inside a cell are values, not missing
        return False


def _write_csv(columns: list[tuple[str, pd.Series]], stream: BinaryIO, delimiter: str) -> None:
    texts = []
    for _, series in columns:
        values = [None if _missing(value) else value for value in series.tolist()]
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


def _write_excel(
    frame: pd.DataFrame,
    columns: list[tuple[str, pd.Series]],
    stream: BinaryIO,
    path: Path,
    sheet: str,
    summary: dict[str, Any],
) -> None:
    # Convert everything before XlsxWriter opens its temporary files, so that a value that
    # cannot be written fails here, with nothing to clean up.
    prepared = xlsx_columns(columns, path)
    sent_at = next(
        (series for name, series in columns if name.startswith("sms_sent_at")), None
    )
    with tempfile.TemporaryDirectory(prefix="smsbatch-", ignore_cleanup_errors=True) as scratch:
        workbook = xlsxwriter.Workbook(
            stream,
            {
                "constant_memory": True,
                "tmpdir": scratch,
                # Every value goes through write_string/write_number: these only guard write().
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        styles: dict[str | None, Any] = {None: None}

        def formats(name: str | None) -> Any:
            if name not in styles:
                spec = {"bold": True} if name == "header" else {"num_format": name}
                styles[name] = workbook.add_format(spec)
            return styles[name]

        status_formats = {
            name: workbook.add_format({"bg_color": fill, "font_color": font})
            for name, (fill, font) in STATUS_STYLES.items()
        }
        fill, font = status_style("")
        other = workbook.add_format({"bg_color": fill, "font_color": font})
        worksheet = workbook.add_worksheet(sheet)
        try:
            rows = write_rows(worksheet, prepared, formats, status_formats, other)
            worksheet.freeze_panes(1, 0)
            if prepared:
                worksheet.autofilter(0, 0, rows - 1, len(prepared) - 1)
            if RESULT_STATUS in frame.columns:
                write_summary(workbook, frame, sent_at, formats=formats, **summary)
            workbook.close()
        except BaseException:
            for opened in workbook.worksheets():
                with contextlib.suppress(Exception):
                    opened.row_data_fh.close()
            raise
