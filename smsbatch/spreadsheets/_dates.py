"""Recognise date columns: Excel's date cells, ISO 8601 text, and the region's own way.

A text column becomes a datetime column only when every value in it is a date written one way:
ISO 8601 (``2026-12-20``, ``2026-12-20 14:30``), or day-first as most of the world writes it
(``20-12-2026``, ``20/12/2026``, ``20.12.2026``, ``20-12-26``, with or without a time), or
month-first for the regions that write ``12/20/2026``. Anything else (an impossible date, one
text among the dates) leaves the whole column as it was written. Times on their own stay text,
``14:30`` as written, as they come from an Excel time cell too.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

__all__ = ["MONTH_FIRST_REGIONS", "typed_column", "unzoned", "zoned_name"]

#: Regions whose numeric dates put the month first (12/20/2026).
MONTH_FIRST_REGIONS = frozenset({"US", "PH", "FM", "MH", "PW", "AS", "GU", "MP", "PR", "VI"})

_ISO_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}"
    r"(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?"
    r"(?:Z|[+-]\d{2}:?\d{2})?"
)
_NUMERIC_DATE = re.compile(
    r"(?P<a>\d{1,2})(?P<sep>[-/.])(?P<b>\d{1,2})(?P=sep)(?P<year>\d{4}|\d{2})"
    r"(?: (?P<time>\d{1,2}:\d{2}(?::\d{2})?))?"
)


# "sms_sent_at (Europe/Amsterdam)": a column of local times, and the zone they are in.
_ZONED = re.compile(r"(?P<name>.+) \((?P<zone>UTC|[A-Z][A-Za-z_]+(?:/[A-Za-z0-9_+\-]+)+)\)")


def zoned_name(name: str, tz: str) -> str:
    """The header of a column of local times in ``tz``: ``sms_sent_at (Europe/Amsterdam)``."""
    return f"{name} ({tz})"


def unzoned(name: str, column: pd.Series, taken: set[str]) -> tuple[str, pd.Series]:
    """Undo :func:`zoned_name`: a date column headed ``name (Zone/City)`` becomes timezone-aware
    times named ``name``. In the hour that repeats when the clocks go back, the first (summer
    time) reading is taken: the file does not say which it was."""
    match = _ZONED.fullmatch(name)
    if match is None or column.dtype.kind != "M" or match["name"] in taken:
        return name, column
    try:
        zone = ZoneInfo(match["zone"])
    except (ValueError, ZoneInfoNotFoundError):
        return name, column
    aware = column.dt.tz_localize(
        zone, ambiguous=np.ones(len(column), dtype=bool), nonexistent="shift_forward"
    )
    return match["name"], aware


def typed_column(values: list[Any] | pd.Series, region: str) -> pd.Series:
    """Make a datetime column when every value is a date, else a text column."""
    if isinstance(values, pd.Series):
        return _typed_series(values, region)
    present = [value for value in values if value is not None]
    if present and all(isinstance(value, dt.datetime) for value in present):
        return pd.Series(pd.to_datetime(values))
    texts = [value if not isinstance(value, dt.datetime) else _iso(value) for value in values]
    return _typed_series(pd.Series(texts, dtype="str"), region)


def _typed_series(texts: pd.Series, region: str) -> pd.Series:
    present = texts.dropna()
    if present.empty:
        return texts
    first = str(present.iloc[0])
    if _ISO_DATETIME.fullmatch(first) and present.str.fullmatch(_ISO_DATETIME.pattern).all():
        try:
            return pd.Series(pd.to_datetime(texts, format="ISO8601"))
        except (ValueError, TypeError):
            return texts  # 2026-13-45, or mixed offsets: not dates after all
    match = _NUMERIC_DATE.fullmatch(first)
    if match is None:
        return texts
    # A date column repeats its dates: parse each distinct text once.
    codes, uniques = pd.factorize(present)
    parts = pd.Series(uniques, dtype="str").str.extract(_NUMERIC_DATE.pattern)
    one_way = parts["sep"].nunique() == 1 and parts["time"].isna().nunique() == 1
    if parts["a"].isna().any() or not one_way:
        return texts
    day, month = ("b", "a") if region.upper() in MONTH_FIRST_REGIONS else ("a", "b")
    years = parts["year"].str.len().unique()
    if len(years) != 1:
        return texts
    text = parts[day].str.zfill(2) + "-" + parts[month].str.zfill(2) + "-" + parts["year"]
    layout = "%d-%m-%Y" if years[0] == 4 else "%d-%m-%y"
    if parts["time"].notna().all():
        text = text + " " + parts["time"]
        layout += " %H:%M:%S" if parts["time"].str.count(":").eq(2).all() else " %H:%M"
    try:
        dates = pd.DatetimeIndex(pd.to_datetime(text, format=layout)).take(codes)
    except (ValueError, TypeError):
        return texts  # 31-02-2026: not a date after all, keep the text
    return pd.Series(dates, index=present.index).reindex(texts.index)


def _iso(value: dt.datetime) -> str:
    if value.time() == dt.time():
        return value.strftime("%Y-%m-%d")
    return value.isoformat(sep=" ")
