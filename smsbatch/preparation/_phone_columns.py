"""The fast path of phone number normalisation for a whole column at once.

The per-text fast path (``_phone_fast``) decides a number in a few microseconds of Python; a
list of 200,000 distinct numbers still spends most of its preview there. This decides the
prefixed spellings (``0...``, ``+CC...``, ``00CC...``, ``+CC(0)...``) of every text together,
with pandas string operations (RE2 in pyarrow when pandas keeps text there): one pass per
prefix, length and metadata pattern instead of one Python call per number. It decides exactly
what the per-text fast path decides, the same way, and leaves every other text undecided for
it; tests/test_phones.py checks with hypothesis that the two agree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from phonenumbers import PhoneNumberType

from smsbatch.preparation._phone_fast import _FOREIGN_HINT, _SMS_TYPES, _Plan, _plan

__all__ = ["decide_column"]

# What the per-text fast path removes before reading a number: space, dot, dash, slash,
# no-break space, narrow no-break space, tab (literal characters, which RE2 reads too).
_SEPARATORS = "[ ./\u00a0\u202f\t-]"
# The national number after a prefix: digits, and no second 0 (another reading: per text).
_NATIONAL = "[1-9][0-9]*"


def decide_column(texts: list[str], region: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decide many texts as the per-text fast path would: ``(digits, reasons, decided)``.

    ``digits`` and ``reasons`` are object arrays, ``decided`` a boolean one; where a text is
    not decided its digits and reason are ``""`` and mean nothing.
    """
    n = len(texts)
    digits = np.full(n, "", dtype=object)
    reasons = np.full(n, "", dtype=object)
    decided = np.zeros(n, dtype=bool)
    plan = _plan(region)
    if plan is None or n == 0:
        return digits, reasons, decided
    cleaned = pd.Series(texts, dtype="str").str.replace(_SEPARATORS, "", regex=True)
    cc = plan.cc
    # Each spelling with the prefix the per-text path's regular expression reads (a text
    # fits at most one of them); (international, a trunk 0 written) for each.
    for prefix, international, trunk in (
        (f"+{cc}(0)", True, True),
        (f"00{cc}(0)", True, True),
        (f"+{cc}", True, False),
        (f"00{cc}", True, False),
        ("0", False, True),
    ):
        rows = np.flatnonzero(cleaned.str.startswith(prefix).to_numpy(dtype=bool))
        if not len(rows):
            continue
        national = cleaned.iloc[rows].str.slice(len(prefix))
        fits = _matches(national, _NATIONAL)
        rows, national = rows[fits], national[fits]
        hint = "" if international else f"; {_FOREIGN_HINT}"
        for size, at in _by_length(plan, national, trunk):
            within = national.iloc[at]
            reason = plan.by_length[size]
            if reason is not None:
                reasons[rows[at]] = reason + hint
                decided[rows[at]] = True
                continue
            kinds = _number_types(plan, within, size)
            sms = np.isin(kinds, list(_SMS_TYPES))
            digits[rows[at[sms]]] = (cc + within[sms]).to_numpy(dtype=object)
            decided[rows[at[sms]]] = True
            for kind in np.unique(kinds[~sms]).tolist():
                reason = plan.type_reasons.get(kind)
                if reason is None:
                    continue  # a type the per-text path leaves to phonenumbers
                these = rows[at[kinds == kind]]
                reasons[these] = reason + hint if kind == PhoneNumberType.UNKNOWN else reason
                decided[these] = True
    return digits, reasons, decided


def _by_length(plan: _Plan, national: pd.Series, trunk: bool) -> list[tuple[int, np.ndarray]]:
    """Group the national numbers the per-text path decides by length: (size, positions).

    Lengths phonenumbers refuses outright are left out, and so, after a written trunk 0, are
    the numbers phonenumbers would read with that 0 kept.
    """
    sizes = national.str.len().to_numpy(dtype=np.int64)
    known = np.isin(sizes, list(plan.by_length))
    if trunk and known.any():
        kept = np.isin(sizes, list(plan.keeps_trunk))
        general = plan.general.pattern
        assert general is not None  # a plan has one
        kept |= _matches("0" + national, general.pattern)
        known &= ~kept
    return [(size, np.flatnonzero(known & (sizes == size))) for size in np.unique(sizes[known])]


def _number_types(plan: _Plan, national: pd.Series, size: int) -> np.ndarray:
    """phonenumbers' number type of national numbers of one length, as few passes as can be.

    The types are tried in phonenumbers' order. Most numbers are of none of the types tried
    before fixed line and mobile (pager, VoIP...): one pass over all of those patterns finds
    the few that may be, and only those are tried against each; the fixed line and mobile
    patterns, which two or three types share, are each matched once.
    """
    kinds = np.full(len(national), PhoneNumberType.UNKNOWN, dtype=np.int64)
    general = plan.general
    if general.pattern is None or not general.allows(size):
        return kinds
    open_ = _matches(national, general.pattern.pattern)
    typed = plan.typed_patterns(size)
    earlier = {kind for _, kind in plan.earlier}
    screen = "|".join(f"(?:{patterns[0]})" for patterns, kind in typed if kind in earlier)
    maybe_earlier = _matches(national, screen) if screen else np.zeros(len(national), bool)
    whole: dict[str, np.ndarray] = {}  # a pattern's matches over all numbers
    for patterns, kind in typed:
        if kind in earlier:
            at = np.flatnonzero(open_ & maybe_earlier)
            hit = _matches(national.iloc[at], patterns[0])
        else:
            at = np.flatnonzero(open_)
            hit = np.ones(len(at), dtype=bool)
            for pattern in patterns:
                if pattern not in whole:
                    whole[pattern] = _matches(national, pattern)
                hit &= whole[pattern][at]
        kinds[at[hit]] = kind
        open_[at[hit]] = False
    return kinds


def _matches(texts: pd.Series, pattern: str) -> np.ndarray:
    """Whether each text matches ``pattern`` in whole, as a boolean array of our own."""
    return np.array(texts.str.fullmatch(pattern).to_numpy(dtype=bool), dtype=bool)
