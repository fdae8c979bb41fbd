"""Message preparation: from a DataFrame and a message description to exactly what will be sent.

``prepare`` checks everything that can be checked without sending: the sender, the templates,
every row's number and text, opt-outs and duplicates. Its ``frame`` is the dry-run preview a
person reads; its ``messages()`` are what the sender sends, built from the same values, so the
preview never disagrees with the campaign.

Each row gets a status: ``ready``, ``invalid`` (``sms_error`` says why, naming the column),
``excluded`` (on the opt-out list) or ``duplicate`` (same number and message as an earlier row;
``sms_error`` names that row). ``invalid`` wins over ``excluded``, which wins over ``duplicate``.
``sms_to`` is empty for a number that cannot be used, so nothing downstream can send to it; the
original stays in its own column. ``sms_text`` is empty when the message could not be rendered
(a missing value); otherwise it is shown even when the row is invalid for another reason.
Texts that need Unicode are not invalid: the summary lists them with their characters.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import compress
from typing import Any, TypedDict, Unpack

import numpy as np
import pandas as pd

from smsbatch._frames import FrameT, to_pandas
from smsbatch.exceptions import MessageSpecError
from smsbatch.preparation.bodies import message_body
from smsbatch.preparation.duplicates import mark_duplicates
from smsbatch.preparation.exclusions import read_exclude
from smsbatch.preparation.footer import FOOTER_ATTR, check_footer, with_footer
from smsbatch.preparation.options import (
    OUTPUT_COLUMNS,
    REQUIRED,
    Kind,
    check_options,
    check_own_columns,
    field_templates,
    message_kind,
)
from smsbatch.preparation.phones import normalise_numbers
from smsbatch.preparation.sender_id import check_sender
from smsbatch.preparation.summary import PRICE_ATTR, Summary, summarize
from smsbatch.preparation.templates import Template, append_problems, date_region

__all__ = ["Message", "Prepared", "Summary", "prepare", "preview", "summarize"]

#: The numbers or texts of a campaign: the preview's Arrow strings (or an object array).
Strings = np.ndarray | pd.api.extensions.ExtensionArray
_BATCH = 65536  # rows whose strings are made at a time



@dataclass(frozen=True, slots=True)
class Message:
    """One message exactly as it will be sent.

    ``text`` is the text of a text message, and the ``sms_text`` rendering of a vCard or binary
    message. ``fields`` holds the vCard fields that are given, or ``data`` and ``udh`` (hex).
    """

    to: str
    kind: Kind
    text: str
    fields: tuple[tuple[str, str], ...] = ()
    segments: int = 1

    @property
    def key(self) -> str:
        """A stable 128-bit hash of what is sent (to, kind, text, fields): the journal's key."""
        return message_digest(self.to, self.kind, self.text, self.fields).hex()


def _digest(hash: Any, encoded: bytes) -> bytes:
    hash.update(encoded)
    digest: bytes = hash.digest()
    return digest


#: The preview's strings when pyarrow is installed (pandas' own otherwise).
_ARROW = pd.arrays.ArrowStringArray


def _encodings(to: Any, kind: str, text: Any) -> list[bytes]:
    """``message_digest``'s encoding of each message without fields (Arrow strings), made by
    Arrow in one pass: a million f-strings and encodes are a quarter of a resume's hashing."""
    import pyarrow as pa  # type: ignore[import-untyped]  # present: the strings are Arrow
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    string = pa.large_string()
    length = pc.cast(pc.utf8_length(text._pa_array), string)  # code points, as len(str)
    parts = (to._pa_array, pa.scalar(kind, string), length, text._pa_array)
    joined = pc.binary_join_element_wise(*parts, pa.scalar("\0", string))
    encoded: list[bytes] = pc.cast(joined, pa.large_binary()).to_pylist()
    return encoded


def message_digest(to: str, kind: str, text: str, fields: Sequence[tuple[str, str]] = ()) -> bytes:
    """The 16-byte BLAKE2b digest of an injective encoding of what is sent.

    ``to`` is digits and ``kind`` a fixed word, so neither holds the NUL that ends it; the text
    and every field value carry their length: two different messages never share an encoding.
    """
    encoded = f"{to}\0{kind}\0{len(text)}\0{text}" + "".join(
        f"\0{name}\0{len(value)}\0{value}" for name, value in fields
    )
    return hashlib.blake2b(encoded.encode("utf-8"), digest_size=16).digest()


