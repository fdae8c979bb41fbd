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

#: The dashes word processors and websites put where a person typed "-": hyphen, non-breaking
#: hyphen, figure dash, en dash, em dash, horizontal bar, minus sign.
DASHES: Final = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"

# Typographic characters that word processors and phones put in by themselves, with the GSM
# text a person would have typed. Deliberately short: anything not listed here is kept, so a
# transliterated text never says something other than what was written.
TRANSLITERATIONS: Final[dict[int, str]] = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b", "'"),  # ‘ ’ ‚ ‛
        **dict.fromkeys("\u201c\u201d\u201e\u201f", '"'),  # “ ” „ ‟
        **dict.fromkeys(DASHES, "-"),
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
    # Sorted so the pattern is the same in every process.
    return "[" + "".join(re.escape(ch) for ch in sorted(characters)) + "]"


def _portable_class(characters: frozenset[str], negated: bool = False) -> str:
    """A character class that Python's re and pyarrow's RE2 read alike (for ``Series.str``)."""
    controls = {"\n": "\\n", "\r": "\\r", "\f": "\\f"}
    body = "".join(
        controls.get(ch)
        or (f"\\{ch}" if ch.isascii() and not ch.isalnum() and ch != " " else ch)
        for ch in sorted(characters)
    )
    return f"[{'^' if negated else ''}{body}]"


# Runs of basic-table characters: removing them leaves only what costs extra or forces UCS-2.
_BASIC_RUN_PORTABLE: Final = _portable_class(GSM_BASIC) + "+"
_NOT_BASIC_PORTABLE: Final = _portable_class(GSM_BASIC, negated=True)
_EXTENSION_CHARACTER: Final = re.compile(_character_class(GSM_EXTENSION))
_ASTRAL_CHARACTER: Final = re.compile("[\U00010000-\U0010ffff]")


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
    if GSM_CHARACTERS.issuperset(text):
        return []
    return [ch for ch in dict.fromkeys(text) if ch not in GSM_CHARACTERS]


def _cut(length: int, pairs: list[int], single: int, part: int) -> list[int]:
    """Return where each part ends, for a text whose characters at ``pairs`` cost two.

    Greedy, as phones and gateways split: a part takes characters until the next one does not
    fit, so a pair that would straddle the boundary starts the next part instead.
    """
    if length + len(pairs) <= single:
        return [length]
    ends = []
    position = 0
    room = part
    for pair in pairs:
        singles = pair - position
        while singles >= room:
            position += room
            singles -= room
            ends.append(position)
            room = part
        room -= singles
        if room < 2:
            ends.append(pair)
            room = part
        room -= 2
        position = pair + 1
    singles = length - position
    while singles > room:
        position += room
        singles -= room
        ends.append(position)
        room = part
    ends.append(length)
    return ends


def _part_ends(text: str) -> list[int]:
    """Return the end index of every part, cutting only between characters."""
    if not text:
        return []
    if GSM_CHARACTERS.issuperset(text):
        pairs = _EXTENSION_CHARACTER.finditer(text)
        single, part = SINGLE_SEPTETS, PART_SEPTETS
    else:
        pairs = _ASTRAL_CHARACTER.finditer(text)
        single, part = SINGLE_UNITS, PART_UNITS
    return _cut(len(text), [match.start() for match in pairs], single, part)


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
    ``series.str.translate(smsbatch.preparation.encoding.TRANSLITERATIONS)``.

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


def _describe_leftovers(leftover: str) -> tuple[bool, int, str]:
    """Return (is GSM, characters costing two, non-GSM characters) from a text's leftovers."""
    if GSM_EXTENSION.issuperset(leftover):
        return True, len(leftover), ""
    astral = len(_ASTRAL_CHARACTER.findall(leftover))
    return False, astral, "".join(non_gsm_characters(leftover))


