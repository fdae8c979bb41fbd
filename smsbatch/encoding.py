"""Decide how a text travels as SMS: GSM 03.38 or UCS-2, and how many segments a carrier bills.

A text goes out in the GSM 7-bit default alphabet when every character is in the basic table or
the extension table (an extension character costs two septets: ESC and the character), and in
UCS-2 otherwise. One message holds 160 septets or 70 UTF-16 code units; a longer text is split
into parts of 153 septets or 67 units (the rest of each part is the concatenation header).
Characters outside the Basic Multilingual Plane (most emoji) take two code units, and neither an
escape pair nor a surrogate pair is ever split across parts, so a part may hold one unit less.

Everything here is pure: no I/O, no state. ``analyse`` does the same for a whole Series, fast
enough for a million rows.
"""

from __future__ import annotations

import re
from typing import Final, Literal

import numpy as np
import pandas as pd

Encoding = Literal["GSM-7", "UCS-2"]

GSM7: Final = "GSM-7"
UCS2: Final = "UCS-2"

# The basic table in code-point order 0x00-0x7F; 0x1B (ESC) is left out because it is not a
# character a text can contain, it only announces the extension table.
GSM_BASIC: Final = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
# Form feed, ^ { } \ [ ~ ] | and the euro sign: each is sent as ESC + character (two septets).
GSM_EXTENSION: Final = frozenset("\f^{}\\[~]|€")
GSM_CHARACTERS: Final = GSM_BASIC | GSM_EXTENSION

SINGLE_SEPTETS: Final = 160
PART_SEPTETS: Final = 153
SINGLE_UNITS: Final = 70
PART_UNITS: Final = 67
# (single message, each part of a concatenated one), in septets or UTF-16 code units.
_LIMITS: Final[dict[str, tuple[int, int]]] = {
    GSM7: (SINGLE_SEPTETS, PART_SEPTETS),
    UCS2: (SINGLE_UNITS, PART_UNITS),
}

# Typographic characters that word processors and phones put in by themselves, with the GSM
# text a person would have typed. Deliberately short: anything not listed here is kept, so a
# transliterated text never says something other than what was written.
TRANSLITERATIONS: Final[dict[int, str]] = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b", "'"),  # ‘ ’ ‚ ‛
        **dict.fromkeys("\u201c\u201d\u201e\u201f", '"'),  # “ ” „ ‟
        # hyphen, non-breaking hyphen, figure dash, en dash, em dash, horizontal bar, minus sign
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
        "\u2026": "...",  # …
        # no-break, ogham, en quad .. hair, narrow no-break, medium mathematical, ideographic
        **dict.fromkeys("\u00a0\u1680\u202f\u205f\u3000", " "),
        **dict.fromkeys("".join(map(chr, range(0x2000, 0x200B))), " "),
        # zero width space, word joiner, byte order mark, soft hyphen: invisible, so removed.
        # The zero width (non-)joiners stay: they shape emoji sequences and some scripts.
        **dict.fromkeys("\u200b\u2060\ufeff\u00ad", ""),
    }
)


def _character_class(characters: frozenset[str]) -> str:
    # Sorted so the pattern (and its cache entry) is the same in every process.
    return "[" + "".join(re.escape(ch) for ch in sorted(characters)) + "]"


_GSM_TEXT: Final = _character_class(GSM_CHARACTERS) + "*"
_EXTENSION_CHARACTER: Final = _character_class(GSM_EXTENSION)
_ASTRAL_CHARACTER: Final = "[\U00010000-\U0010ffff]"


def encoding_of(text: str) -> Encoding:
    """Return the encoding a text is sent in: ``"GSM-7"`` when every character is GSM 03.38.

    Examples
    --------
    >>> encoding_of("Tot morgen, €5"), encoding_of("Tot morgen 😀")
    ('GSM-7', 'UCS-2')
    """
    return GSM7 if GSM_CHARACTERS.issuperset(text) else UCS2


def non_gsm_characters(text: str) -> list[str]:
    """List the characters that force a text into UCS-2, each once, in first-seen order.

    Examples
    --------
    >>> non_gsm_characters("“Hoi” 😀 “Hoi”")
    ['“', '”', '😀']
    """
    return [ch for ch in dict.fromkeys(text) if ch not in GSM_CHARACTERS]


def _cost(ch: str, encoding: Encoding) -> int:
    if encoding == GSM7:
        return 2 if ch in GSM_EXTENSION else 1
    return 2 if ord(ch) > 0xFFFF else 1


def _part_ends(text: str) -> list[int]:
    """Return the end index of every part, cutting only between characters."""
    if not text:
        return []
    encoding = encoding_of(text)
    costs = [_cost(ch, encoding) for ch in text]
    single, part = _LIMITS[encoding]
    if sum(costs) <= single:
        return [len(text)]
    ends = []
    used = 0
    for index, cost in enumerate(costs):
        # A character is never split, so a part that cannot take a whole pair ends one unit short.
        if used + cost > part:
            ends.append(index)
            used = 0
        used += cost
    ends.append(len(text))
    return ends


