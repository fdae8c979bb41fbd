"""What each kind of message looks like per row: the text shown and sent, its encoding and
segments, and why it cannot go.

A text message is its rendered template (transliterated if asked), counted as GSM-7 or UCS-2.
A vCard or a binary message is shown as ``"vCard: name=Jan; mobile=..."`` or
``"binary: data=...; udh=..."``; a vCard's parts are estimated from its size, since it travels
as a binary message to the vCard port.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from smsbatch.preparation.binary import MAX_OCTETS, binary_problem, normalise_hex
from smsbatch.preparation.encoding import TRANSLITERATIONS, analyse
from smsbatch.preparation.templates import append_problems

__all__ = ["Body", "binary_body", "message_body", "text_body", "vcard_body"]

# A vCard travels as a binary message to the vCard port: a 6-octet port UDH in a single message,
# plus a 5-octet concatenation header per part when it is longer.
_VCARD_SINGLE_OCTETS = MAX_OCTETS - 6
_VCARD_PART_OCTETS = MAX_OCTETS - 6 - 5
_VCARD_ENVELOPE = "BEGIN:VCARD\r\nVERSION:2.1\r\nEND:VCARD\r\n"
_VCARD_PREFIXES = {
    "name": "N:",
    "mobile": "TEL;CELL:",
    "phone": "TEL;VOICE:",
    "email": "EMAIL:",
    "fax": "TEL;FAX:",
}


class Body(NamedTuple):
    """Per row: what is shown and sent as text, its encoding and segments, why it cannot go."""

    text: np.ndarray
    encoding: np.ndarray
    segments: np.ndarray
    problems: np.ndarray
    fields: dict[str, np.ndarray]


def message_body(
    kind: str,
    rendered: dict[str, np.ndarray],
    unrendered: np.ndarray,
    transliterate: bool,
    max_segments: int | None,
) -> Body:
    """The body of each row for a message of this ``kind``, from its rendered templates."""
    if kind == "text":
        return text_body(rendered["text"], unrendered, transliterate, max_segments)
    if kind == "vcard":
        return vcard_body(rendered, unrendered)
    return binary_body(rendered, unrendered)


def text_body(
    rendered: np.ndarray, unrendered: np.ndarray, transliterate: bool, max_segments: int | None
) -> Body:
    text = rendered
    if transliterate:
        text = np.array([value.translate(TRANSLITERATIONS) for value in text], dtype=object)
    problems = _flag((text == "") & ~unrendered, "the text is empty")
    analysis = analyse(pd.Series(text, dtype=object))
    segments = analysis["segments"].to_numpy(dtype=np.int64)
    if max_segments is not None:
        too_long = np.full(len(text), "", dtype=object)
        for position in np.flatnonzero(segments > max_segments):
            too_long[position] = (
                f"text needs {segments[position]} segments, more than max_segments={max_segments}"
            )
        append_problems(problems, too_long)
    # A handful of distinct encodings: one str object each, not one per row.
    codes, names = pd.factorize(analysis["encoding"])
    encoding = np.asarray(names, dtype=object)[codes]
    return Body(text, encoding, segments, problems, {})


def vcard_body(fields: dict[str, np.ndarray], unrendered: np.ndarray) -> Body:
    """The sms_text of a vCard ("vCard: name=...; mobile=...") and an estimate of its parts."""
    n = len(unrendered)
    octets = np.full(n, len(_VCARD_ENVELOPE), dtype=np.int64)
    for name, values in fields.items():
        encoded = np.array([len(v.encode("utf-8")) for v in values], dtype=np.int64)
        # One "PREFIX:value\r\n" line per given field.
        octets += np.where(encoded > 0, encoded + len(_VCARD_PREFIXES[name]) + 2, 0)
    segments = np.where(octets <= _VCARD_SINGLE_OCTETS, 1, -(-octets // _VCARD_PART_OCTETS))
    problems = _flag((fields["name"] == "") & ~unrendered, "the vCard name is empty")
    return Body(
        _shown("vCard", fields, n),
        np.full(n, "vCard", dtype=object),
        segments.astype(np.int64),
        problems,
        fields,
    )


def binary_body(rendered: dict[str, np.ndarray], unrendered: np.ndarray) -> Body:
    """Normalised hex, checked once per distinct (udh, data) pair."""
    n = len(unrendered)
    fields = {
        name: np.array([normalise_hex(v) for v in values], dtype=object)
        for name, values in rendered.items()
    }
    pairs = pd.DataFrame({"udh": fields.get("udh", ""), "data": fields["data"]})
    codes, uniques = pd.factorize(pd.MultiIndex.from_frame(pairs))
    found = [binary_problem(udh or None, data) or "" for udh, data in uniques]
    # A value that is missing is already reported by its template.
    problems = np.where(unrendered, "", np.array(found, dtype=object)[codes]).astype(object)
    return Body(
        _shown("binary", fields, n),
        np.full(n, "binary", dtype=object),
        np.ones(n, dtype=np.int64),
        problems,
        fields,
    )


def _shown(label: str, fields: dict[str, np.ndarray], n: int) -> np.ndarray:
    """The sms_text of a vCard or binary message: ``"vCard: name=Jan; mobile=..."``."""
    shown = np.full(n, f"{label}:", dtype=object)
    for index, (name, values) in enumerate(fields.items()):
        shown = shown + (" " if index == 0 else "; ") + name + "=" + values
    return shown


def _flag(rows: np.ndarray, problem: str) -> np.ndarray:
    return np.where(rows, problem, "").astype(object)
