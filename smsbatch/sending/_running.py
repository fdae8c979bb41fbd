"""The campaigns sending now, as the history of sends keeps them (tables ``running`` and
``claimed``): which run goes through which journal, the messages each claimed before its first
one left, and, for a run that died, its last sends copied from its journal.

A run is a random id. Whether it still lives is told by a lock, never by a process id or a
clock: the lock of its journal, or of a file beside the history (``history.db.run-<id>``) for a
run without one. ``history`` asks; this module keeps the tables and the files.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from smsbatch.exceptions import JournalError
from smsbatch.sending._history_file import INSERT_SENT, transaction
from smsbatch.sending._journal_file import in_use, lock
from smsbatch.sending.journal_tools import read_journal

__all__ = ["Running"]

# Logged as the history, whose internals these are (as the journal's file does for it).
logger = logging.getLogger("smsbatch.sending.history")

#: ``history.db.run-<id>``: the file a campaign without a journal holds locked while it runs.
_RUN_FILE = ".run-"

SentRow = tuple[bytes, float, str, bytes, str]  # a row of the table ``sent``


def _journal_name(holder: str) -> str:
    """How a running campaign's journal is named to the user."""
    return "no journal" if _RUN_FILE in os.path.basename(holder) else os.path.basename(holder)


class Running:
    """The running campaigns of one history file.

    ``digest`` is the history's keyed hash of a text, ``message`` that of a message sent
    through a gateway: what its table ``sent`` holds.
    """

    def __init__(
        self,
        db: sqlite3.Connection,
        lock: threading.Lock,
        path: Path,
        digest: Callable[[str], bytes],
        message: Callable[[str, str], bytes],
    ) -> None:
        self._db, self._lock, self._path = db, lock, path
        self._digest, self._message = digest, message

    def catch_up(self) -> None:
        """Record what campaigns that died sending (``kill -9``, a killed kernel) sent in their
        last fraction of a second, before they could record it: their journals have it.

        A campaign whose journal (or run file) is still locked is alive, and records its own.
        """
        runs = self._db.execute("SELECT run, journal, gateway FROM running").fetchall()
        for run, holder, gateway in runs:
            if not (os.path.exists(holder) and in_use(holder)):
                self._copy_sends(bytes(run), holder, gateway)

    def catch_up_journal(self, journal: str) -> None:
        """Catch up the earlier runs of ``journal``, which the caller now holds: they died."""
        for run, gateway in self._db.execute(
            "SELECT run, gateway FROM running WHERE journal = ?", (journal,)
        ).fetchall():
            self._copy_sends(bytes(run), journal, gateway)

    def hold_run_file(self, run: bytes) -> int:
        """Make and lock the file that tells the others ``run`` (without a journal) lives;
        return its descriptor (the lock lasts while it is open)."""
        path = self.run_file(run)
        flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        descriptor = os.open(path, flags, 0o600)
        lock(descriptor, path)
        return descriptor

    def run_file(self, run: bytes) -> str:
        return f"{self._path}{_RUN_FILE}{run.hex()}"

    def register(self, run: bytes, holder: str, gateway: str, claimed: Iterable[bytes]) -> None:
        """Enter ``run`` and the message digests it ``claimed`` (in the caller's transaction)."""
        self._db.execute(
            "INSERT INTO running (run, journal, gateway) VALUES (?, ?, ?)", (run, holder, gateway)
        )
        self._db.executemany(
            "INSERT INTO claimed (digest, run) VALUES (?, ?)", ((d, run) for d in claimed)
        )

    def sending(self, digests: list[bytes], holder: str) -> list[tuple[bytes, str]]:
        """Which of ``digests`` a run through another journal than ``holder`` claimed, and the
        name of that journal."""
        marks = ", ".join("?" * len(digests))
        rows = self._db.execute(
            "SELECT claimed.digest, running.journal FROM claimed JOIN running"
            f" ON running.run = claimed.run WHERE claimed.digest IN ({marks})"
            " AND running.journal != ?",
            (*digests, holder),
        )
        return [(bytes(digest), _journal_name(journal)) for digest, journal in rows]

    def end(self, run: bytes, run_file: int | None) -> bool:
        """Forget an ended ``run`` (its sends are recorded), out of SQLite's log too, and close
        and remove its run file. A failure is only logged (the next history open forgets it):
        return whether it ended."""
        try:
            with self._lock, transaction(self._db):
                self._forget(run)
            # Out of SQLite's write-ahead log too, unless another campaign reads it right now.
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as err:
            logger.warning("the history of sends %s keeps an ended run for now: %s", self._path,
                           err)  # fmt: skip
            return False
        if run_file is not None:
            os.close(run_file)
            with contextlib.suppress(OSError):
                os.remove(self.run_file(run))
        return True

    def _copy_sends(self, run: bytes, holder: str, gateway: str) -> None:
        """Record every send of the journal ``holder`` (a dead run's) not recorded yet, and
        forget that ``run``: its path and its claims."""
        if _RUN_FILE in os.path.basename(holder):  # a run without a journal: nothing to copy
            rows = []
            with contextlib.suppress(OSError):
                os.remove(holder)
        else:
            rows = self._unrecorded(holder, gateway)
        with self._lock, transaction(self._db):
            self._db.executemany(INSERT_SENT, rows)
            self._forget(run)  # that run only: a resume of its journal may have begun since
        if rows:
            logger.warning(
                "the history of sends recorded %d sends of %s, whose campaign stopped before it"
                " could record them",
                len(rows),
                holder,
            )

    def _unrecorded(self, journal: str, gateway: str) -> list[SentRow]:
        """The sends ``journal`` records that the history does not, as rows of ``sent``."""
        try:
            if not os.path.isfile(journal):  # moved away, or never a file (a FIFO would block)
                raise FileNotFoundError(f"{journal!r} is not a journal file there any more")
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
