"""The history of sends as a file: an SQLite database made readable by its owner only before
SQLite opens it, marked as ours, with its tables (the sends; the campaigns sending now and the
messages they claimed) and the random secret its keyed hashes are made with.

``history`` says what goes into the file and what it means; this module only makes, checks and
opens it, and says what to do when it cannot.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from smsbatch.exceptions import HistoryError

__all__ = ["BUSY_TIMEOUT", "INSERT_SENT", "WAY_OUT", "connect", "initialise", "transaction"]

APPLICATION_ID = 0x534D5348  # "SMSH": marks the file as ours for `PRAGMA application_id`
SCHEMA_VERSION = 1
# Seconds another process may hold the write lock before we give up: a campaign of a million
# messages holds it about 8 s while it claims them.
BUSY_TIMEOUT = 30.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS secret (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    key BLOB NOT NULL             -- the HMAC key of this file, 32 random bytes
);
CREATE TABLE IF NOT EXISTS sent (
    digest BLOB NOT NULL,         -- HMAC-SHA256(secret, Message.key)[:16]
    at REAL NOT NULL,             -- when the request left (time.time())
    state TEXT NOT NULL,          -- sent | unknown
    journal BLOB NOT NULL,        -- HMAC-SHA256(secret, absolute path of the journal)[:16]
    journal_name TEXT NOT NULL    -- the journal's file name, to tell the user which
);
CREATE INDEX IF NOT EXISTS sent_digest ON sent (digest);
"""
#: One row of ``sent``: (digest, at, state, journal, journal_name).
INSERT_SENT = "INSERT INTO sent (digest, at, state, journal, journal_name) VALUES (?, ?, ?, ?, ?)"
# Added to files of version 1 as they are opened: older smsbatch versions ignore it.
_RUNS = """
CREATE TABLE IF NOT EXISTS running (
    run BLOB PRIMARY KEY,         -- a random id of one campaign run that is sending
    journal TEXT NOT NULL,        -- the real path of its journal, to copy its sends if it dies
    gateway TEXT NOT NULL         -- its base URL (sends are remembered per gateway)
);
CREATE TABLE IF NOT EXISTS claimed (
    digest BLOB NOT NULL,         -- as sent.digest: a message that run is going to send
    run BLOB NOT NULL             -- running.run
);
CREATE INDEX IF NOT EXISTS claimed_digest ON claimed (digest);
"""


WAY_OUT = (
    "move the file away to start a new history, or switch the history off"
    " (history=False, --no-history)"
)


def connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Made private before SQLite opens it; SQLite gives its -wal and -shm files the same mode.
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    return sqlite3.connect(
        path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
    )


def initialise(db: sqlite3.Connection, path: Path) -> bytes:
    """Make the file a history if it is empty, check that it is one, and return its secret."""
    application_id = db.execute("PRAGMA application_id").fetchone()[0]
    if application_id not in (0, APPLICATION_ID):
        raise HistoryError(f"{str(path)!r} is not an smsbatch history of sends; {WAY_OUT}")
    if application_id == 0:
        if db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            raise HistoryError(f"{str(path)!r} is not an smsbatch history of sends; {WAY_OUT}")
        # Two processes creating it at once: one does, in full; the other finds it made.
        with transaction(db):
            _create(db, _SCHEMA)
            db.execute(
                "INSERT OR IGNORE INTO secret (id, key) VALUES (1, ?)", (secrets.token_bytes(32),)
            )
            db.execute(f"PRAGMA application_id={APPLICATION_ID}")
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version != SCHEMA_VERSION:
        raise HistoryError(
            f"the history of sends {str(path)!r} has format version {version}; this smsbatch"
            f" reads version {SCHEMA_VERSION}: upgrade smsbatch, or {WAY_OUT}"
        )
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    # A journal's path is kept only while its campaign sends: deleted, it is overwritten.
    db.execute("PRAGMA secure_delete=ON")
    _create(db, _RUNS)
    row = db.execute("SELECT key FROM secret WHERE id = 1").fetchone()
    if row is None:
        raise HistoryError(f"the history of sends {str(path)!r} lost its key; {WAY_OUT}")
    return bytes(row[0])


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[None]:
    """One write transaction of the history file, taken at once (no upgrade deadlock)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _create(db: sqlite3.Connection, script: str) -> None:
    """Run the ``CREATE ... IF NOT EXISTS`` statements of ``script`` (``executescript`` would
    commit the caller's transaction)."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)
