"""Phone numbers: normalise whatever people and spreadsheets write to international digits.

The gateway wants (and answers with) international digits without ``+``: ``31612345678``. A
recipient list holds ``0612345678``, ``06-1234 5678``, ``+31 (0)6 12345678``, ``0031612345678``,
foreign ``+49...`` numbers, and numbers a spreadsheet turned into ints or floats (``612345678``,
``31612345678.0``). Rules, in order:

1. A cell becomes text: whole floats lose ``.0``; text like ``"612345678.0"`` too; scientific
   notation (``3.16123E+10``) is refused because a spreadsheet already dropped digits. A
   ``tel:`` prefix (RFC 3966) is dropped, and the spaces and dashes people paste from Word,
   websites and phones (no-break spaces, en dashes, minus signs...) count as plain ones.
2. Only digits, spaces and ``+ - . / ( )`` may appear; letters are refused rather than read as a
   vanity number or an extension. A cell with several numbers (Google Contacts writes
   ``+31 6 1234 5678 ::: +31 6 8765 4321``; people write ``0612345678 / 0687654321``) is
   refused with a reason that lists them: which one to text is for a person to decide.
3. The text is parsed with ``phonenumbers`` against ``region``. Only ``+`` or ``00`` announces
   another country: other digits are read in the region alone, as a national number with or
   without the trunk ``0`` a spreadsheet drops (``612345678``), or as the region's country code
   and a national number (``31612345678``). Guessing further is how a German ``15123456789``
   whose ``0`` was lost would go to the United States as +1 512..., so such a number is refused
   with a reason that says to write foreign numbers with ``+`` and the country code.
4. Only numbers that can receive SMS pass: mobile, and "fixed line or mobile" where a country
   does not tell them apart (US, Canada...). Landlines, pagers, VoIP, toll-free, premium-rate,
   shared-cost, personal, UAN and voicemail numbers are refused with a reason.

Speed: numbers are handled once per distinct value, and the shapes that make up nearly every
list (``06...``, ``+316...``, ``00316...``, ``316...``, ``6...`` with spaces, dashes or dots, and
numbers written with a prefix that are no mobiles: landlines, pagers, ``060...`` that no
operator uses, too few digits) are classified with regular expressions built from
phonenumbers' own metadata for the region: for a column, the prefixed shapes of all its
texts at once with pandas string operations (``_phone_columns``), the rest one text at a time
(``_phone_fast``). Whatever that fast path is not sure of goes through ``phonenumbers.parse``,
and property tests check that all the paths give the same answer.
"""

from __future__ import annotations

import logging
import math
import numbers
import re

import numpy as np
import pandas as pd
import phonenumbers
from phonenumbers import NumberParseException

from smsbatch.preparation._groups import group
from smsbatch.preparation._phone_columns import decide_column
from smsbatch.preparation._phone_fast import (
    _FOREIGN_HINT,
    _LENGTH_REASONS,
    _PARSE_REASONS,
    _SMS_TYPES,
    _TYPE_REASONS,
    Classifier,
    _fast_path,
)
from smsbatch.preparation.encoding import DASHES

__all__ = ["normalise_number", "normalise_numbers"]

logger = logging.getLogger(__name__)

_ALLOWED = re.compile(r"[0-9 +\-./()]*", re.ASCII)
_SPREADSHEET_FLOAT = re.compile(r"(\+?[0-9]+)\.0+", re.ASCII)
_SCIENTIFIC = re.compile(r"[0-9.,]+[eE]\+?[0-9]+")
# Everything cell_text lets through but digits and "+".
_SEPARATORS = str.maketrans("", "", " -./()")
_SPACES = "\u00a0\u2007\u2009\u202f\t"
_PLAIN = str.maketrans(dict.fromkeys(_SPACES, " ") | dict.fromkeys(DASHES, "-"))
# Between the numbers of a cell that holds several: Google's ":::", a slash, a semicolon, a
# comma, a bar or a line break. A part is a number of its own only with this many digits, so
# that "020/1234567" or "0664/1234567" (area code / number) stays one number.
_BETWEEN_NUMBERS = re.compile(r"\s*(?::::|[;,|/\n])\s*")
_DIGITS_OF_A_NUMBER = 8


def normalise_number(value: object, region: str = "NL") -> tuple[str, str]:
    """Normalise one phone number: ``(digits, "")`` or ``("", reason)``.

    Parameters
    ----------
    value : str, int or float
        The number as found in a cell.
    region : str
        ISO country code used for numbers written without a country code.

    Examples
    --------
    >>> normalise_number("06-1234 5678")
    ('31612345678', '')
    >>> normalise_number(31612345678.0)
    ('31612345678', '')
    >>> normalise_number("020 123 4567")
    ('', 'landline number, cannot receive SMS')
    """
    return _normalise(value, region, _fast_path(region))


