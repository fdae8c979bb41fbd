"""Text columns of a million rows that hold a handful of distinct values, kept as codes.

What the journal settles and what this run's answers say are mostly the same few texts
("sent", "SMS message sent.", the note of an earlier run): each row holds the number of its
text, and the result's ``str`` columns are taken from the distinct values (and from whole
columns such as ``sms_to``) without a Python string per row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Marker", "Texts", "str_array"]

_TAKE = 1 << 16  # rows taken at a time


class Marker:
    """A value that stands for another column's value at the same row."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


class Texts:
    """One text (or ``Marker``) per row, as the row's code into ``values``."""

    def __init__(self, size: int, value: object = "") -> None:
        self.codes = np.zeros(size, dtype=np.int32)
        self.values: list[object] = [value]
        self._known = {value: 0}  # a marker equals only itself

    def put(self, rows: np.ndarray, value: object) -> None:
        """Give ``rows`` (a mask or positions) the text ``value``."""
        self.codes[rows] = self.code(value)

    def code(self, value: object) -> int:
        """The code of ``value``, added if new."""
        code = self._known.setdefault(value, len(self.values))
        if code == len(self.values):
            self.values.append(value)
        return code

    def count(self, value: object, rows: np.ndarray) -> int:
        """How many of ``rows`` hold ``value``."""
        code = self._known.get(value)
        return 0 if code is None else int(np.count_nonzero(self.codes[rows] == code))

    def copy(self) -> Texts:
        copied = Texts(0)
        copied.codes, copied.values = self.codes.copy(), list(self.values)
        copied._known = dict(self._known)
        return copied


def str_array(
    n: int,
    rows: np.ndarray,
    texts: Texts,
    *,
    base: Any = None,
    columns: Mapping[Marker, Any] | None = None,
) -> Any:
    """A ``str`` array of ``n``: ``texts`` at ``rows``, ``base`` (or "") elsewhere; a text
    that is a marker of ``columns`` takes that column's value at its row.

    One take from ["", base, columns..., distinct values], joined into one Arrow array first
    (Arrow would join the chunks again for every batch), in batches (a single take of a million
    strings holds about half as much again while it grows).
    """
    parts: list[Any] = [pd.array([""], dtype="str")]
    index = np.zeros(n, dtype=np.int64)
    offset = 1
    if base is not None:
        kept = np.ones(n, dtype=bool)
        kept[rows] = False
        kept_rows = np.flatnonzero(kept)
        parts.append(base)
        index[kept_rows] = offset + kept_rows
        offset += n
    starts = np.zeros(len(texts.values), dtype=np.int64)  # of each code's value in the chunks
    per_row = np.zeros(len(texts.values), dtype=bool)  # a marker: plus the row's position
    for code, value in enumerate(texts.values):
        if isinstance(value, Marker):
            parts.append((columns or {})[value])
            starts[code], per_row[code] = offset, True
            offset += n
    strings = np.flatnonzero(~per_row)
    starts[strings] = offset + np.arange(len(strings))
    parts.append(pd.array([str(texts.values[code]) for code in strings.tolist()], dtype="str"))
    codes = texts.codes
    at = starts[codes]
    if per_row.any():
        marked = np.flatnonzero(per_row[codes])
        at[marked] += rows[marked]
    index[rows] = at
    array: Any = type(parts[0])
    source = array._concat_same_type(parts)
    if isinstance(source, pd.arrays.ArrowStringArray):
        # Arrow's take from several chunks joins them first, at every call: joined once here.
        source = array(source.__arrow_array__().combine_chunks(), dtype=source.dtype)
    return array._concat_same_type(
        [source.take(index[start : start + _TAKE]) for start in range(0, max(n, 1), _TAKE)]
    )
