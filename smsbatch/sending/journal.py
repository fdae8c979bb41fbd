"""Remember every attempt and every answer of a campaign in one file, so a resume never sends
twice.

The journal is keyed by *what* is sent to *whom* (``Message.key``: the normalised number and
the final message), never by row position, so re-sorting or editing the spreadsheet between
runs cannot make a resume skip or repeat the wrong person. Identical messages to one number
(only possible with ``dedupe=False``) are told apart by their occurrence number.

Each attempt is appended as a ``b`` record *before* the request leaves, and its answer as
another record when it arrives. After any crash, a message still in flight may or may not have
reached the gateway: the sender reports it as ``unknown`` and re-sends it only when asked to.

The file (format in ``_journal_format``; locking and in-place writes in ``_journal_file``) is
the whole journal at every moment: there is no sidecar, so copying or moving just that file
after a ``kill -9`` keeps everything. Every record is one ``os.write`` that returns before the
request leaves, so it survives the death of the process at any moment (the operating system
holds the bytes). There is no fsync per record: an operating-system crash or a power cut can
lose the last records written (the journal then says it is truncated, and the last messages
must be checked with the provider). An fsync per record measured 0.22 ms on the development
machine's disk (a write alone: 1 µs), so two per message would take about 45% off an
unthrottled campaign at ~1,000 messages per second, far beyond the toolkit's budget of 15%. The
file is fsynced when the campaign ends.

A file that cannot be trusted (empty, truncated, corrupt, not a journal, a newer format) is
refused with a ``JournalError``, never taken as a new campaign. One campaign at a time holds
the file, locked (``flock``/``msvcrt.locking``; the operating system releases it when the
process dies). Before each message the journal checks that its file is still the one at its
path: one deleted, moved or replaced stops the campaign.

The journal holds numbers, message texts and the gateway's answers (none of them with
``privacy="minimal"``: only keys, states, codes and times); never the password. The file is
created readable by its owner only.
"""

from __future__ import annotations

import errno
import logging
import os
import threading
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from smsbatch.exceptions import JournalError
from smsbatch.sending import _journal_file as disk
from smsbatch.sending import _journal_format as fmt

__all__ = ["Entry", "Ident", "Journal", "NoJournal", "Privacy", "open_journal"]

logger = logging.getLogger(__name__)

State = Literal["in_flight", "answered", "not_sent", "unknown"]
Privacy = Literal["full", "minimal"]
Ident = tuple[str, int]

_STATES: dict[bytes, State] = {
    fmt.BEGIN: "in_flight",
    fmt.ANSWERED: "answered",
    fmt.NOT_SENT: "not_sent",
    fmt.UNKNOWN: "unknown",
}


@dataclass(frozen=True, slots=True)
class Entry:
    """What the journal knows about one message."""

    state: State
    sent_at: float
    code: int | None = None
    text: str | None = None
    destination: str | None = None
    error: str | None = None


