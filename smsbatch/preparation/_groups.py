"""Group a column's cells so that each distinct value is handled once, and only equal ones.

``pd.factorize`` merges values that compare equal, whatever their type or spelling: ``True`` and
``1``, ``Decimal("2.50")`` and ``2.5``, 10:00 in Amsterdam and 08:00 UTC, ``0.0`` and ``-0.0``.
Rendered or checked once for the group, each of those rows would get another row's text. So a
column whose cells can differ in type is grouped on an exact key instead: the type, the value
and its repr (which holds a Decimal's exponent, a time zone, the sign of zero). A column of one
numpy dtype still goes through ``factorize``, which is exact there and fast.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype, is_object_dtype

__all__ = ["UNHASHABLE", "group"]

#: The code of a cell that cannot be a key (a list, a dict, ``Decimal("sNaN")``).
UNHASHABLE = -1

_PLAIN = (str, int, bool)


def group(column: pd.Series) -> tuple[np.ndarray, list[object]]:
    """Return ``(codes, uniques)``: ``uniques[codes[i]]`` is row i's own value, or the code is
    :data:`UNHASHABLE`. Missing values are values here (each kind its own), not a sentinel."""
    mixed = is_object_dtype(column.dtype) or isinstance(column.dtype, pd.CategoricalDtype)
    # An object column of text only (or whole numbers only) is exact under factorize too.
    if mixed and infer_dtype(column, skipna=False) in ("string", "integer"):
        mixed = False
    if not mixed and not _signed_zero(column):
        codes, uniques = pd.factorize(column, use_na_sentinel=False)
        return np.asarray(codes, dtype=np.intp), list(uniques)
    keys: dict[object, int] = {}
    found: list[object] = []
    codes = np.empty(len(column), dtype=np.intp)
    for position, value in enumerate(column.astype(object).tolist()):
        key = _key(value)
        try:
            code = keys.setdefault(key, len(found))
        except TypeError:
            codes[position] = UNHASHABLE
            continue
        if code == len(found):
            found.append(value)
        codes[position] = code
    return codes, found


def _key(value: object) -> object:
    kind = type(value)
    if kind in _PLAIN:
        return (kind, value)
    if kind is float:
        # NaN never equals itself: one key for every NaN; the sign tells -0.0 from 0.0.
        number: float = value  # type: ignore[assignment]
        return (float, "nan") if math.isnan(number) else (float, number, math.copysign(1, number))
    return (kind, value, repr(value))


def _signed_zero(column: pd.Series) -> bool:
    """True for a float column holding -0.0, which factorize merges with 0.0."""
    if column.dtype.kind != "f":
        return False
    values = column.to_numpy()
    return bool(np.any(np.signbit(values) & (values == 0)))