def _leftovers(text: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Return each text's characters outside the basic table, in order, factorized.

    ``(codes, leftovers)``: text ``i`` leaves ``leftovers[codes[i]]``. Most texts leave ""
    and the rest a few distinct short strings ("€", "’", "✓"...), which decide everything
    else. One vectorised search (pyarrow's, when pandas keeps text there) finds the texts
    that leave anything; their leftovers are then cut out of pyarrow's UTF-8 buffers with
    numpy (``_utf8_leftovers``), or else by a regular expression that removes the basic-table
    runs.
    """
    arrow = isinstance(text.array, pd.arrays.ArrowStringArray)
    if arrow and _mostly_special(text):
        return _utf8_leftovers(text.array)  # the search would find nearly all of them
    codes = np.zeros(len(text), dtype=np.intp)
    special = np.flatnonzero(
        text.str.contains(_NOT_BASIC_PORTABLE, regex=True).to_numpy(dtype=bool)
    )
    if not len(special):
        return codes, [""]
    chosen = text.iloc[special]
    if arrow:
        found, leftovers = _utf8_leftovers(chosen.array)
    else:
        found, uniques = pd.factorize(chosen.str.replace(_BASIC_RUN_PORTABLE, "", regex=True))
        leftovers = [str(value) for value in uniques]
    codes[special] = found + 1
    return codes, ["", *leftovers]


def _mostly_special(text: pd.Series, sample: int = 1000) -> bool:
    """Whether most of the first texts hold a character outside the basic table."""
    first = text.iloc[:sample]
    return bool(first.str.contains(_NOT_BASIC_PORTABLE, regex=True).mean() > 0.5)


# For each UTF-8 byte: 1 where a character that may be outside the basic table starts (an
# ASCII character outside it, or the lead byte of any other), else 0.
_MAYBE_SPECIAL: Final = np.array(
    [int(chr(b) not in GSM_BASIC) for b in range(0x80)] + [0] * 0x40 + [1] * 0x40, dtype=np.uint8
)
# The basic-table characters outside ASCII, as code points (all below U+0800: two bytes).
_WIDE_BASIC: Final = np.array(sorted(ord(ch) for ch in GSM_BASIC if not ch.isascii()))


def _utf8_leftovers(array: pd.arrays.ArrowStringArray) -> tuple[np.ndarray, list[str]]:
    """``_leftovers`` on pyarrow's UTF-8 buffers: a few numpy passes, no per-text work."""
    import pyarrow as pa  # type: ignore[import-untyped]  # present: pandas keeps text in it

    arrow = pa.array(array)  # one chunk, or several for a concatenated frame
    if isinstance(arrow, pa.ChunkedArray):
        arrow = arrow.combine_chunks()
    utf8 = arrow.cast(pa.large_string())
    n = len(utf8)
    _, offsets_buffer, data_buffer = utf8.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int64)[utf8.offset : utf8.offset + n + 1]
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer else np.zeros(0, np.uint8)
    starts = offsets[0] + np.flatnonzero(_MAYBE_SPECIAL[data[offsets[0] : offsets[-1]]])
    lead = data[starts].astype(np.int64)
    size = 1 + (lead >= 0xC0) + (lead >= 0xE0) + (lead >= 0xF0)
    last = len(data) - 1
    # Two-byte characters may be basic-table ones (é, Ä, Δ...): decode those and drop them.
    two = size == 2
    point = ((lead & 0x1F) << 6) | (data[np.minimum(starts + 1, last)] & 0x3F)
    keep = ~(two & np.isin(point, _WIDE_BASIC))
    starts, size = starts[keep], size[keep]
    owner = np.searchsorted(offsets, starts, side="right") - 1
    # Every byte of every character kept, in order; a text's leftover is its share of them.
    first = np.repeat(starts - (np.cumsum(size) - size), size)
    picked = data[first + np.arange(len(first))]
    lengths = np.bincount(owner, weights=size, minlength=n).astype(np.int64)
    bounds = np.concatenate([[0], np.cumsum(lengths)])
    leftover = pa.LargeStringArray.from_buffers(n, pa.py_buffer(bounds), pa.py_buffer(picked))
    encoded = leftover.dictionary_encode()
    return encoded.indices.to_numpy(zero_copy_only=False), encoded.dictionary.to_pylist()


def analyse(texts: pd.Series) -> pd.DataFrame:
    """Return the encoding, segment count and non-GSM characters of every text in a Series.

    Gives exactly what ``encoding_of``, ``segment_count`` and ``non_gsm_characters`` give per
    text, but with vectorised string operations: only texts whose count depends on where an
    escape or surrogate pair falls (a cost within a few units under a multiple of the part
    size) are walked one by one. Missing values count as the empty text (GSM-7, 0 segments).
    A million short texts take well under a second when pandas keeps text in pyarrow (its
    default when pyarrow is installed); without it the same Python loops run per text.

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
    # What is left of a text after removing the basic-table characters decides everything
    # else, and it is short and repetitive ("", "€", "’"...): described once per value.
    codes, leftovers = _leftovers(text)
    described = [_describe_leftovers(value) for value in leftovers]
    gsm = np.array([d[0] for d in described], dtype=bool)[codes]
    pairs = np.array([d[1] for d in described], dtype=np.int64)[codes]

    cost = length + pairs
    single = np.where(gsm, SINGLE_SEPTETS, SINGLE_UNITS)
    part = np.where(gsm, PART_SEPTETS, PART_UNITS)
    segments = np.where(cost > single, -(-cost // part), (length > 0).astype(np.int64))
    # A pair never straddles a cut, so each part but the last may lose one unit: the count
    # lies between cost / part and cost / (part - 1), rounded up. Only where those differ
    # (a cost just under a multiple of the part size) are the cuts walked, text by text.
    unsure = np.flatnonzero((cost > single) & (pairs > 0) & (-(-cost // (part - 1)) > segments))
    if len(unsure):
        walked = text.iloc[unsure].tolist()
        segments[unsure] = [segment_count(value) for value in walked]

    return pd.DataFrame(
        {
            # Taken from a few distinct strings, rather than built per text.
            "encoding": pd.Index([UCS2, GSM7], dtype="str").take(gsm.astype(np.intp)).array,
            "segments": segments,
            "non_gsm": pd.Index([d[2] for d in described], dtype="str").take(codes).array,
        },
        index=texts.index,
    )
