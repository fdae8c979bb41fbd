"""Remember every attempt and every answer of a campaign on disk, so a resume never sends twice.

The journal is keyed by *what* is sent to *whom* (``Message.key``: the normalised number and
the final message), never by row position, so re-sorting or editing the spreadsheet between
runs cannot make a resume skip or repeat the wrong person. Identical messages to one number
(only possible with ``dedupe=False``) are told apart by their occurrence number.

Each attempt is committed as an ``in_flight`` event *before* the request leaves, and its
answer as another event when it arrives. After any crash, a message still ``in_flight`` may
or may not have reached the gateway: the sender reports it as ``unknown`` and re-sends it only
when asked to.

Durability: SQLite in WAL mode with ``synchronous=NORMAL``. Every commit is written to the WAL
file before ``execute`` returns, so it survives the death of the process at any moment
(``kill -9``, a crash, a closed notebook): the operating system still holds the bytes. Only an
operating-system crash or a power cut can lose the last fraction of a second of commits; after
one, check the last messages with the provider before resuming. ``synchronous=FULL`` would
close that gap with an fsync per commit, 0.1-0.3 ms per message on an ordinary disk, which is
as much as the whole budget of the toolkit next to a bare HTTP loop. The file is opened in
exclusive locking mode: two campaigns can never share one journal at the same time.

The journal holds numbers, message texts and the gateway's answers; never the password.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from dataclasses import dataclass
from typing import Any, Literal

from smsbatch.exceptions import JournalError

__all__ = ["Entry", "Journal", "NoJournal", "open_journal"]

logger = logging.getLogger(__name__)

APPLICATION_ID = 0x534D5342  # "SMSB": marks the file as ours for `PRAGMA application_id`
SCHEMA_VERSION = 1

State = Literal["in_flight", "answered", "not_sent", "unknown"]

# An append-only log: appending to a rowid table is the cheapest write SQLite has (one page at
# the end), about half the cost of updating a row in place, and it keeps every attempt's history
# for an audit. The state of a message is its latest event.
_SCHEMA = """
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,            -- Message.key: sha256 of number, kind, text, fields
    occurrence INTEGER NOT NULL,  -- 0 unless the same message goes to the same number again
    event TEXT NOT NULL,          -- in_flight | answered | not_sent | unknown
    at REAL NOT NULL,             -- time.time()
    to_number TEXT,               -- in_flight: what is sent to whom
    kind TEXT,
    text TEXT,
    code INTEGER,                 -- answered: the gateway's own answer
    response_text TEXT,
    destination TEXT,
    error TEXT                    -- not_sent / unknown: why no answer was read
);
"""

Ident = tuple[str, int]


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
    """An SQLite journal of a campaign's attempts, safe to share between worker threads.

    Parameters
    ----------
    path : str or os.PathLike
        The journal file; created if missing. Reuse the same path to resume a campaign.

    Raises
    ------
    JournalError
        The file is not an smsbatch journal, was written by a newer smsbatch, or is in use by
        another campaign.

    Examples
    --------
    >>> with Journal("campaign.db") as journal:  # doctest: +SKIP
    ...     journal.begin(("3f1c...", 0), "31612345678", "text", "Hi", at=time.time())
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        # One connection guarded by a lock: writes are tiny and serialised by SQLite anyway, and
        # a writer thread would add a hand-off per message to the hot path.
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=0
            )
        except sqlite3.Error as err:
            raise JournalError(f"cannot open the journal {self.path!r}: {err}") from err
        try:
            self._open()
        except sqlite3.OperationalError as err:
            self._db.close()
            if "locked" in str(err):
                raise JournalError(
                    f"the journal {self.path!r} is in use by another campaign; "
                    "wait for it to finish or use another journal file"
                ) from err
            raise JournalError(f"cannot use the journal {self.path!r}: {err}") from err
        except sqlite3.DatabaseError as err:
            self._db.close()
            raise JournalError(
                f"{self.path!r} is not an smsbatch journal ({err}); choose another file name"
            ) from err
        except JournalError:
            self._db.close()
            raise

    def _open(self) -> None:
        db = self._db
        db.execute("PRAGMA locking_mode=EXCLUSIVE")
        application_id = db.execute("PRAGMA application_id").fetchone()[0]
        tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if application_id == 0 and tables == 0:
            # Small pages: each commit appends whole pages to the WAL, and an event is ~150
            # bytes, so 1 KiB pages write a quarter of the bytes of the 4 KiB default.
            db.execute("PRAGMA page_size=1024")
            db.executescript(
                f"BEGIN; {_SCHEMA} PRAGMA application_id={APPLICATION_ID};"
                f" PRAGMA user_version={SCHEMA_VERSION}; COMMIT;"
            )
        elif application_id != APPLICATION_ID:
            raise JournalError(
                f"{self.path!r} is an SQLite file but not an smsbatch journal; "
                "choose another file name"
            )
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version != SCHEMA_VERSION:
            raise JournalError(
                f"the journal {self.path!r} has format version {version}; this smsbatch reads "
                f"version {SCHEMA_VERSION}: open it with the smsbatch that wrote it"
            )
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        # A checkpoint (the only fsync under NORMAL) every 4 MiB of WAL rather than 1 MiB.
        db.execute("PRAGMA wal_autocheckpoint=4000")
        # Take the write lock now, not at the first message: a second campaign on this file
        # must fail before it sends anything.
        db.execute("BEGIN EXCLUSIVE")
        db.execute("COMMIT")

    def entries(self) -> dict[Ident, Entry]:
        """Return the latest state of every message recorded so far, by (key, occurrence)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT key, occurrence, event, at, code, response_text, destination, error"
                " FROM events ORDER BY id"
            ).fetchall()
        entries: dict[Ident, Entry] = {}
        for key, occurrence, event, at, code, text, destination, error in rows:
            ident = (key, occurrence)
            if event == "in_flight":
                entries[ident] = Entry("in_flight", at)
            else:
                previous = entries.get(ident)
                sent_at = at if previous is None else previous.sent_at
                entries[ident] = Entry(event, sent_at, code, text, destination, error)
        return entries

    def begin(self, ident: Ident, to: str, kind: str, text: str, *, at: float) -> None:
        """Record that an attempt is about to leave; call it before the request is made."""
        self._append(ident, "in_flight", at, to_number=to, kind=kind, text=text)

    def answer(self, ident: Ident, code: int, text: str, destination: str, *, at: float) -> None:
        """Record the gateway's answer to the attempt in flight."""
        self._append(ident, "answered", at, code=code, response_text=text, destination=destination)

    def no_answer(self, ident: Ident, state: State, error: str, *, at: float) -> None:
        """Record that no answer was read: ``not_sent`` (safe to retry) or ``unknown``."""
        self._append(ident, state, at, error=error)

    def _append(self, ident: Ident, event: str, at: float, **columns: object) -> None:
        # Column names come from this module only; every value is a bound parameter.
        names = ("key", "occurrence", "event", "at", *columns)
        sql = f"INSERT INTO events ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        with self._lock:
            self._db.execute(sql, (*ident, event, at, *columns.values()))

    def close(self) -> None:
        """Checkpoint and close the file; the journal keeps everything for a later resume."""
        with self._lock:
            self._db.close()

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


def open_journal(path: str | os.PathLike[str] | None) -> Journal | NoJournal:
    """Open the journal at ``path``, or stand in for none."""
    return NoJournal() if path is None else Journal(path)
