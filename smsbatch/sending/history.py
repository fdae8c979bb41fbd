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

import contextlib
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

from smsbatch.exceptions import HistoryError, JournalError
from smsbatch.sending._history_file import WAY_OUT, connect, initialise
from smsbatch.sending._journal_file import in_use, lock
from smsbatch.sending.journal_tools import read_journal

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
#: ``history.db.run-<id>``: the file a campaign without a journal holds locked while it runs,
#: so that the others can tell whether its claims are still alive.
_RUN_FILE = ".run-"
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
        try:
            self._catch_up()
        except sqlite3.Error as err:  # busy: the next campaign to open it catches up
            logger.warning("the history of sends %s could not catch up now: %s", self.path, err)

    def __repr__(self) -> str:
        return f"History({str(self.path)!r}, journal={self._journal_name!r})"

    def _digest(self, value: str) -> bytes:
        return hmac.digest(self._secret, value.encode("utf-8"), "sha256")[:_DIGEST_BYTES]

    def _message(self, key: str, gateway: str | None = None) -> bytes:
        """The digest of a message sent through this history's gateway (or ``gateway``)."""
        return self._digest(f"{key}\0{self._gateway if gateway is None else gateway}")

    def _catch_up(self) -> None:
        """Record what campaigns that died sending (``kill -9``, a killed kernel) sent in their
        last fraction of a second, before they could record it here: their journals have it.

        A campaign whose journal is still locked is alive, and records its own sends.
        """
        runs = self._db.execute("SELECT run, journal, gateway FROM running").fetchall()
        for run, journal, gateway in runs:
            if not (os.path.exists(journal) and in_use(journal)):
                self._copy_sends(bytes(run), journal, gateway)

    def _copy_sends(self, run: bytes, journal: str, gateway: str) -> None:
        """Record every send of ``journal`` (a campaign's that died) not recorded yet, and
        forget that ``run``: its path and its claims."""
        if _RUN_FILE in os.path.basename(journal):  # a run without a journal: nothing to copy
            rows = []
            with contextlib.suppress(OSError):
                os.remove(journal)
        else:
            rows = self._unrecorded(journal, gateway)
        with self._lock, self._transaction():
            self._db.executemany(
                "INSERT INTO sent (digest, at, state, journal, journal_name)"
                " VALUES (?, ?, ?, ?, ?)",
                rows,
            )
            self._forget(run)  # that run only: a resume of its journal may have begun since
        if rows:
            logger.warning(
                "the history of sends recorded %d sends of %s, whose campaign stopped before it"
                " could record them",
                len(rows),
                journal,
            )

    def _unrecorded(self, journal: str, gateway: str) -> list[tuple[bytes, float, str, bytes, str]]:
        """The sends ``journal`` records that this history does not, as rows of ``sent``."""
        try:
            if not os.path.isfile(journal):  # moved away (or never a file): nothing to read
                raise JournalError(f"{journal!r} is not there any more")
            messages = read_journal(journal)
        except (JournalError, OSError) as err:
            logger.warning("the history of sends cannot catch up with %s: %s", journal, err)
            return []
        done = messages[messages["status"].isin(["sent", "unknown"])]
        journal_id, name = self._digest(journal), os.path.basename(journal)
        known = {
            bytes(row[0])
            for row in self._db.execute("SELECT digest FROM sent WHERE journal = ?", (journal_id,))
        }
        times = [moment.timestamp() for moment in done["last_at"]]
        return [
            (digest, at, state, journal_id, name)
            for key, state, at in zip(done["key"], done["status"], times, strict=True)
            if (digest := self._message(key, gateway)) not in known
        ]

    def _forget(self, run: bytes) -> None:
        """Forget a campaign run's journal path and what it was going to send."""
        self._db.execute("DELETE FROM claimed WHERE run = ?", (run,))
        self._db.execute("DELETE FROM running WHERE run = ?", (run,))

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

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
        try:
            if self._journal is None:
                holder = self._hold_run_file()
            else:
                holder = self._journal
                for run, gateway in self._db.execute(
                    "SELECT run, gateway FROM running WHERE journal = ?", (holder,)
                ).fetchall():  # an earlier run of this journal that died: caught up now
                    self._copy_sends(bytes(run), holder, gateway)
            with self._lock, self._transaction():
                found = self._find(digests)
                going = sends(found)
                self._db.execute(
                    "INSERT INTO running (run, journal, gateway) VALUES (?, ?, ?)",
                    (self._run, holder, self._gateway),
                )
                self._db.executemany(
                    "INSERT INTO claimed (digest, run) VALUES (?, ?)",
                    ((self._message(key), self._run) for key in going),
                )
        except (sqlite3.Error, OSError) as err:
            raise HistoryError(
                f"cannot use the history of sends {str(self.path)!r}: {err}; nothing was sent;"
                f" try again, or {WAY_OUT}"
            ) from err
        self._claimed = True
        return found

    def _hold_run_file(self) -> str:
        """Make and lock the file that tells the others this run (without a journal) lives."""
        path = f"{self.path}{_RUN_FILE}{self._run.hex()}"
        flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        self._run_file = os.open(path, flags, 0o600)
        lock(self._run_file, path)
        return path

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
                (digest, now, "sending", _journal_name(journal), False)
                for digest, journal in self._db.execute(
                    "SELECT claimed.digest, running.journal FROM claimed JOIN running"
                    f" ON running.run = claimed.run WHERE claimed.digest IN ({marks})"
                    " AND running.journal != ?",
                    (*part, self._journal or ""),
                )
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
            with self._lock:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    self._db.executemany(
                        "INSERT INTO sent (digest, at, state, journal, journal_name)"
                        " VALUES (?, ?, ?, ?, ?)",
                        rows,
                    )
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
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
            if self._claimed and not self._pending:
                self._end_run()

    def _end_run(self) -> None:
        """Forget this run's journal path and claims: its sends are recorded. A failure is only
        logged: the result is kept, and the next campaign to open the history forgets them."""
        try:
            with self._lock, self._transaction():
                self._forget(self._run)
            # Out of SQLite's write-ahead log too, unless another campaign reads it right now.
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as err:
            logger.warning("the history of sends %s keeps an ended run for now: %s", self.path, err)
            return
        if self._run_file is not None:
            os.close(self._run_file)
            self._run_file = None
            with contextlib.suppress(OSError):
                os.remove(f"{self.path}{_RUN_FILE}{self._run.hex()}")

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


def _journal_name(holder: str) -> str:
    """How a running campaign's journal is named to the user."""
    return "no journal" if _RUN_FILE in os.path.basename(holder) else os.path.basename(holder)


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
