"""Phone numbers: normalise whatever people and spreadsheets write to international digits.

The gateway wants (and answers with) international digits without ``+``: ``31612345678``. A
recipient list holds ``0612345678``, ``06-1234 5678``, ``+31 (0)6 12345678``, ``0031612345678``,
foreign ``+49...`` numbers, and numbers a spreadsheet turned into ints or floats (``612345678``,
``31612345678.0``). Rules, in order:

1. A cell becomes text: whole floats lose ``.0``; text like ``"612345678.0"`` too; scientific
   notation (``3.16123E+10``) is refused because a spreadsheet already dropped digits.
2. Only digits, spaces and ``+ - . / ( )`` may appear; letters are refused rather than read as a
   vanity number or an extension.
3. The text is parsed with ``phonenumbers`` against ``region``. Digits without a leading ``0`` or
   ``+`` are first read as a national number whose trunk ``0`` was lost (``612345678``) or that
   starts with the region's country code (``31612345678``); if that is no valid number they are
   read as international with the ``+`` lost (``4915112345678``).
4. Only numbers that can receive SMS pass: mobile, and "fixed line or mobile" where a country
   does not tell them apart (US, Canada...). Landlines, pagers, VoIP, toll-free, premium-rate,
   shared-cost, personal, UAN and voicemail numbers are refused with a reason.

Speed: numbers are handled once per distinct value, and the shapes that make up nearly every
list (``06...``, ``+316...``, ``00316...``, ``316...``, ``6...`` with spaces, dashes or dots) are
checked with one regular expression built from phonenumbers' own metadata for the region. That
fast path only ever accepts; anything it does not accept goes through ``phonenumbers.parse``, and
a property test checks both paths agree.
"""

from __future__ import annotations

import functools
import logging
import math
import numbers
import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType, ValidationResult

__all__ = ["normalise_number", "normalise_numbers"]

logger = logging.getLogger(__name__)

_ALLOWED = re.compile(r"[0-9 +\-./()]*", re.ASCII)
_SPREADSHEET_FLOAT = re.compile(r"(\+?[0-9]+)\.0+", re.ASCII)
_SCIENTIFIC = re.compile(r"[0-9.,]+[eE]\+?[0-9]+")
# Separators phonenumbers ignores anywhere in a number; the fast path drops them the same way,
# and the spaces cell_text would turn into plain ones.
_SEPARATORS = str.maketrans("", "", " -./")
_SPACES = "\u00a0\u202f\t"
_WHITESPACE = str.maketrans(dict.fromkeys(_SPACES, " "))
_FAST_SEPARATORS = str.maketrans("", "", " -./" + _SPACES)

_SMS_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
_TYPE_REASONS = {
    PhoneNumberType.FIXED_LINE: "landline number, cannot receive SMS",
    PhoneNumberType.TOLL_FREE: "toll-free number, cannot receive SMS",
    PhoneNumberType.PREMIUM_RATE: "premium-rate number, cannot receive SMS",
    PhoneNumberType.SHARED_COST: "shared-cost number, cannot receive SMS",
    PhoneNumberType.VOIP: "internet (VoIP) number, usually cannot receive SMS",
    PhoneNumberType.PERSONAL_NUMBER: "personal forwarding number, cannot receive SMS",
    PhoneNumberType.PAGER: "pager number, cannot receive SMS",
    PhoneNumberType.UAN: "company service number (UAN), cannot receive SMS",
    PhoneNumberType.VOICEMAIL: "voicemail access number, cannot receive SMS",
}
_PARSE_REASONS = {
    NumberParseException.INVALID_COUNTRY_CODE: "unknown country code",
    NumberParseException.NOT_A_NUMBER: "not a phone number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
    NumberParseException.TOO_SHORT_NSN: "too short",
    NumberParseException.TOO_LONG: "too long",
}
_LENGTH_REASONS = {
    ValidationResult.TOO_SHORT: "too few digits for a {region} number",
    ValidationResult.TOO_LONG: "too many digits for a {region} number",
    ValidationResult.INVALID_LENGTH: "wrong number of digits for a {region} number",
    ValidationResult.INVALID_COUNTRY_CODE: "unknown country code",
}


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
    fast = _fast_path(region)
    # Text without dots is accepted by the fast path only if cell_text would pass it unchanged
    # but for whitespace; a dot may be a spreadsheet's ".0", which cell_text must see first.
    if fast is not None and type(value) is str and "." not in value:
        digits = fast(value)
        if digits:
            return digits, ""
    text, reason = cell_text(value)
    if reason:
        return "", reason
    if fast is not None:
        digits = fast(text)
        if digits:
            return digits, ""
    return _parse(text, region)


