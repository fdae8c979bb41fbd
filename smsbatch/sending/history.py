"""Remember, per user, what was sent through every journal, so two journals never text the same
person the same message twice.

A journal only knows its own campaign: a renamed copy of the input file gives the CLI a fresh
default journal, a notebook may pass another ``journal=``, and either would send everything
again. The history is the safety net across them: one small SQLite file in the user's data
folder (``platformdirs.user_data_path("smsbatch")``: ``~/.local/share/smsbatch/history.db`` on
Linux, moved by ``XDG_DATA_HOME``; or the file named by ``SMSBATCH_HISTORY``) that every
campaign of this user records into and checks before its first message leaves.

What it holds, per message the gateway answered 200 (``sent``) or whose outcome is unknown (it
may have arrived): a keyed hash of ``Message.key`` (HMAC-SHA256 with a random secret made for
this history file, cut to 128 bits), the time, and which journal it went through (a keyed hash
of the journal's absolute path, and its file name to tell the user). No number, no text: a
reader of the file learns neither, and the hashes match nothing outside this file. (Whoever
holds the file also holds the secret, and could test a guessed number *and* exact text.)
Records older than :data:`RETENTION_DAYS` are deleted whenever a campaign opens the history.

Messages recorded through the same journal are that journal's business (a resume), never
repeats, as long as the file at its path still records them: one deleted and made anew by a
resume does not, and then they are repeats.

Records are written in batches a few times a second by a background thread, off the sending
path. A ``kill -9`` between two batches leaves the last sends in the journal only: while a
campaign sends, the history keeps its journal's real path (table ``running``, erased when the
campaign ends), and whoever opens the history next copies the sends of a journal left there
whose campaign no longer holds it. Before its first message, a campaign also claims the
messages it is going to send (table ``claimed``, erased with its path), in the transaction that
checks for repeats: one that starts meanwhile finds them ``sending``. A campaign without a
journal holds a file of its own locked instead (``history.db.run-<id>``). Two processes may
use the history at once: SQLite's locking, with a busy timeout, serialises their writes.
"""

from __future__ import annotations

import functools
import hmac
import logging
import os
import secrets
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from smsbatch.exceptions import HistoryError
from smsbatch.sending._history_file import INSERT_SENT, WAY_OUT, connect, initialise, transaction
from smsbatch.sending._running import Running

__all__ = [
    "RETENTION_DAYS",
    "History",
    "HistorySetting",
    "NoHistory",
    "Repeat",
    "default_path",
    "history_path",
    "open_history",
]

logger = logging.getLogger(__name__)

#: How long a record is kept: long enough to catch the same campaign sent again by mistake,
#: short enough that the file says little about anybody.
RETENTION_DAYS = 90
#: The file used instead of the one in the user's data folder, when this variable names one.
ENVIRONMENT_VARIABLE = "SMSBATCH_HISTORY"

_DIGEST_BYTES = 16
_FLUSH_EVERY = 0.2  # seconds between batched writes while a campaign runs
_CHUNK = 990  # digests per lookup query: SQLite before 3.32 takes at most 999 parameters

State = Literal["sent", "unknown"]
#: What a repeat found in the history is: sent, or unknown, or being sent now by a campaign
#: that is still running.
Found = Literal["sent", "unknown", "sending"]
#: What ``history=`` accepts: True for the user's history, False for none, or a file.
HistorySetting = bool | str | os.PathLike[str]


def default_path() -> Path:
    """Return the history file: ``$SMSBATCH_HISTORY`` if set, else ``history.db`` in the user's
    data folder (``~/.local/share/smsbatch`` on Linux, or under ``$XDG_DATA_HOME``)."""
    named = os.environ.get(ENVIRONMENT_VARIABLE)
    if named:
        return Path(named)
    import platformdirs  # only when a history is used: `import smsbatch` stays light

    return platformdirs.user_data_path("smsbatch", appauthor=False) / "history.db"