def _normalise(value: object, region: str, fast: Classifier | None) -> tuple[str, str]:
    # Text without dots goes to the fast path as it is: it only answers for text that
    # cell_text would pass unchanged but for whitespace. A dot may be a spreadsheet's ".0",
    # and a slash may stand between two numbers, which cell_text must see first.
    tried = False
    if fast is not None and type(value) is str and "." not in value and "/" not in value:
        tried = True
        answer = fast(value)
        if answer is not None:
            return answer
    text, reason = cell_text(value)
    if reason:
        return "", reason
    if fast is not None and not (tried and text == value):  # the same text, tried already
        answer = fast(text)
        if answer is not None:
            return answer
    return _parse(text, region)


def normalise_numbers(values: pd.Series, region: str = "NL") -> tuple[np.ndarray, np.ndarray]:
    """Normalise a column of numbers: object arrays of digits and reasons, one entry per row.

    Each distinct value is normalised once, distinct in type and spelling (``31612345678`` and
    ``Decimal("31612345678")`` are two values), so a row's result never depends on another
    row. A row's digits are ``""`` exactly when its reason is not.
    """
    codes, uniques = group(values)
    # The texts the fast path reads as they are (see _normalise) are decided all at once;
    # the rest, and what that leaves undecided, one by one.
    positions: list[int] = []
    texts: list[str] = []
    for position, value in enumerate(uniques):
        if type(value) is str and "." not in value and "/" not in value:
            positions.append(position)
            texts.append(value)
    digits = np.full(len(uniques) + 1, "", dtype=object)
    reasons = np.full(len(uniques) + 1, "not a phone number", dtype=object)  # UNHASHABLE: last
    decided = np.zeros(len(uniques) + 1, dtype=bool)
    decided[-1] = True
    at = np.array(positions, dtype=np.intp)
    digits[at], reasons[at], decided[at] = decide_column(texts, region)
    fast = _fast_path(region)
    for position in np.flatnonzero(~decided).tolist():
        digits[position], reasons[position] = _normalise(uniques[position], region, fast)
    return digits[codes], reasons[codes]


def cell_text(value: object) -> tuple[str, str]:
    """Turn a cell into the text of a number: ``(text, "")`` or ``("", reason)``."""
    if value is None or value is pd.NA or value is pd.NaT:
        return "", "no phone number"
    if isinstance(value, bool | np.bool_):
        return "", "not a phone number"
    if isinstance(value, numbers.Integral):
        return str(int(value)), ""
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isnan(number):
            return "", "no phone number"
        if not number.is_integer() or number < 0:
            return "", "not a phone number"
        return str(int(number)), ""
    if not isinstance(value, str):
        return "", "not a phone number"
    text = value.translate(_PLAIN).strip()
    if text[:4].lower() == "tel:":
        text = text[4:].strip()
    if not text:
        return "", "no phone number"
    if _SCIENTIFIC.fullmatch(text):
        return "", (
            "written in scientific notation by a spreadsheet, so digits are lost; "
            "store the column as text"
        )
    several = _several_numbers(text)
    if several:
        listed = ", ".join(several[:-1]) + " and " + several[-1]
        return "", f"holds {len(several)} phone numbers ({listed}); keep one number per cell"
    if not _ALLOWED.fullmatch(text):
        odd = next(c for c in text if not _ALLOWED.fullmatch(c))
        return "", f"contains {odd!r}, which is not part of a phone number"
    spreadsheet = _SPREADSHEET_FLOAT.fullmatch(text)
    return (spreadsheet.group(1) if spreadsheet else text), ""


def _several_numbers(text: str) -> list[str]:
    """The numbers of a cell that holds several, or [] for any other cell."""
    parts = _BETWEEN_NUMBERS.split(text)
    if len(parts) < 2:
        return []
    for part in parts:
        digits = sum(char.isdigit() for char in part)
        if digits < _DIGITS_OF_A_NUMBER or not _ALLOWED.fullmatch(part):
            return []
    return parts


def _parse(text: str, region: str) -> tuple[str, str]:
    """The reference path: phonenumbers.parse, then validity and number type."""
    number, reason = _parse_valid(text, region)
    if number is None:
        # Without "+" or "00" the number was read in the region only: say how to write the
        # foreign number it may have been.
        international = text.translate(_SEPARATORS).startswith(("+", "00"))
        return "", reason if international else f"{reason}; {_FOREIGN_HINT}"
    kind = phonenumbers.number_type(number)
    if kind not in _SMS_TYPES:
        return "", _TYPE_REASONS.get(kind, "not a mobile number, cannot receive SMS")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)[1:], ""


def _parse_valid(text: str, region: str) -> tuple[phonenumbers.PhoneNumber | None, str]:
    """Parse and validate; ``(number, "")`` or ``(None, reason)``."""
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as err:
        return None, _PARSE_REASONS.get(err.error_type, "not a phone number")
    # "NL (+31)": the country a person recognises, and the code that was read. A parsed number
    # always has a country code; the stubs allow None.
    country = (
        f"{phonenumbers.region_code_for_country_code(number.country_code or 0)} "
        f"(+{number.country_code})"
    )
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible in _LENGTH_REASONS:
        return None, _LENGTH_REASONS[possible].format(country=country)
    if not phonenumbers.is_valid_number(number):
        return None, f"not a valid number in {country}"
    return number, ""
