"""Read a journal back as a table, and purge the numbers and texts it no longer needs.

A journal is enough to know what a campaign did when the notebook's DataFrame or the results
file is lost: :func:`read_journal` gives one row per message. :func:`purge_journal` keeps what
a resume needs (keys, states, codes, times), so a purged journal still prevents a double send,
and drops the numbers and texts of messages settled long enough ago: for appointment reminders
they are health data, to keep for as short as possible.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import sys
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from smsbatch.exceptions import ConfigurationError, JournalError
from smsbatch.gateway.reply import Response
from smsbatch.preparation.campaign import Prepared
from smsbatch.sending import _journal_format as fmt
from smsbatch.sending.journal import Journal
from smsbatch.sending.outcomes import UNKNOWN_ADVICE, answered

__all__ = ["journal_status", "purge_journal", "read_journal"]

COLUMNS = [
    "number",
    "kind",
    "text",
    "status",
    "code",
    "answer",
    "destination",
    "error",
    "first_at",
    "last_at",
    "attempts",
    "key",
    "occurrence",
]
_IN_FLIGHT = f"the run stopped before its answer was recorded; {UNKNOWN_ADVICE}"


@dataclass
class _Message:
    """One message as its records tell it, oldest first."""

    key: str
    occurrence: int
    first_at: float
    number: str = ""
    kind: str = ""
    text: str = ""
    last_event: str = ""
    last_at: float = 0.0
    attempts: int = 0
    code: int | None = None
    answer: str = ""
    destination: str = ""
    error: str = ""
    records: list[int] = field(default_factory=list)

    def add(self, row: int, event: str, at: float, fields: list[str]) -> None:
        self.records.append(row)
        self.last_event, self.last_at = event, at
        if event == "b":
            self.attempts += 1
            self.number, self.kind, self.text = fields
            self.code, self.answer, self.destination, self.error = None, "", "", _IN_FLIGHT
        elif event == "a":
            code, self.answer, destination = fields
            self.code, self.error = int(code), ""
            self.destination = self.number if destination == fmt.SAME_AS_TO else destination
        else:
            error = fields[0] if event == "n" else f"{fields[0]}; {UNKNOWN_ADVICE}"
            self.code, self.answer, self.destination, self.error = None, "", "", error

    @property
    def status(self) -> str:
        if self.last_event == "a":
            return answered(Response(self.code or 0, self.answer, ""), 0.0).status
        return "not_sent" if self.last_event == "n" else "unknown"


def read_journal(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Return every message a journal recorded, one row each, in the order first attempted.

    The journal is only read (a campaign may be writing it meanwhile).

    Parameters
    ----------
    path : str or os.PathLike
        The journal file.

    Returns
    -------
    DataFrame
        ``number``, ``kind``, ``text`` (empty when purged or kept with
        ``journal_privacy="minimal"``), ``status`` (``sent``, ``failed``, ``unknown``,
        ``not_sent``, as in a send result), ``code``, ``answer`` and ``destination`` (the
        gateway's last answer), ``error`` (why there is no answer), ``first_at`` and ``last_at``
        (UTC), ``attempts``, and ``key`` and ``occurrence`` (what the journal is keyed by).

    Raises
    ------
    JournalError
        The file is missing, or not a journal to trust (see :class:`~smsbatch.JournalError`).

    Examples
    --------
    >>> messages = smsbatch.read_journal("campagne.db")  # doctest: +SKIP
    >>> messages["status"].value_counts()  # doctest: +SKIP
    """
    path = os.fspath(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    except OSError as err:
        raise JournalError(f"cannot read the journal {path!r}: {err.strerror or err}") from err
    try:
        messages = list(_messages(fd, path))
    finally:
        os.close(fd)
    frame = pd.DataFrame(
        {
            "number": pd.array([m.number for m in messages], dtype="str"),
            "kind": pd.array([m.kind for m in messages], dtype="str"),
            "text": pd.array([m.text for m in messages], dtype="str"),
            "status": pd.array([m.status for m in messages], dtype="str"),
            "code": pd.array([m.code for m in messages], dtype="Int64"),
            "answer": pd.array([m.answer for m in messages], dtype="str"),
            "destination": pd.array([m.destination for m in messages], dtype="str"),
            "error": pd.array([m.error for m in messages], dtype="str"),
            "first_at": _times([m.first_at for m in messages]),
            "last_at": _times([m.last_at for m in messages]),
            "attempts": pd.array([m.attempts for m in messages], dtype="int64"),
            "key": pd.array([m.key for m in messages], dtype="str"),
            "occurrence": pd.array([m.occurrence for m in messages], dtype="int64"),
        },
        columns=COLUMNS,
    )
    return frame


def purge_journal(
    path: str | os.PathLike[str],
    *,
    older_than: str | dt.timedelta,
    now: float | None = None,
) -> int:
    """Remove the numbers and texts of messages settled more than ``older_than`` ago.

    What a resume needs stays (keys, states, codes, times), so the purged journal still
    prevents a double send; only the journal's rows lose their number, text and destination
    (:func:`read_journal` shows them empty). Messages of unknown outcome keep theirs: they
    are still to be checked with the provider. The file is rewritten atomically, and only
    when no campaign is using it.

    Parameters
    ----------
    path : str or os.PathLike
        The journal file.
    older_than : str or timedelta
        ``"30d"``, ``"12h"``, ``"2w"`` or a ``timedelta``: how long ago the message's last
        record must be.
    now : float, optional
        The current time (``time.time()``), for tests.

    Returns
    -------
    int
        How many messages were purged now.

    Examples
    --------
    >>> smsbatch.purge_journal("campagne.db", older_than="30d")  # doctest: +SKIP
    1200
    """
    cutoff = (time.time() if now is None else now) - _duration(older_than).total_seconds()
    if not os.path.isfile(path):  # a mistyped path must not become a new, empty journal
        raise JournalError(
            f"there is no journal {os.fspath(path)!r}: check the path; nothing was purged"
        )
    with Journal(path) as journal:  # locked: no campaign appends meanwhile
        purged = [
            message
            for message in _messages(journal.fileno(), journal.path)
            if message.last_at < cutoff and message.status != "unknown" and _holds_data(message)
        ]
        if purged:
            _rewrite(journal, {row for message in purged for row in message.records})
    return len(purged)


def _times(seconds: list[float]) -> pd.DatetimeIndex:
    microseconds = [round(value * 1e6) for value in seconds]  # as the journal keeps them
    return pd.to_datetime(microseconds, unit="us", utc=True)


def _holds_data(message: _Message) -> bool:
    return bool(message.number or message.text or message.destination.strip("="))


def _rewrite(journal: Journal, purge: set[int]) -> None:
    """Write the journal again with the rows in ``purge`` stripped, then swap it in."""
    temporary = f"{journal.path}.purging"
    count = crc = 0
    # As private as the journal it replaces (created owner-only), whatever the umask.
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
    descriptor = os.open(temporary, flags, 0o600)
    os.chmod(temporary, os.fstat(journal.fileno()).st_mode & 0o7777)
    with open(descriptor, "wb") as out:
        out.write(fmt.header(journal.privacy, 0, 0))
        records = _records(journal.fileno(), journal.path)
        for row, (event, key, occurrence, at, *fields) in enumerate(records):
            if row in purge:
                fields = _stripped(event, fields)
            at_seconds = int(at) / 1e6
            line = fmt.record(event.encode(), key, int(occurrence, 16), at_seconds, (*fields,))
            out.write(line)
            count, crc = count + 1, zlib.crc32(line, crc)
        out.seek(0)
        out.write(fmt.header(journal.privacy, count, crc))
        out.flush()
        os.fsync(out.fileno())
    if sys.platform == "win32":  # a file that is open cannot be replaced there
        journal.close()
    os.replace(temporary, journal.path)


def _stripped(event: str, fields: list[str]) -> list[str]:
    if event == "b":
        return ["", fields[1], ""]
    if event == "a":
        code, _, destination = fields
        return [code, "", destination if destination == fmt.SAME_AS_TO else ""]
    return fields  # an error says why there was no answer; it names no one


def _records(fd: int, path: str) -> Iterator[list[str]]:
    for chunk in fmt.Records(fd, fmt.read_header(fd, path), path):
        for row in range(len(chunk)):
            yield chunk.fields(row)


def _messages(fd: int, path: str) -> Iterator[_Message]:
    messages: dict[tuple[str, int], _Message] = {}
    for row, (event, key, occurrence, at, *fields) in enumerate(_records(fd, path)):
        ident = (key, int(occurrence, 16))
        seconds = int(at) / 1e6
        message = messages.get(ident)
        if message is None:
            message = messages[ident] = _Message(key, ident[1], seconds)
        message.add(row, event, seconds, fields)
    yield from messages.values()


_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([hdw])\s*", re.IGNORECASE)
_UNIT = {"h": "hours", "d": "days", "w": "weeks"}


def _duration(value: str | dt.timedelta) -> dt.timedelta:
    if isinstance(value, dt.timedelta):
        return value
    match = _DURATION.fullmatch(str(value))
    if match is None:
        raise ConfigurationError(
            f"older_than={value!r} is not a duration: write it like '30d', '12h' or '2w'"
        )
    return dt.timedelta(**{_UNIT[match.group(2).lower()]: float(match.group(1))})


def journal_status(prepared: Prepared, journal: str | os.PathLike[str] | None) -> np.ndarray:
    """The journal's latest status of each ready message of ``prepared`` ("" when it never
    saw it), as a front end counts before asking; the file is only read."""
    nothing = np.full(len(prepared.positions()), "", dtype=object)
    if journal is None:
        return nothing
    try:
        stat = os.stat(journal)
    except FileNotFoundError:
        return nothing
    recorded = _recorded(os.fspath(journal), stat.st_mtime_ns, stat.st_size)
    keys = pd.Series([d.tobytes().hex() for d in prepared.digests()], dtype=object)
    # As the journal counts them: a message's earlier copies in the campaign (dedupe=False).
    occurrence = 0 if keys.is_unique else keys.groupby(keys).cumcount()
    ours = pd.DataFrame({"key": keys, "occurrence": occurrence})
    merged = ours.merge(recorded, how="left", on=["key", "occurrence"])
    return merged["status"].fillna("").to_numpy(dtype=object)


@functools.lru_cache(maxsize=2)
def _recorded(path: str, mtime_ns: int, size: int) -> pd.DataFrame:
    """The journal read back, once per change of the file (a panel plans on every keystroke)."""
    return read_journal(path)[["key", "occurrence", "status"]].astype({"key": object})