def split_segments(text: str) -> list[str]:
    """Split a text into the parts a phone receives, never cutting an escape or surrogate pair.

    The empty text has no parts. Joining the parts gives the text back.

    Examples
    --------
    >>> [len(part) for part in split_segments("a" * 200)]
    [153, 47]
    """
    parts = []
    start = 0
    for end in _part_ends(text):
        parts.append(text[start:end])
        start = end
    return parts


def segment_count(text: str) -> int:
    """Return the number of SMS segments a carrier bills for a text (0 for the empty text).

    Parameters
    ----------
    text : str
        The exact text that will be sent.

    Examples
    --------
    >>> segment_count("a" * 160), segment_count("a" * 161), segment_count("€" * 81)
    (1, 2, 2)
    """
    return len(_part_ends(text))


def transliterate(text: str) -> str:
    """Replace the usual typographic culprits by their GSM equivalents, and nothing else.

    Curly quotes become straight ones, dashes and the minus sign ``-``, the ellipsis ``...``,
    unusual spaces a plain space; zero-width spaces, word joiners, byte order marks and soft
    hyphens are removed. Accented letters that GSM has stay, and every other character (emoji,
    Greek lower case, a bullet ``•``) stays too and still makes the text UCS-2. For a Series use
    ``series.str.translate(smsbatch.encoding.TRANSLITERATIONS)``.

    Examples
    --------
    >>> transliterate("“Tot zo” – Anna…")
    '"Tot zo" - Anna...'
    """
    return text.translate(TRANSLITERATIONS)


def _as_text(texts: pd.Series) -> pd.Series:
    """Return the texts as pandas' ``str`` dtype, a missing value as the empty text."""
    if texts.dtype != "str":
        texts = texts.astype("str")
    return texts.fillna("")


def analyse(texts: pd.Series) -> pd.DataFrame:
    """Return the encoding, segment count and non-GSM characters of every text in a Series.

    Gives exactly what ``encoding_of``, ``segment_count`` and ``non_gsm_characters`` give per
    text, but with vectorised string operations: only texts where an escape or surrogate pair
    could straddle a part boundary are walked character by character. Missing values count as
    the empty text (GSM-7, 0 segments).

    Parameters
    ----------
    texts : pandas.Series
        Texts, of ``str`` or ``object`` dtype.

    Returns
    -------
    pandas.DataFrame
        Same index as ``texts``, columns ``encoding`` ("GSM-7"/"UCS-2"), ``segments`` (int) and
        ``non_gsm`` (the non-GSM characters in first-seen order, "" when none).

    Examples
    --------
    >>> analyse(pd.Series(["Hoi", "Hoi 😀", None])).to_dict("list")
    {'encoding': ['GSM-7', 'UCS-2', 'GSM-7'], 'segments': [1, 1, 0], 'non_gsm': ['', '😀', '']}
    """
    text = _as_text(texts)
    length = text.str.len().to_numpy(dtype=np.int64)
    gsm = text.str.fullmatch(_GSM_TEXT).to_numpy(dtype=bool)

    # A pair costs two, so only texts longer than half a single message can reach its limit;
    # counting pairs in the others would be wasted work.
    pairs = np.zeros(len(text), dtype=np.int64)
    for mask, pattern in (
        (gsm & (length > SINGLE_SEPTETS // 2), _EXTENSION_CHARACTER),
        (~gsm & (length > SINGLE_UNITS // 2), _ASTRAL_CHARACTER),
    ):
        if mask.any():
            pairs[mask] = text[mask].str.count(pattern).to_numpy(dtype=np.int64)
    cost = length + pairs
    single = np.where(gsm, SINGLE_SEPTETS, SINGLE_UNITS)
    part = np.where(gsm, PART_SEPTETS, PART_UNITS)

    segments = np.where(cost > single, -(-cost // part), (length > 0).astype(np.int64))
    # Without pairs every cut falls where the arithmetic says; with pairs a cut may have to move.
    exact = (cost > single) & (pairs > 0)
    for position in np.flatnonzero(exact):
        segments[position] = segment_count(text.iat[position])

    non_gsm = np.full(len(text), "", dtype=object)
    unicode = ~gsm
    if unicode.any():
        non_gsm[unicode] = ["".join(non_gsm_characters(value)) for value in text[unicode].tolist()]
    return pd.DataFrame(
        {
            "encoding": pd.array(np.where(gsm, GSM7, UCS2).astype(object), dtype="str"),
            "segments": segments,
            "non_gsm": pd.array(non_gsm, dtype="str"),
        },
        index=texts.index,
    )
