"""The opt-out (exclude) list: numbers that must not receive the campaign, in any format.

Entries are normalised exactly like recipients, so ``06-1234 5678`` on the list excludes a
recipient written ``+31612345678``. An entry that is not a valid mobile number can match no
recipient; such entries are reported with a warning (a notebook shows it) rather than dropped
in silence, because a mistyped opt-out means someone gets a message they refused.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable

import numpy as np
import pandas as pd

from smsbatch.exceptions import PreparationError
from smsbatch.preparation.phones import normalise_numbers
from smsbatch.spreadsheets import read_recipients

__all__ = ["read_exclude"]

# Lower-case fragments of a column name that holds phone numbers.
_NUMBER_COLUMNS = ("phone", "telefoon", "mobiel", "mobile", "gsm", "number", "nummer", "msisdn")
_SHOWN = 5


def read_exclude(exclude: object, region: str = "NL") -> frozenset[str]:
    """Return the normalised numbers of an opt-out list.

    Parameters
    ----------
    exclude : iterable, Series, DataFrame or path
        Numbers in any format, or a CSV or Excel file read like a recipient list (with a header
        row): the first column whose name looks like a phone column, else the first column.
    region : str
        Country of numbers written without a country code.

    Examples
    --------
    >>> sorted(read_exclude(["06-1234 5678", 31687654321]))
    ['31612345678', '31687654321']
    """
    if isinstance(exclude, str | os.PathLike):
        values = _read_file(exclude)
    elif isinstance(exclude, pd.DataFrame):
        values = exclude[_number_column(exclude)]
    elif isinstance(exclude, pd.Series):
        values = exclude
    elif isinstance(exclude, Iterable):
        values = pd.Series(list(exclude), dtype=object)
    else:
        raise PreparationError(
            f"exclude= takes numbers (a list, Series or CSV path), not {type(exclude).__name__}"
        )
    digits, reasons = normalise_numbers(values, region)
    # Only the first few unusable entries are shown: they are found without a loop over all.
    unusable = np.flatnonzero((reasons != "") & (reasons != "no phone number"))
    if len(unusable):
        cells = values.iloc[unusable[:_SHOWN]].tolist()
        shown = ", ".join(
            f"{value!r} ({reason})"
            for value, reason in zip(cells, reasons[unusable[:_SHOWN]].tolist(), strict=True)
        )
        more = f" and {len(unusable) - _SHOWN} more" if len(unusable) > _SHOWN else ""
        warnings.warn(
            f"{len(unusable)} exclude-list {'entry is' if len(unusable) == 1 else 'entries are'} "
            f"not a valid mobile number and excludes no one: {shown}{more}",
            UserWarning,
            stacklevel=3,
        )
    return frozenset(digits[digits != ""].tolist())


def _read_file(path: str | os.PathLike[str]) -> pd.Series:
    """Read the phone column of an opt-out file with the reader used for recipient lists."""
    table = read_recipients(path)
    return table[_number_column(table)]


def _number_column(table: pd.DataFrame) -> object:
    for column in table.columns:
        if any(fragment in str(column).lower() for fragment in _NUMBER_COLUMNS):
            return column
    return table.columns[0]