@dataclass(frozen=True, slots=True)
class Repeat:
    """An earlier send of one message through another journal, as the history recorded it.

    ``here``: through this campaign's own journal path, so a repeat only if the journal there
    now no longer records the message (deleted, and made anew by a resume).
    """

    at: float
    state: Found
    journal_name: str
    here: bool = False

    @property
    def day(self) -> str:
        """The day it was sent, as people write it: ``30 Nov 2026`` (local time)."""
        # Every time zone is a whole number of quarter hours from UTC, so one quarter of an hour
        # is one local day: a campaign's thousands of repeats format a handful of dates.
        return _day(int(self.at // 900))


@functools.lru_cache(maxsize=1024)
def _day(quarter_hour: int) -> str:
    return datetime.fromtimestamp(quarter_hour * 900, UTC).astimezone().strftime("%d %b %Y")


class History:
    """The user's history of sends, open for one campaign that goes through ``journal``.

    Parameters
    ----------
    path : path
        The history file; created (with its folder) if missing.
    journal : path or None
        The journal this campaign uses. Records made through it are never repeats; without a
        journal, every earlier run counts as another one.

    Raises
    ------
    HistoryError
        The file cannot be opened or is not an smsbatch history.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        journal: str | os.PathLike[str] | None = None,
        gateway: str = "",
    ) -> None:
        self.path = Path(path)
        # Sends are remembered per gateway: a rehearsal against the simulator (or another
        # account's address) must not make the real campaign skip anyone.
        self._gateway = gateway
        self._pending: deque[tuple[str, State, float]] = deque()  # thread-safe appends
        self._lock = threading.Lock()
        try:
            self._db = connect(self.path)
        except (OSError, sqlite3.Error) as err:
            raise HistoryError(
                f"cannot open the history of sends {str(self.path)!r}: {err}; {WAY_OUT}"
            ) from err
        try:
            self._secret = initialise(self._db, self.path)
            cutoff = time.time() - RETENTION_DAYS * 86400
            self._db.execute("DELETE FROM sent WHERE at < ?", (cutoff,))
        except sqlite3.Error as err:
            self._db.close()
            raise HistoryError(
                f"cannot use the history of sends {str(self.path)!r}: {err}; {WAY_OUT}"
            ) from err
        except HistoryError:
            self._db.close()
            raise
        self._journal: str | None = None
        self._run = secrets.token_bytes(_DIGEST_BYTES)  # this campaign run, if it claims
        self._claimed = False
        self._run_file: int | None = None  # held locked by a claiming run without a journal
        if journal is None:
            # Nothing resumes a run without a journal: each is a journal of its own.
            self._journal_id = secrets.token_bytes(_DIGEST_BYTES)
            self._journal_name = "no journal"
        else:
            self._journal = os.path.realpath(os.fspath(journal))
            self._journal_id = self._digest(self._journal)
            self._journal_name = os.path.basename(self._journal)
        self._running = Running(self._db, self._lock, self.path, self._digest, self._message)
        try:
            self._running.catch_up()
        except sqlite3.Error as err:  # busy: the next campaign to open it catches up
            logger.warning("the history of sends %s could not catch up now: %s", self.path, err)

    def __repr__(self) -> str:
        return f"History({str(self.path)!r}, journal={self._journal_name!r})"

    def _digest(self, value: str) -> bytes:
        return hmac.digest(self._secret, value.encode("utf-8"), "sha256")[:_DIGEST_BYTES]

    def _message(self, key: str, gateway: str | None = None) -> bytes:
        """The digest of a message sent through this history's gateway (or ``gateway``)."""
        return self._digest(f"{key}\0{self._gateway if gateway is None else gateway}")

    def repeats(self, keys: Iterable[str]) -> dict[str, Repeat]:
        """Return, for each of these ``Message.key`` values sent within :data:`RETENTION_DAYS`,
        its latest send (a ``sent`` before an ``unknown``; through another journal before one
        through this journal's path, which is marked ``here``), or ``sending`` when a campaign
        that is running now (through another journal) is going to send it."""
        with self._lock:
            return self._find({self._message(key): key for key in keys})

    def claim(
        self, keys: Iterable[str], sends: Callable[[dict[str, Repeat]], Iterable[str]]
    ) -> dict[str, Repeat]:
        """:meth:`repeats`, and in the same transaction mark the keys ``sends(repeats)`` says
        this campaign will send as its own (until it ends): a campaign starting meanwhile
        finds them ``sending``.

        The others tell whether the claims are alive by the lock of the campaign's journal
        (of a file next to the history, without one).

        Raises
        ------
        HistoryError
            The history cannot be written (another campaign holds it too long).
        """
        digests = {self._message(key): key for key in keys}
        running = self._running
        try:
            if self._journal is None:
                self._run_file = running.hold_run_file(self._run)
                holder = running.run_file(self._run)
            else:
                holder = self._journal
                running.catch_up_journal(holder)  # earlier runs of it died: this one holds it
            with self._lock, transaction(self._db):
                found = self._find(digests)
                claimed = [self._message(key) for key in sends(found)]
                running.register(self._run, holder, self._gateway, claimed)
        except (sqlite3.Error, OSError) as err:
            raise HistoryError(
                f"cannot use the history of sends {str(self.path)!r}: {err}; nothing was sent;"
                f" try again, or {WAY_OUT}"
            ) from err
        self._claimed = True
        return found

    def _find(self, digests: dict[bytes, str]) -> dict[str, Repeat]:
        found: dict[str, Repeat] = {}
        cutoff = time.time() - RETENTION_DAYS * 86400
        every = list(digests)
        for start in range(0, len(every), _CHUNK):
            part = every[start : start + _CHUNK]
            marks = ", ".join("?" * len(part))
            rows = self._db.execute(
                "SELECT digest, at, state, journal_name, journal = ? FROM sent WHERE digest"
                f" IN ({marks}) AND at >= ?",
                (self._journal_id, *part, cutoff),
            ).fetchall()
            now = time.time()
            rows += [
                (digest, now, "sending", name, False)
                for digest, name in self._running.sending(part, self._journal or "")
            ]
            for digest, at, state, name, here in rows:
                key = digests[digest]
                known = found.get(key)
                # Another journal's send is a repeat for sure; one that surely happened
                # says more than one that may have.
                rank = (not here, state == "sent", at)
                if known is None or rank > (not known.here, known.state == "sent", known.at):
                    found[key] = Repeat(at, state, name, bool(here))
        return found

    def note(self, key: str, state: State, at: float) -> None:
        """Remember that ``key`` was sent (or may have been) at ``at``; written in a batch soon.

        Cheap and thread-safe: called by every worker after each answer."""
        self._pending.append((key, state, at))

    def flush(self) -> None:
        """Write what was noted so far in one transaction; on failure keep it for the next try."""
        batch = []
        while self._pending:
            batch.append(self._pending.popleft())
        if not batch:
            return
        rows = [
            (self._message(key), at, state, self._journal_id, self._journal_name)
            for key, state, at in batch
        ]
        try:
            with self._lock, transaction(self._db):
                self._db.executemany(INSERT_SENT, rows)
        except sqlite3.Error as err:
            self._pending.extendleft(reversed(batch))
            logger.warning(
                "could not record %d sends in the history %s (%s); will try again",
                len(batch),
                self.path,
                err,
            )

    @contextmanager
    def recording(self) -> Iterator[None]:
        """Write the noted sends every fraction of a second while the block runs, and the rest
        when it ends (also after an error or a Ctrl-C)."""
        done = threading.Event()

        def keep_writing() -> None:
            while not done.wait(_FLUSH_EVERY):
                self.flush()

        writer = threading.Thread(target=keep_writing, name="smsbatch-history", daemon=True)
        writer.start()
        try:
            yield
        finally:
            done.set()
            writer.join()
            self.flush()
            ended = self._claimed and not self._pending
            if ended and self._running.end(self._run, self._run_file):
                self._run_file = None

    def close(self) -> None:
        """Write what is pending and close the file."""
        self.flush()
        with self._lock:
            self._db.close()
        if self._run_file is not None:  # a run that did not end: the next one forgets it
            os.close(self._run_file)
            self._run_file = None

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class NoHistory:
    """Stands in for the history when it is switched off: nothing is checked or recorded."""

    path = None

    def repeats(self, keys: Iterable[str]) -> dict[str, Repeat]:
        return {}

    def claim(
        self, keys: Iterable[str], sends: Callable[[dict[str, Repeat]], Iterable[str]]
    ) -> dict[str, Repeat]:
        return {}

    def note(self, key: str, state: State, at: float) -> None:
        pass

    def flush(self) -> None:
        pass

    @contextmanager
    def recording(self) -> Iterator[None]:
        yield

    def close(self) -> None:
        pass

    def __enter__(self) -> NoHistory:
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass


def history_path(history: HistorySetting) -> Path | None:
    """The file ``history=`` names: ``True``, the user's (see :func:`default_path`); ``False``,
    none; a path, that file."""
    if history is False:
        return None
    if history is True:
        return default_path()
    if isinstance(history, str | os.PathLike):
        return Path(history)
    raise HistoryError(f"history must be True, False or a file path, not {history!r}")


def open_history(
    history: HistorySetting, journal: str | os.PathLike[str] | None, gateway: str = ""
) -> History | NoHistory:
    """Open the history ``history=`` names (see :func:`history_path`) for a campaign that goes
    through ``journal`` to ``gateway`` (its base URL)."""
    path = history_path(history)
    return NoHistory() if path is None else History(path, journal, gateway)
