"""Write the results sheet of an ``.xlsx`` file with XlsxWriter, streaming, for a person to act on.

Every text is a text cell (never a formula), numbers are numbers, dates are date cells with a
date format; the header is bold, frozen and has a filter, the columns are as wide as what they
hold, and the ``sms_status`` cells are coloured. XlsxWriter's ``constant_memory`` mode writes
each row as it comes, so memory stays flat and 200,000 rows take seconds.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from smsbatch.exceptions import ResultsFileError

__all__ = [
    "EXCEL_MAX_CHARS",
    "STATUS_STYLES",
    "XlsxColumn",
    "excel_serials",
    "status_style",
    "write_rows",
    "xlsx_columns",
]

EXCEL_MAX_CHARS = 32767
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
TIME_FORMAT = "hh:mm:ss"

#: Fill and font colour of each ``sms_status``: Excel's own "Good", "Bad" and "Neutral"-like
#: pairs, so the file looks like what people already know; every other status is grey.
STATUS_STYLES = {
    "sent": ("#C6EFCE", "#006100"),
    "failed": ("#FFC7CE", "#9C0006"),
    "invalid": ("#FFC7CE", "#9C0006"),
    "unknown": ("#FFD8A8", "#8A3B00"),
}
_OTHER_STATUS = ("#E7E6E6", "#3A3A3A")

# XML 1.0 cannot hold these, so neither can an .xlsx file; a carriage return reads back as a
# newline anyway, so it is written as one.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NEEDS_CLEANING = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\r\ufffe\uffff]")
# Excel counts days from 1899-12-30 (its 1900 leap-year bug makes earlier dates wrong).
logger = logging.getLogger("smsbatch.spreadsheets.writing")

_EPOCH = pd.Timestamp("1899-12-30")
_FIRST_EXACT_DAY = pd.Timestamp("1900-03-01")
_MAX_WIDTH = 60
_SAMPLE = 2000


def status_style(status: str) -> tuple[str, str]:
    """The (fill, font) colours of a status cell."""
    return STATUS_STYLES.get(status, _OTHER_STATUS)


@dataclass
class XlsxColumn:
    """One column, ready to stream: header, values and the number format of its dates."""

    name: str
    values: list[Any]
    number_format: str | None = None  # a date or time column: values are Excel serials
    status: bool = False
    width: float = 8.0


def excel_serials(series: pd.Series) -> tuple[list[Any], bool]:
    """Naive datetimes as Excel serial numbers; dates Excel cannot show (before March 1900)
    stay ISO text. Returns the values and whether every value is a whole day."""
    values = pd.DatetimeIndex(series)
    serials = ((values - _EPOCH) / pd.Timedelta(days=1)).to_numpy(dtype=float)
    present = ~np.isnan(serials)
    whole_days = bool((values[present].normalize() == values[present]).all())
    out: list[Any] = [None if math.isnan(x) else x for x in serials.tolist()]
    early = present & (values < _FIRST_EXACT_DAY)
    for position in np.flatnonzero(early).tolist():
        stamp = values[position]
        out[position] = stamp.strftime("%Y-%m-%d") if whole_days else stamp.isoformat(sep=" ")
    return out, whole_days


def xlsx_columns(columns: list[tuple[str, pd.Series]], path: Path) -> list[XlsxColumn]:
    """Make each column's values what the sheet stores; fail before any file is opened."""
    convert = _Converter(path)
    out = []
    for name, series in columns:
        convert.text(name, None, name)
        if series.dtype.kind == "M":
            values, whole_days = excel_serials(series)
            column = XlsxColumn(name, values, DATE_FORMAT if whole_days else DATETIME_FORMAT)
            column.width = 10 if whole_days else 19
        else:
            convert.index = series.index
            values = [convert.value(v, name, row) for row, v in enumerate(series.tolist())]
            column = XlsxColumn(name, values, status=name == "sms_status")
            column.width = _width(values)
        column.width = min(max(column.width, len(name) + 3) + 1, _MAX_WIDTH)
        out.append(column)
    if convert.cleaned:
        logger.warning(
            "%d values held control characters Excel cannot store; replaced", convert.cleaned
        )
    return out


def _width(values: list[Any]) -> float:
    """Characters the widest of the first values needs (a sample: a column is uniform)."""
    widest = 0
    for value in values[:_SAMPLE]:
        if isinstance(value, str):
            widest = max(widest, max(map(len, value.split("\n"))))
        elif isinstance(value, Cell):
            widest = max(widest, 19 if value.number_format == DATETIME_FORMAT else 10)
        elif isinstance(value, float):
            widest = max(widest, len(f"{value:.15g}"))
        elif value is not None:
            widest = max(widest, len(str(value)))
    return widest


