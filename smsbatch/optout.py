"""The opt-out (exclude) list: numbers that must not receive the campaign, in any format.

Entries are normalised exactly like recipients, so ``06-1234 5678`` on the list excludes a
recipient written ``+31612345678``. An entry that is not a valid mobile number can match no
recipient; such entries are reported with a warning (a notebook shows it) rather than dropped
in silence, because a mistyped opt-out means someone gets a message they refused.
"""

from __future__ import annotations

import csv
import os
import warnings
from collections.abc import Iterable

import pandas as pd

from smsbatch.exceptions import PreparationError, RecipientsFileError
from smsbatch.phones import normalise_number, normalise_numbers

__all__ = ["read_exclude"]

# Lower-case fragments of a column name that holds phone numbers.
_NUMBER_COLUMNS = ("phone", "telefoon", "mobiel", "mobile", "gsm", "number", "nummer", "msisdn")
_SHOWN = 5
_SNIFF_CHARACTERS = 64 * 1024


def read_exclude(exclude: object, region: str = "NL") -> frozenset[str]:
    """Return the normalised numbers of an opt-out list.

    Parameters
    ----------
    exclude : iterable, Series, DataFrame or path
        Numbers in any format, or a CSV file (with or without a header; the first column, or
        the first whose name looks like a phone column).
    region : str
        Country of numbers written without a country code.

    Examples
    --------
    >>> sorted(read_exclude(["06-1234 5678", 31687654321]))
    ['31612345678', '31687654321']
    """
    if isinstance(exclude, str | os.PathLike):
        values = _read_csv(exclude, region)
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
    unusable = [
        (value, reason)
        for value, reason in zip(values.tolist(), reasons.tolist(), strict=True)
        if reason and reason != "no phone number"
    ]
    if unusable:
        shown = ", ".join(f"{value!r} ({reason})" for value, reason in unusable[:_SHOWN])
        more = f" and {len(unusable) - _SHOWN} more" if len(unusable) > _SHOWN else ""
        warnings.warn(
            f"{len(unusable)} exclude-list {'entry is' if len(unusable) == 1 else 'entries are'} "
            f"not a valid mobile number and excludes no one: {shown}{more}",
            UserWarning,
            stacklevel=3,
        )
    return frozenset(d for d in digits.tolist() if d)


def _read_csv(path: str | os.PathLike[str], region: str) -> pd.Series:
    """Read an opt-out CSV; a first row that is itself a number means there is no header."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as file:
            sample = file.read(_SNIFF_CHARACTERS)
        if not sample.strip():
            return pd.Series([], dtype=object)
        try:
            separator = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
        except csv.Error:  # a single column: nothing to sniff
            separator = ","
        table = pd.read_csv(
            path,
            dtype=str,
            header=None,
            keep_default_na=False,
            sep=separator,
            encoding="utf-8-sig",
        )
    except (OSError, UnicodeError, ValueError, pd.errors.ParserError) as err:
        raise RecipientsFileError(f"cannot read the exclude list {path}: {err}", path=path) from err
    first = table.iloc[0]
    if not any(normalise_number(value, region)[0] for value in first):
        table = table.iloc[1:]
        table.columns = [str(name) for name in first]
        return table[_number_column(table)]
    return table[table.columns[0]]


def _number_column(table: pd.DataFrame) -> object:
    for column in table.columns:
        if any(fragment in str(column).lower() for fragment in _NUMBER_COLUMNS):
            return column
    return table.columns[0]
