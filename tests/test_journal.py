"""The journal keeps every attempt and answer on disk, through reopen and kill -9."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing
from pathlib import Path

import pytest

from smsbatch.exceptions import JournalError
from smsbatch.sending.journal import Entry, Journal

ROOT = Path(__file__).resolve().parents[1]


def test_attempts_and_answers_survive_closing_and_reopening(tmp_path):
    path = tmp_path / "campaign.db"
    with Journal(path) as journal:
        journal.begin(("k1", 0), "31612345678", "text", "Hi Ann", at=10.0)
        journal.answer(("k1", 0), 200, "SMS message sent.", "31612345678", at=10.5)
        journal.begin(("k2", 0), "31687654321", "text", "Hi Bob", at=11.0)
        journal.begin(("k3", 0), "31600000000", "text", "Hi Cy", at=12.0)
        journal.no_answer(("k3", 0), "unknown", "connection dropped", at=12.1)
    with Journal(path) as journal:
        assert journal.entries() == {
            ("k1", 0): Entry("answered", 10.0, 200, "SMS message sent.", "31612345678"),
            ("k2", 0): Entry("in_flight", 11.0),
            ("k3", 0): Entry("unknown", 12.0, error="connection dropped"),
        }


def test_a_new_attempt_replaces_the_previous_answer_and_history_is_kept(tmp_path):
    path = tmp_path / "campaign.db"
    with Journal(path) as journal:
        journal.begin(("k", 0), "31612345678", "text", "Hi", at=1.0)
        journal.answer(("k", 0), 503, "Server busy", "31612345678", at=1.1)
        journal.begin(("k", 0), "31612345678", "text", "Hi", at=2.0)
        assert journal.entries() == {("k", 0): Entry("in_flight", 2.0)}
        journal.answer(("k", 0), 200, "SMS message sent.", "31612345678", at=2.1)
        assert journal.entries() == {
            ("k", 0): Entry("answered", 2.0, 200, "SMS message sent.", "31612345678")
        }
    with closing(sqlite3.connect(path)) as db:
        history = db.execute("SELECT event, code FROM events ORDER BY id").fetchall()
    assert history == [
        ("in_flight", None),
        ("answered", 503),
        ("in_flight", None),
        ("answered", 200),
    ]


def test_the_same_message_twice_to_one_number_is_two_entries(tmp_path):
    with Journal(tmp_path / "campaign.db") as journal:
        journal.begin(("k", 0), "31612345678", "text", "Hi", at=1.0)
        journal.begin(("k", 1), "31612345678", "text", "Hi", at=2.0)
        assert set(journal.entries()) == {("k", 0), ("k", 1)}


def write_other_sqlite(path: Path) -> None:
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.execute("CREATE TABLE contacts (name TEXT)")


def write_newer_journal(path: Path) -> None:
    Journal(path).close()
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.execute("PRAGMA user_version = 99")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda path: path.write_text("name,phone\nAnn,0612345678\n" * 50), "not an smsbatch"),
        (write_other_sqlite, "not an smsbatch journal"),
        (write_newer_journal, "format version 99"),
    ],
    ids=["csv-file", "other-sqlite-database", "newer-format"],
)
def test_a_file_that_is_not_our_journal_is_refused_untouched(tmp_path, make, message):
    path = tmp_path / "campaign.db"
    make(path)
    before = path.read_bytes()
    with pytest.raises(JournalError, match=message):
        Journal(path)
    assert path.read_bytes() == before


def test_two_campaigns_cannot_share_a_journal_at_once(tmp_path):
    path = tmp_path / "campaign.db"
    with Journal(path), pytest.raises(JournalError, match="in use by another campaign"):
        Journal(path)
    Journal(path).close()


def test_worker_threads_can_write_concurrently(tmp_path):
    with Journal(tmp_path / "campaign.db") as journal:

        def worker(n: int) -> None:
            for i in range(100):
                ident = (f"k{n}-{i}", 0)
                journal.begin(ident, "31612345678", "text", "Hi", at=float(i))
                journal.answer(ident, 200, "ok", "31612345678", at=float(i))

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        entries = journal.entries()
    assert len(entries) == 800
    assert {entry.state for entry in entries.values()} == {"answered"}


KILLED_WRITER = """
import os, signal, sys
from smsbatch.sending.journal import Journal
journal = Journal(sys.argv[1])
journal.begin(("sent", 0), "31612345678", "text", "Hi", at=1.0)
journal.answer(("sent", 0), 200, "SMS message sent.", "31612345678", at=1.5)
journal.begin(("flying", 0), "31687654321", "text", "Hi", at=2.0)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_kill_9_loses_nothing_already_committed(tmp_path):
    path = tmp_path / "campaign.db"
    process = subprocess.run(
        [sys.executable, "-c", KILLED_WRITER, str(path)], cwd=ROOT, timeout=30, check=False
    )
    assert process.returncode == -signal.SIGKILL
    with Journal(path) as journal:
        assert journal.entries() == {
            ("sent", 0): Entry("answered", 1.0, 200, "SMS message sent.", "31612345678"),
            ("flying", 0): Entry("in_flight", 2.0),
        }