def normalise_numbers(values: pd.Series, region: str = "NL") -> tuple[np.ndarray, np.ndarray]:
    """Normalise a column of numbers: object arrays of digits and reasons, one entry per row.

    Each distinct value is normalised once. A row's digits are ``""`` exactly when its reason
    is not.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    results = [normalise_number(value, region) for value in uniques.tolist()]
    results.append(("", "no phone number"))
    digits = np.array([d for d, _ in results], dtype=object)
    reasons = np.array([r for _, r in results], dtype=object)
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
    text = value.translate(_WHITESPACE).strip()
    if not text:
        return "", "no phone number"
    if _SCIENTIFIC.fullmatch(text):
        return "", (
            "written in scientific notation by a spreadsheet, so digits are lost; "
            "store the column as text"
        )
    if not _ALLOWED.fullmatch(text):
        odd = next(c for c in text if not _ALLOWED.fullmatch(c))
        return "", f"contains {odd!r}, which is not part of a phone number"
    spreadsheet = _SPREADSHEET_FLOAT.fullmatch(text)
    return (spreadsheet.group(1) if spreadsheet else text), ""


def _parse(text: str, region: str) -> tuple[str, str]:
    """The reference path: phonenumbers.parse, then validity and number type."""
    digits = text.translate(_SEPARATORS)
    bare = digits.isdigit() and not digits.startswith("0")
    number, reason = _parse_valid(text, region)
    if number is None and bare:
        # The "+" was lost (a spreadsheet, or a habit): read it as international.
        number, _ = _parse_valid("+" + digits, region)
    if number is None:
        return "", reason
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
    country = phonenumbers.region_code_for_country_code(number.country_code)
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible in _LENGTH_REASONS:
        return None, _LENGTH_REASONS[possible].format(region=country)
    if not phonenumbers.is_valid_number(number):
        return None, f"not a valid {country} number (+{number.country_code})"
    return number, ""


def _lengths(desc: phonenumbers.PhoneNumberDesc) -> frozenset[int]:
    return frozenset(n for n in (desc.possible_length or ()) if n > 0)


@functools.lru_cache(maxsize=32)
def _fast_path(region: str) -> Callable[[str], str] | None:
    """Build the region's fast acceptor, or None where its numbering plan is not simple.

    Simple means: the country code belongs to this region alone, the trunk prefix is a plain
    ``0`` and the international prefix is ``00``. One regular expression checks the shape, the
    region's general and mobile patterns, and that no number type phonenumbers checks before
    mobile (pager, VoIP...) matches; lengths are checked after. It only accepts: whatever it
    does not accept goes to the slow path.
    """
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region.upper())
    if meta is None or meta.country_code is None:
        return None
    simple = (
        phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(meta.country_code) == (region.upper(),)
        and meta.national_prefix == "0"
        and meta.national_prefix_for_parsing in (None, "0")
        and meta.national_prefix_transform_rule is None
        and meta.international_prefix == "00"
        and not meta.leading_digits
    )
    general, mobile = meta.general_desc, meta.mobile
    if not simple or general is None or mobile is None:
        return None
    if general.national_number_pattern is None or mobile.national_number_pattern is None:
        return None
    cc = str(meta.country_code)
    earlier = [
        desc.national_number_pattern
        for desc in (
            meta.premium_rate,
            meta.toll_free,
            meta.shared_cost,
            meta.voip,
            meta.personal_number,
            meta.pager,
            meta.uan,
            meta.voicemail,
        )
        if desc is not None and desc.national_number_pattern is not None
    ]
    # Matching another type's pattern at any length is enough to leave the number to the slow
    # path: that only ever sends more numbers there.
    not_earlier = f"(?!(?:{'|'.join(earlier)})\\Z)" if earlier else ""
    shape = re.compile(
        rf"(?:(?P<intl>\+{cc}|00{cc})(?:\(0\))?|(?P<cc>{cc})|0)?"
        rf"(?=(?:{general.national_number_pattern})\Z){not_earlier}"
        rf"(?P<nsn>{mobile.national_number_pattern})",
        re.ASCII,
    )
    whole_general = re.compile(general.national_number_pattern, re.ASCII)
    lengths = _lengths(mobile) & _lengths(general) if _lengths(general) else _lengths(mobile)

    def accept(text: str) -> str:
        match = shape.fullmatch(text.translate(_FAST_SEPARATORS))
        if match is None:
            return ""
        nsn = match["nsn"]
        if lengths and len(nsn) not in lengths:
            return ""
        # Bare "316...": phonenumbers only drops the country code if the digits as they are
        # do not already look like a national number.
        if match["cc"] is not None and whole_general.fullmatch(match.group(0)):
            return ""
        return cc + nsn

    return accept