@dataclass(frozen=True, slots=True)
class Cell:
    """A number with a format of its own in a column that has none (a date, a time)."""

    number: float
    number_format: str


@dataclass
class _Converter:
    path: Path
    index: Any = None
    cleaned: int = 0

    def value(self, value: Any, name: str, row: int) -> Any:
        """One value as the sheet stores it: str (a text cell), float/int/bool, Cell or None."""
        if value is None or value is pd.NA or value is pd.NaT:
            return None
        if type(value) is str:
            return self.text(value, row, name)
        if isinstance(value, float | np.floating):
            number = float(value)
            if math.isnan(number):
                return None
            return number if math.isfinite(number) else str(number)
        if isinstance(value, bool | np.bool_):
            return bool(value)
        if isinstance(value, int | np.integer):
            # Excel keeps 15 significant digits: a longer whole number (an id) stays exact as text.
            return int(value) if abs(int(value)) < 2**53 else str(int(value))
        if isinstance(value, dt.datetime):
            if value.tzinfo is not None:  # one value among others: keep its instant as text
                return self.text(value.isoformat(sep=" "), row, name)
            stamp = pd.Timestamp(value)
            if stamp < _FIRST_EXACT_DAY:
                return stamp.isoformat(sep=" ")
            whole = stamp == stamp.normalize()
            serial = (stamp - _EPOCH) / pd.Timedelta(days=1)
            return Cell(serial, DATE_FORMAT if whole else DATETIME_FORMAT)
        if isinstance(value, dt.date):
            if value < _FIRST_EXACT_DAY.date():
                return value.isoformat()
            return Cell(float((value - _EPOCH.date()).days), DATE_FORMAT)
        if isinstance(value, dt.time) and value.tzinfo is None:
            seconds = value.hour * 3600 + value.minute * 60 + value.second
            return Cell((seconds + value.microsecond / 1e6) / 86400, TIME_FORMAT)
        if _missing(value):
            return None
        return self.text(str(value), row, name)

    def text(self, text: str, row: int | None, name: str) -> str:
        # Excel counts UTF-16 units: an emoji takes two.
        long = len(text) > EXCEL_MAX_CHARS // 2
        if long and len(text.encode("utf-16-le", "surrogatepass")) // 2 > EXCEL_MAX_CHARS:
            where = "the header" if row is None else f"row {self.index[row]!r}"
            raise ResultsFileError(
                f"{self.path}: {where}, column {name!r} has {len(text)} characters; Excel "
                f"holds at most {EXCEL_MAX_CHARS} in a cell. Write .csv instead.",
                path=self.path,
            )
        if _NEEDS_CLEANING.search(text) is None:
            return text
        safe = _NOT_IN_XML.sub("\ufffd", text.replace("\r\n", "\n").replace("\r", "\n"))
        self.cleaned += _NOT_IN_XML.search(text) is not None
        return safe


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and arrays inside a cell are values, not missing
        return False


def write_rows(
    worksheet: Any,
    columns: list[XlsxColumn],
    formats: Callable[[str | None], Any],
    status_formats: dict[str, Any],
    other_status: Any,
) -> int:
    """Stream the header and every row; return the number of rows written (header included)."""
    header = formats("header")
    for position, column in enumerate(columns):
        worksheet.write_string(0, position, column.name, header)
        worksheet.set_column(position, position, column.width)
    write_string, write_number = worksheet.write_string, worksheet.write_number
    write_boolean = worksheet.write_boolean
    plans = [
        (position, column.values, formats(column.number_format), column.status)
        for position, column in enumerate(columns)
    ]
    rows = len(columns[0].values) if columns else 0
    for row in range(1, rows + 1):
        index = row - 1
        for position, values, number_format, status in plans:
            value = values[index]
            if value is None:
                continue
            kind = type(value)
            if kind is str:
                if not value:
                    continue
                style = status_formats.get(value, other_status) if status else None
                write_string(row, position, value, style)
            elif kind is float or kind is int:
                write_number(row, position, value, number_format)
            elif kind is bool:
                write_boolean(row, position, value)
            else:  # Cell
                write_number(row, position, value.number, formats(value.number_format))
    return rows + 1