class Journal:
    """The journal file of a campaign, safe to share between worker threads.

    Parameters
    ----------
    path : str or os.PathLike
        The journal file; created if missing. Reuse the same path to resume a campaign.
    privacy : {"full", "minimal"}
        ``"minimal"`` never writes numbers or texts, only keys, states, codes and times. A
        journal once minimal stays minimal.
    reader : callable, optional
        Given every chunk of records (``_journal_format.Chunk``) as the file is checked on
        opening: how a resume learns what the journal says without a second read.

    Raises
    ------
    JournalError
        The file is not an smsbatch journal, is empty, truncated or corrupt, was written by a
        newer smsbatch, or is in use by another campaign.
    """

    _write = staticmethod(os.write)  # tests inject a failing writer (a full disk)

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        privacy: Privacy = "full",
        reader: Any = None,
    ) -> None:
        if privacy not in ("full", "minimal"):
            raise JournalError(f"journal_privacy must be 'full' or 'minimal', not {privacy!r}")
        self.path = os.fspath(path)
        self._lock = threading.Lock()
        self._flying: dict[Ident, str] = {}  # the number of each message in flight
        self._broken: JournalError | None = None
        self._fd, created = disk.open_file(self.path)
        try:
            disk.lock(self._fd, self.path)
            if created:
                self.privacy: Privacy = privacy
                self.count, self._end, self._crc, self._version = 0, fmt.HEADER_SIZE, 0, fmt.VERSION
                disk.write_at(self._fd, fmt.header(privacy, 0, 0), 0, self._end)
            else:
                self._load(privacy, reader)
            os.lseek(self._fd, self._end, os.SEEK_SET)
            self._identity = disk.identity(self._fd)
            width = len(fmt.counters(self._version, 0, 0))
            self._count = disk.CountField(self._fd, fmt.COUNT_OFFSET, width)
        except BaseException:
            os.close(self._fd)
            raise

    def _load(self, privacy: Privacy, reader: Any) -> None:
        stored = fmt.read_header(self._fd, self.path)
        records = fmt.Records(self._fd, stored, self.path)
        end, count = stored.size, 0
        for chunk in records:
            if reader is not None:
                reader(chunk)
            end += chunk.size
            count += len(chunk)
        # A version 2 journal stays version 2: its records are appended as they are.
        self._version, self._crc = stored.version, records.crc
        self.count, self._end = count, end
        self.privacy = "minimal" if "minimal" in (stored.privacy, privacy) else "full"
        size = os.fstat(self._fd).st_size
        if size > end:
            # An append a crash cut short: nothing after it can have been written.
            logger.warning("%s: dropping a torn last record (%d bytes)", self.path, size - end)
            os.ftruncate(self._fd, end)
        crc = None if stored.crc is None else records.crc
        if (stored.privacy, stored.count, stored.crc) != (self.privacy, count, crc):
            head = fmt.header(self.privacy, count, records.crc, stored.version)
            disk.write_at(self._fd, head, 0, self._end)

    def entries(self) -> dict[Ident, Entry]:
        """Return the latest state of every message recorded so far, by (key, occurrence)."""
        with self._lock:
            return _latest(fmt.Records(self._fd, fmt.read_header(self._fd, self.path), self.path))

    def begin(self, ident: Ident, to: str, kind: str, text: str, *, at: float) -> None:
        """Record that an attempt is about to leave; call it before the request is made.

        Raises ``JournalError`` (and the message must not be sent) when the record could not
        be written, or the file at the journal's path is no longer this journal.
        """
        fields = ("", kind, "") if self.privacy == "minimal" else (to, kind, text)
        self._append(fmt.BEGIN, ident, at, fields, to=to)

    def answer(self, ident: Ident, code: int, text: str, destination: str, *, at: float) -> None:
        """Record the gateway's answer to the attempt in flight."""
        to = self._flying.pop(ident, None)
        if destination == to:
            destination = fmt.SAME_AS_TO
        elif self.privacy == "minimal":
            destination, text = "", _scrub(text, to)
        fields = (fmt.code_field(code), text, destination)
        self._append(fmt.ANSWERED, ident, at, fields)

    def no_answer(self, ident: Ident, state: State, error: str, *, at: float) -> None:
        """Record that no answer was read: ``not_sent`` (safe to retry) or ``unknown``."""
        to = self._flying.pop(ident, None)
        if self.privacy == "minimal":
            error = _scrub(error, to)
        event = fmt.NOT_SENT if state == "not_sent" else fmt.UNKNOWN
        self._append(event, ident, at, (error,))

    def _append(
        self, event: bytes, ident: Ident, at: float, fields: tuple[str, ...], to: str | None = None
    ) -> None:
        line = fmt.record(event, ident[0], ident[1], at, fields)
        with self._lock:
            if self._broken is not None:
                raise self._broken
            if to is not None:
                disk.check_still_here(self.path, self._identity, self._end)
                self._flying[ident] = to
            try:
                written = self._write(self._fd, line)
                if written != len(line):
                    os.ftruncate(self._fd, self._end)
                    raise OSError(errno.ENOSPC, "short write")
                self._end += written
                self.count += 1
                self._crc = zlib.crc32(line, self._crc)
                self._count.write(fmt.counters(self._version, self.count, self._crc), self._end)
            except OSError as err:
                self._flying.pop(ident, None)
                # Whatever a failed write left behind, nothing more is appended after it.
                self._broken = JournalError(disk.write_problem(self.path, err))
                raise self._broken from err

    def fileno(self) -> int:
        """The journal's open file descriptor (to read its records back)."""
        return self._fd

    def close(self) -> None:
        """Flush the file to disk and release it; it keeps everything for a later resume."""
        with self._lock:
            if self._fd >= 0:
                self._count.close()
                disk.close(self._fd, self.path)
                self._fd = -1

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Journal({self.path!r})"


class NoJournal:
    """Stands in for a journal when none is asked for, so the hot path has no branches."""

    path = None

    def entries(self) -> dict[Ident, Entry]:
        return {}

    def begin(self, *args: Any, **kwargs: Any) -> None:
        pass

    answer = no_answer = begin

    def __enter__(self) -> NoJournal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass


def open_journal(
    path: str | os.PathLike[str] | None, *, privacy: Privacy = "full", reader: Any = None
) -> Journal | NoJournal:
    """Open the journal at ``path``, or stand in for none."""
    return NoJournal() if path is None else Journal(path, privacy=privacy, reader=reader)


def _latest(chunks: Iterable[fmt.Chunk]) -> dict[Ident, Entry]:
    """The latest entry of every message in ``chunks`` of records, by (key, occurrence)."""
    entries: dict[Ident, Entry] = {}
    numbers: dict[Ident, str] = {}
    for chunk in chunks:
        for row in range(len(chunk)):
            event, key, occurrence, at, *fields = chunk.fields(row)
            ident = (key, int(occurrence, 16))
            seconds = int(at) / 1e6
            if event == "b":
                entries[ident] = Entry("in_flight", seconds)
                numbers[ident] = fields[0]
                continue
            previous = entries.get(ident)
            sent_at = seconds if previous is None else previous.sent_at
            if event == "a":
                code, text, destination = fields
                if destination == fmt.SAME_AS_TO:
                    destination = numbers.get(ident, "")
                entries[ident] = Entry("answered", sent_at, int(code), text, destination)
            else:
                entries[ident] = Entry(_STATES[event.encode()], sent_at, error=fields[0])
    return entries


def _scrub(text: str, to: str | None) -> str:
    """``text`` without the number, for a journal that must not hold one."""
    return text.replace(to, "[number]") if to and to in text else text