@dataclass(frozen=True)
class Prepared:
    """A checked campaign: the preview ``frame``, the validated ``sender`` and its messages."""

    frame: pd.DataFrame
    sender: str | None
    kind: Kind
    # Per-row rendered vCard/binary fields, kept apart from the frame so that editing the
    # preview cannot change what is sent. The numbers and texts are the frame's own immutable
    # Arrow buffers (an edit of a column makes a new one): one copy of them, not two.
    _fields: Mapping[str, np.ndarray] = field(default_factory=dict, repr=False)
    _to: Strings = field(default_factory=lambda: np.empty(0, dtype=object), repr=False)
    _text: Strings = field(default_factory=lambda: np.empty(0, dtype=object), repr=False)
    _segments: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64), repr=False)
    _ready: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=bool), repr=False)

    def messages(self) -> Iterator[tuple[int, Message]]:
        """Yield ``(row position, Message)`` for every ``ready`` row, in frame order."""
        every = self.positions()
        for start in range(0, len(every), _BATCH):
            positions = every[start : start + _BATCH]
            yield from zip(positions.tolist(), self.messages_at(positions), strict=True)

    def positions(self) -> np.ndarray:
        """The row positions of the ``ready`` rows: those with a message, in frame order."""
        return np.flatnonzero(self._ready)

    def message(self, position: int) -> Message:
        """The message of the ready row at ``position``."""
        (message,) = self.messages_at(np.array([position]))
        return message

    def messages_at(self, positions: np.ndarray) -> list[Message]:
        """The messages of the ready rows at ``positions``: one batch of what a send takes."""
        kind, fields = self.kind, self._fields_at
        return [
            Message(str(to), kind, str(text), fields(p) if self._fields else (), segments)
            for p, to, text, segments in zip(
                positions.tolist(),
                self._to[positions].tolist(),
                self._text[positions].tolist(),
                self._segments[positions].tolist(),
                strict=True,
            )
        ]

    def digests(self) -> np.ndarray:
        """Every ready row's ``Message.key``, as an (n, 2) uint64 array of its 16 bytes.

        What a resume of a million messages matches against its journal: one hash per row and
        no ``Message`` object.
        """
        # In batches of rows: their numbers and texts become Python objects a batch at a time.
        chunks = [
            b"".join(self._digests_of(slice(start, start + _BATCH)))
            for start in range(0, len(self._ready), _BATCH)
        ]
        return np.frombuffer(b"".join(chunks), dtype=np.uint64).reshape(-1, 2)

    def _digests_of(self, rows: slice) -> list[bytes]:
        """The digests of the ready rows among ``rows`` (a slice: the columns' own buffers)."""
        ready, to, text, kind = self._ready[rows], self._to[rows], self._text[rows], self.kind
        if self._fields or not isinstance(to, _ARROW) or not isinstance(text, _ARROW):
            positions = np.flatnonzero(ready) + rows.start
            pairs = zip(to[ready].tolist(), text[ready].tolist(), strict=True)
            return [
                message_digest(str(t), kind, str(x), self._fields_at(p))
                for p, (t, x) in zip(positions.tolist(), pairs, strict=True)
            ]
        # message_digest's encoding, made by Arrow for the whole batch; copying an empty hash
        # is cheaper than making one with its parameters each time.
        empty = hashlib.blake2b(digest_size=16)
        encoded = compress(_encodings(to, kind, text), ready.tolist())
        return [_digest(empty.copy(), message) for message in encoded]

    def _fields_at(self, position: int) -> tuple[tuple[str, str], ...]:
        pairs = ((name, values[position]) for name, values in self._fields.items())
        return tuple((name, str(value)) for name, value in pairs if value)

    def same_messages(self, other: Prepared) -> bool:
        """True when ``other`` would send exactly these messages (numbers and texts), in order:
        how a front end checks that what it sends is still what the person confirmed."""
        if (self.sender, self.kind) != (other.sender, other.kind):
            return False
        mine, theirs = self.positions(), other.positions()
        if len(mine) != len(theirs):
            return False
        if set(self._fields) != set(other._fields):
            return False
        columns = [(self._to, other._to), (self._text, other._text)]
        columns += [(values, other._fields[name]) for name, values in self._fields.items()]
        return all(bool(np.asarray(a[mine] == b[theirs]).all()) for a, b in columns)

    def summary(self) -> Summary:
        """Summarise the preview for a person (see ``summarize``)."""
        return summarize(self.frame)  # the price travels in frame.attrs

    def __repr__(self) -> str:
        counts = ", ".join(f"{n:,} {status}" for status, n in self.summary().counts.items())
        return f"<Prepared {self.kind} campaign, sender={self.sender!r}: {counts}>"

    def _repr_html_(self) -> str:
        # The summary first, then the rows, so problems are seen before the details.
        # pandas-stubs leave out the private DataFrame._repr_html_, so mypy reads a column.
        frame_html = self.frame._repr_html_()  # type: ignore[operator]
        return self.summary()._repr_html_() + (frame_html or "")


