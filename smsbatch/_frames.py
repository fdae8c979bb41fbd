"""Other DataFrames in, the same kind out: smsbatch works on pandas and converts at its edges.

``to_pandas(df)`` returns the pandas frame to work on and ``restore``, which turns a pandas
result of that work (the same rows, in order, plus ``sms_*`` columns) into the caller's kind:

- plain pandas: the frame itself, no copy, and ``restore`` changes nothing;
- pandas with pyarrow dtypes (``dtype_backend="pyarrow"``): worked on as it is; the caller's
  columns come back untouched and the ``sms_*`` columns are made pyarrow-backed too;
- polars, a pyarrow Table, or anything else narwhals reads eagerly: converted to pandas, and
  back as the caller's own frame (columns, dtypes and all, e.g. ``pl.Date`` stays a date)
  beside the ``sms_*`` columns converted through Arrow. Such a frame has no index, so a
  pandas row label such as the one in ``"same number and message as row 3"`` is the row number
  from 0.

A column is smsbatch's when its name starts with ``sms_`` (the prefix its output owns) or when
the input did not have it; every other column is the caller's and is taken from the input.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import Any, TypeVar

import pandas as pd

from smsbatch.exceptions import PreparationError

__all__ = ["FrameT", "to_pandas", "unchanged"]

#: A caller's DataFrame: what goes in is the kind that comes out.
FrameT = TypeVar("FrameT")
Restore = Callable[[pd.DataFrame], Any]
_OWN_PREFIX = "sms_"


def to_pandas(df: Any) -> tuple[pd.DataFrame, Restore]:
    """Return ``df`` as a pandas DataFrame to work on, and how to give a result back.

    Raises
    ------
    PreparationError
        For anything that is not an eager DataFrame (a dict, a Series, a lazy frame), naming
        what was passed.
    ModuleNotFoundError
        For a polars or other non-pandas frame when pyarrow is missing.

    Examples
    --------
    >>> df = pd.DataFrame({"phone": ["0612345678"]})
    >>> frame, restore = to_pandas(df)
    >>> frame is df, restore(frame) is frame
    (True, True)
    """
    if isinstance(df, pd.DataFrame):
        if any(isinstance(dtype, pd.ArrowDtype) for dtype in df.dtypes):
            return df, _arrow_backed
        return df, unchanged
    return _from_narwhals(df)


def unchanged(result: pd.DataFrame) -> pd.DataFrame:
    """The ``restore`` of plain pandas: the result as it is."""
    return result


def _arrow_backed(result: pd.DataFrame) -> pd.DataFrame:
    own = [c for c in result.columns if _is_own(c)]
    converted = result[own].convert_dtypes(dtype_backend="pyarrow")
    return result.astype(dict(converted.dtypes))  # keeps the index, attrs and other columns


def _is_own(column: object) -> bool:
    return isinstance(column, str) and column.startswith(_OWN_PREFIX)


def _from_narwhals(df: Any) -> tuple[pd.DataFrame, Restore]:
    import narwhals as nw  # only here: plain pandas never pays for its import

    package = type(df).__module__.partition(".")[0]
    what = type(df).__qualname__ if package == "builtins" else f"{package}.{type(df).__qualname__}"
    try:
        frame = nw.from_native(df)
    except TypeError as err:
        raise PreparationError(
            f"expected a DataFrame (pandas, polars or pyarrow), not {what}"
        ) from err
    if not isinstance(frame, nw.DataFrame):
        raise PreparationError(
            f"expected an eager DataFrame, not the lazy {what}: call .collect() on it first"
        )
    if importlib.util.find_spec("pyarrow") is None:
        raise ModuleNotFoundError(
            f'smsbatch converts a {what} through pyarrow: pip install "smsbatch[polars]"'
        )
    was_narwhals = isinstance(df, nw.DataFrame)
    theirs = frame.columns

    def restore(result: pd.DataFrame) -> Any:
        if len(result) != len(frame):
            raise AssertionError(f"{len(result)} result rows for {len(frame)} input rows")
        own = [c for c in result.columns if _is_own(c) or c not in theirs]
        kept = [c for c in result.columns if c not in own]
        added = nw.from_arrow(nw.from_native(result[own]).to_arrow(), backend=frame.implementation)
        out = nw.concat([frame.select(kept), added], how="horizontal").select(list(result.columns))
        return out if was_narwhals else out.to_native()

    return frame.to_pandas(), restore