class MessageOptions(TypedDict, total=False):
    """How a campaign's messages are made from its rows: the options ``preview`` and ``send``
    pass on to ``prepare`` unchanged (see ``prepare`` for what each means)."""

    to: Hashable
    text: str | None
    vcard: Mapping[str, str] | None
    binary: Mapping[str, str] | None
    region: str
    exclude: Any
    dedupe: bool
    max_segments: int | None
    price_per_segment: float | None
    transliterate: bool
    footer: str | None
    commercial: bool


def prepare(
    df: pd.DataFrame,
    *,
    to: Hashable = "phone",
    text: str | None = None,
    vcard: Mapping[str, str] | None = None,
    binary: Mapping[str, str] | None = None,
    sender: str | None = None,
    region: str = "NL",
    exclude: Any = None,
    dedupe: bool = True,
    max_segments: int | None = None,
    price_per_segment: float | None = None,
    transliterate: bool = False,
    footer: str | None = None,
    commercial: bool = False,
) -> Prepared:
    """Check a campaign and build its preview and messages; nothing is sent.

    Parameters
    ----------
    df : DataFrame
        One row per recipient (pandas, polars, pyarrow). It is never modified.
    to : column label
        The column with phone numbers, in any common format.
    text, vcard, binary
        Exactly one. ``text`` is a template such as ``"Beste {voornaam}"``; ``vcard`` a dict of
        templates for ``name`` (required), ``mobile``, ``phone``, ``email``, ``fax``; ``binary``
        a dict of hex templates for ``data`` (required) and ``udh``.
    sender : str, optional
        Alphanumeric (up to 11 characters) or numeric (up to 16 digits); checked first.
    region : str
        Country of numbers written without a country code.
    exclude : iterable, Series or path, optional
        Opt-out numbers in any format, or a CSV/Excel file of them with a header row (read
        like a recipient list); matching rows become ``excluded``.
    dedupe : bool
        Mark later rows with the same number and message ``duplicate``.
    max_segments : int, optional
        Texts longer than this many segments are ``invalid``.
    price_per_segment : float, optional
        Used by the summary to estimate the cost.
    transliterate : bool
        Replace curly quotes, dashes, ellipses and odd spaces with GSM characters first.
    footer : str, optional
        Appended to every text, such as an opt-out line (``" Afmelden? Sms STOP naar 3010"``);
        counted in characters, segments and cost.
    commercial : bool
        Refuse a campaign without ``footer`` or with a numeric sender (the law asks a
        commercial SMS to name its sender and offer a free opt-out).

    Returns
    -------
    Prepared

    Raises
    ------
    InvalidSenderError, TemplateError, MessageSpecError, PreparationError
        For anything wrong with the campaign as a whole, before any row is looked at.

    Examples
    --------
    >>> df = pd.DataFrame({"phone": ["06-1234 5678"], "naam": ["Jan"]})
    >>> prepared = prepare(df, text="Hoi {naam}", sender="Tandarts")
    >>> [(pos, m.to, m.text) for pos, m in prepared.messages()]
    [(0, '31612345678', 'Hoi Jan')]
    """
    valid_sender = check_sender(sender)
    kind = message_kind(text, vcard, binary)
    footer = check_footer(footer, kind, commercial=commercial, sender=valid_sender)
    df, _ = to_pandas(df)  # the preview frame stays pandas: preview() gives the caller's kind
    check_own_columns(df)
    check_options(df, to, region, max_segments, price_per_segment)
    columns = list(df.columns)
    if text is not None:
        templates = {"text": Template(text, columns)}
    else:
        templates = field_templates(kind, vcard if kind == "vcard" else binary, columns)
    required = templates[REQUIRED[kind]]
    if not required.placeholders and not required.source.strip():
        raise MessageSpecError(f"the {required.what} template is empty: there is nothing to send")
    excluded_numbers = read_exclude(exclude, region) if exclude is not None else frozenset()

    n = len(df)
    errors: list[np.ndarray] = []
    digits, reasons = normalise_numbers(df[to], region)
    errors.append(_prefixed(reasons, f"{to}: "))
    rendered: dict[str, np.ndarray] = {}
    unrendered = np.zeros(n, dtype=bool)
    language = date_region.set(region)  # day and month names in the region's language
    try:
        for name, template in templates.items():
            rendered[name], problems = template.render(df)
            errors.append(problems)
            unrendered |= problems != ""
    finally:
        date_region.reset(language)
    extra_segments = 0
    if footer:
        rendered["text"], extra_segments = with_footer(rendered["text"], unrendered, footer)

    body = message_body(kind, rendered, unrendered, transliterate, max_segments)
    errors.append(body.problems)

    error = _join_errors(errors, n)
    invalid = error != ""
    status = np.full(n, "ready", dtype=object)  # one str object shared by every row
    status[invalid] = "invalid"
    if excluded_numbers:
        on_list = pd.Series(digits, dtype=object).isin(excluded_numbers).to_numpy() & ~invalid
        status[on_list] = "excluded"
        error[on_list] = "on the exclude list"
    if dedupe:
        mark_duplicates(df.index, digits, body.text, status, error)

    # A message that could not be rendered is not shown half-made.
    texts_shown = np.where(unrendered, "", body.text).astype(object)
    blank = texts_shown == ""
    sms_text = pd.array(texts_shown, dtype="str")
    # The texts and numbers as Python strings go as soon as their column is made: the peak
    # memory then holds one of the two copies of each, not both plus every other column.
    del texts_shown, rendered
    body = body._replace(text=np.empty(0, dtype=object))
    sms_to = pd.array(digits, dtype="str")
    del digits
    frame = df.drop(columns=[c for c in OUTPUT_COLUMNS if c in df.columns]).assign(
        sms_to=sms_to,
        sms_text=sms_text,
        sms_encoding=pd.array(np.where(blank, "", body.encoding), dtype="str"),
        sms_segments=np.where(blank, 0, body.segments).astype(np.int64),
        sms_status=pd.array(status, dtype="str"),
        sms_error=pd.array(error, dtype="str"),
    )
    frame.attrs.pop(PRICE_ATTR, None)  # a price from an earlier preview of this frame
    frame.attrs.pop(FOOTER_ATTR, None)
    if price_per_segment is not None:
        frame.attrs[PRICE_ATTR] = float(price_per_segment)
    if extra_segments:
        frame.attrs[FOOTER_ATTR] = extra_segments
    return Prepared(
        frame=frame,
        sender=valid_sender,
        kind=kind,
        _fields=body.fields,
        _to=frame["sms_to"].array.copy(),  # a new array over the same buffers
        _text=frame["sms_text"].array.copy(),
        _segments=body.segments,
        _ready=status == "ready",
    )


def preview(
    df: FrameT,
    *,
    sender: str | None = None,
    **options: Unpack[MessageOptions],
) -> FrameT:
    """Return the dry-run preview of a campaign: ``prepare(df, ...).frame``; nothing is sent.

    The input columns come back unchanged (same index and order) with ``sms_to``, ``sms_text``,
    ``sms_encoding``, ``sms_segments``, ``sms_status`` and ``sms_error`` added. The parameters
    are those of ``prepare``; ``summarize(frame)`` says what it all means. A polars (or
    pyarrow-backed pandas) frame gives the same kind back, rows in order (see ``_frames``).

    Examples
    --------
    >>> df = pd.DataFrame({"phone": ["0612345678", "020 123 4567"], "naam": ["Jan", "Els"]})
    >>> frame = preview(df, text="Hoi {naam}")
    >>> frame["sms_to"].tolist(), frame["sms_status"].tolist()
    (['31612345678', ''], ['ready', 'invalid'])
    >>> frame["sms_error"][1]
    'phone: landline number, cannot receive SMS'
    """
    frame, restore = to_pandas(df)
    result: FrameT = restore(prepare(frame, sender=sender, **options).frame)
    return result


def _prefixed(reasons: np.ndarray, prefix: str) -> np.ndarray:
    bad = reasons != ""
    out = reasons.copy()
    out[bad] = prefix + reasons[bad]
    return out


def _join_errors(errors: list[np.ndarray], n: int) -> np.ndarray:
    error = np.full(n, "", dtype=object)
    for problems in errors:
        append_problems(error, problems)
    return error
