"""The user's history of sends: where it lives, what it holds (no numbers, no texts), how long,
and two processes writing it at once."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from smsbatch import HistoryError
from smsbatch.sending import _history_file as history_file
from smsbatch.sending import _running as running_module
from smsbatch.sending import history as history_module
from smsbatch.sending.history import History, NoHistory, default_path, open_history

ROOT = Path(__file__).parent.parent
NUMBER, TEXT = "31612345678", "Beste Sanne, tot 03-12 om 09:30 in Amsterdam"


def _key(number: str = NUMBER, text: str = TEXT) -> str:
    from smsbatch import Message

    return Message(number, "text", text).key


def test_the_history_lives_in_the_users_data_folder_moved_by_xdg_data_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("SMSBATCH_HISTORY")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    if sys.platform.startswith("linux"):
        assert default_path() == tmp_path / "data" / "smsbatch" / "history.db"
    assert default_path().name == "history.db"


def test_smsbatch_history_names_another_file(history: Path) -> None:
    assert default_path() == history  # what the autouse fixture set


def test_a_send_recorded_through_one_journal_is_a_repeat_for_another_only(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    with History(path, tmp_path / "a.db") as first:
        first.note(_key(), "sent", at=time.time())
    with History(path, tmp_path / "b.db") as other:
        found = other.repeats([_key(), _key(text="something else")])
    assert list(found) == [_key()]
    assert found[_key()].journal_name == "a.db" and found[_key()].state == "sent"
    with History(path, tmp_path / "a.db") as same:
        # The journal's own business (a resume), as long as that journal still records it.
        assert same.repeats([_key()])[_key()].here
    with History(path, None) as nameless:
        assert list(nameless.repeats([_key()])) == [_key()]


def test_a_sure_send_is_reported_before_an_unknown_one(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    with History(path, tmp_path / "a.db") as a:
        a.note(_key(), "sent", at=time.time() - 100)
    with History(path, tmp_path / "b.db") as b:
        b.note(_key(), "unknown", at=time.time())
    with History(path, tmp_path / "c.db") as c:
        assert c.repeats([_key()])[_key()].state == "sent"


def test_the_file_holds_no_number_no_text_and_no_journal_folder(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    folder = tmp_path / "Patienten-lijsten"
    with History(path, folder / "campagne.db") as past:
        _claim(past, [_key()])  # the journal's path is kept while the campaign sends
        with past.recording():
            past.note(_key(), "sent", at=time.time())
        past.flush()
        during = b"".join(p.read_bytes() for p in tmp_path.glob("h.db*"))  # with the -wal
    after = b"".join(p.read_bytes() for p in tmp_path.glob("h.db*"))
    for secret in (NUMBER, NUMBER[2:], "612345678", TEXT, "Sanne", _key(), "Patienten"):
        for data in (during, after) if secret != "Patienten" else (after,):
            assert secret.encode() not in data, secret
            assert secret.encode("utf-16-le") not in data, secret
    assert b"campagne.db" in after  # the file name only, to tell the user which journal


def test_two_history_files_hash_the_same_message_differently(tmp_path: Path) -> None:
    digests = []
    for name in ("one.db", "two.db"):
        with History(tmp_path / name, None) as past:
            past.note(_key(), "sent", at=time.time())
        with sqlite3.connect(tmp_path / name) as db:
            digests.append(db.execute("SELECT digest FROM sent").fetchone()[0])
    assert digests[0] != digests[1]  # a random secret per file: nothing to match across files


def test_records_older_than_the_retention_are_deleted(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    old = time.time() - (history_module.RETENTION_DAYS + 1) * 86400
    with History(path, tmp_path / "a.db") as past:
        past.note(_key(), "sent", at=old)
        past.note(_key(text="recent"), "sent", at=time.time())
    with History(path, tmp_path / "b.db") as later:
        assert list(later.repeats([_key(), _key(text="recent")])) == [_key(text="recent")]
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM sent").fetchone()[0] == 1


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_the_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    with History(tmp_path / "new" / "h.db", None):
        pass
    assert (tmp_path / "new" / "h.db").stat().st_mode & 0o077 == 0
    assert (tmp_path / "new").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    "content",
    [b"not a database at all, just some bytes " * 200, None],
    ids=["garbage", "another-sqlite-file"],
)
def test_a_file_that_is_not_a_history_is_refused_naming_it(
    tmp_path: Path, content: bytes | None
) -> None:
    path = tmp_path / "h.db"
    if content is None:
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE patients (name TEXT)")
    else:
        path.write_bytes(content)
    with pytest.raises(HistoryError, match=r"h\.db.*history=False, --no-history"):
        History(path, None)


def test_a_newer_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    History(path, None).close()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version=99")
    with pytest.raises(HistoryError, match="format version 99"):
        History(path, None)


def test_history_false_is_no_history_and_a_wrong_value_is_an_error(tmp_path: Path) -> None:
    assert isinstance(open_history(False, None), NoHistory)
    assert open_history(tmp_path / "h.db", None).path == tmp_path / "h.db"
    with pytest.raises(HistoryError, match="True, False or a file path"):
        open_history(3, None)  # type: ignore[arg-type]


def test_the_repr_shows_no_secret(tmp_path: Path) -> None:
    past = History(tmp_path / "h.db", tmp_path / "campagne.db")
    assert repr(past) == f"History({str(tmp_path / 'h.db')!r}, journal='campagne.db')"
    past.close()


_WRITER = """
import sys, time
from smsbatch import Message
from smsbatch.sending.history import History
path, journal, start = sys.argv[1], sys.argv[2], time.time()
with History(path, journal) as past:
    with past.recording():
        for i in range(2000):
            past.note(Message(f"3161{i:07d}", "text", journal).key, "sent", time.time())
            if i % 100 == 0:
                time.sleep(0.01)  # several batches, interleaved with the other process
"""


def test_two_processes_record_at_once_and_nothing_is_lost(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(path), str(tmp_path / name)],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a.db", "b.db")
    ]
    for writer in writers:
        _, err = writer.communicate(timeout=60)
        assert writer.returncode == 0, err
        assert "could not record" not in err
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT journal_name, count(*) FROM sent GROUP BY 1 ORDER BY 1")
        assert rows.fetchall() == [("a.db", 2000), ("b.db", 2000)]


# -- a campaign that dies before it records its last sends ---------------------------------------


def _claim(past: History, keys: list[str], limit: int | None = None) -> dict:
    """Claim what a campaign sends of ``keys``: those not sent elsewhere, the first ``limit``."""
    return past.claim(keys, lambda found: [key for key in keys if key not in found][:limit])


def _runs(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT journal FROM running")]


def test_a_campaign_still_sending_records_its_own_and_a_dead_ones_sends_are_copied(
    tmp_path: Path,
) -> None:
    from smsbatch.sending.journal import Journal

    path, first_journal = tmp_path / "h.db", tmp_path / "a.db"
    sent, flying = _key(), _key(text="another message")
    journal = Journal(first_journal)
    first = History(path, first_journal, "gw")
    assert _claim(first, [sent, flying]) == {}
    recording = first.recording()
    recording.__enter__()
    journal.begin((sent, 0), NUMBER, "text", TEXT, at=time.time())
    journal.answer((sent, 0), 200, "SMS message sent.", NUMBER, at=time.time())
    journal.begin((flying, 0), NUMBER, "text", "another message", at=time.time())
    assert _runs(path) == [os.path.realpath(first_journal)]
    with History(path, tmp_path / "b.db", "gw") as other:
        # Alive: it records its own sends, and what it claimed is being sent.
        found = other.repeats([sent, flying, _key(text="not in that campaign")])
    assert {key: (r.state, r.journal_name) for key, r in found.items()} == {
        sent: ("sending", "a.db"), flying: ("sending", "a.db")
    }
    assert _runs(path) == [os.path.realpath(first_journal)]
    # It dies (as a kill -9 would leave it): nothing recorded here, its journal unlocked.
    journal.close()
    with History(path, tmp_path / "b.db", "gw") as other:
        found = other.repeats([sent, flying])
    assert {key: repeat.state for key, repeat in found.items()} == {
        sent: "sent", flying: "unknown"
    }
    assert found[sent].journal_name == "a.db" and not found[sent].here
    assert _runs(path) == []
    with History(path, tmp_path / "b.db", "other gateway") as elsewhere:
        assert elsewhere.repeats([sent]) == {}  # remembered per gateway, as its own would be
    recording.__exit__(None, None, None)  # the stand-in for the dead process stops its thread
    first.close()


def test_a_campaign_that_ends_forgets_its_journal_path(tmp_path: Path) -> None:
    path, journal = tmp_path / "h.db", tmp_path / "a.db"
    with History(path, journal, "gw") as past:
        _claim(past, [_key(), _key(text="left unsent")])
        with past.recording():
            assert _runs(path) == [os.path.realpath(journal)]
            past.note(_key(), "sent", time.time())
    assert _runs(path) == []
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM claimed").fetchone()[0] == 0
    with History(path, tmp_path / "b.db", "gw") as other:
        assert other.repeats([_key()])[_key()].state == "sent"


def test_catching_up_a_dead_run_leaves_a_resume_of_its_journal_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While one campaign copies a dead run's sends, the user resumes that journal: the
    resume's own claims must survive the copy."""
    from smsbatch.sending.journal import Journal

    path, journal_path = tmp_path / "h.db", tmp_path / "a.db"
    sent, left = _key(), _key(text="left to send")
    with Journal(journal_path) as journal, History(path, journal_path, "gw") as dead:
        _claim(dead, [sent, left])
        journal.begin((sent, 0), NUMBER, "text", TEXT, at=time.time())
        journal.answer((sent, 0), 200, "SMS message sent.", NUMBER, at=time.time())
    # It died: its run is still registered, its journal unlocked.
    resumed: list[History] = []
    read = running_module.read_journal

    resume_lock: list[Journal] = []

    def read_while_resumed(where: str):  # type: ignore[no-untyped-def]
        messages = read(where)
        if not resume_lock:  # meanwhile, the journal is resumed and claims what is left
            resume_lock.append(Journal(journal_path))
            resumed.append(History(path, journal_path, "gw"))
            _claim(resumed[0], [left])
        return messages

    monkeypatch.setattr(running_module, "read_journal", read_while_resumed)
    with History(path, tmp_path / "b.db", "gw") as other:
        found = other.repeats([sent, left])
    assert {key: r.state for key, r in found.items()} == {sent: "sent", left: "sending"}
    assert _runs(path) == [os.path.realpath(journal_path)]  # the resume's own registration
    resume_lock[0].close()
    resumed[0].close()


def test_a_busy_history_at_the_end_of_a_run_loses_no_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(history_file, "BUSY_TIMEOUT", 0.05)
    path = tmp_path / "h.db"
    past = History(path, tmp_path / "a.db", "gw")
    _claim(past, [_key()])
    blocker = sqlite3.connect(path, isolation_level=None)
    with past.recording():
        blocker.execute("BEGIN IMMEDIATE")  # another campaign writing, for longer than we wait
    assert "keeps an ended run for now" in caplog.text  # said, not raised: the result is kept
    blocker.execute("ROLLBACK")
    blocker.close()
    past.close()
    with History(path, tmp_path / "b.db", "gw") as other:  # its journal is gone: forgotten
        assert other.repeats([_key()]) == {}
    assert _runs(path) == []


def test_a_limited_run_claims_only_what_it_will_send(tmp_path: Path) -> None:
    from smsbatch.sending.journal import Journal

    keys = [_key(text=f"message {i}") for i in range(5)]
    with Journal(tmp_path / "a.db"), History(tmp_path / "h.db", tmp_path / "a.db", "gw") as past:
        _claim(past, keys, limit=2)
        with History(tmp_path / "h.db", tmp_path / "b.db", "gw") as other:
            assert sorted(other.repeats(keys)) == sorted(keys[:2])


def test_an_ended_run_leaves_no_path_while_another_campaign_has_the_history_open(
    tmp_path: Path,
) -> None:
    path = tmp_path / "h.db"
    folder = tmp_path / "Patienten-lijsten"
    with History(path, tmp_path / "b.db", "gw") as other:  # open throughout, as a panel would
        other.repeats([_key()])
        with History(path, folder / "campagne.db", "gw") as past:
            _claim(past, [_key(), _key(text="two")])
            with past.recording():
                past.note(_key(), "sent", time.time())
        data = b"".join(p.read_bytes() for p in tmp_path.glob("h.db*"))
        assert b"Patienten" not in data
        assert b"campagne.db" in data  # the name of the journal of the send, as always


def test_a_dead_runs_path_that_is_no_journal_any_more_is_forgotten(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    where = tmp_path / "weg.db"
    with History(path, where, "gw") as dead:
        _claim(dead, [_key()])
    where.mkdir()  # its path is now a folder
    with History(path, tmp_path / "b.db", "gw") as other:
        assert other.repeats([_key()]) == {}
    assert _runs(path) == []


def test_a_run_without_a_journal_claims_too_and_a_file_beside_the_history_says_it_lives(
    tmp_path: Path,
) -> None:
    path = tmp_path / "h.db"
    keys = [_key(), _key(text="two")]
    with History(path, None, "gw") as alone:
        _claim(alone, keys)
        run_files = [p.name for p in tmp_path.iterdir() if ".run-" in p.name]
        assert len(run_files) == 1 and (tmp_path / run_files[0]).stat().st_mode & 0o777 == 0o600
        with History(path, tmp_path / "b.db", "gw") as other:
            found = other.repeats(keys)
        assert {r.state for r in found.values()} == {"sending"}
        assert {r.journal_name for r in found.values()} == {"no journal"}
        with alone.recording():
            alone.note(keys[0], "sent", time.time())
    assert not [p for p in tmp_path.iterdir() if ".run-" in p.name]  # gone with the run
    with History(path, tmp_path / "b.db", "gw") as other:
        assert {k: r.state for k, r in other.repeats(keys).items()} == {keys[0]: "sent"}


def test_a_dead_run_without_a_journal_is_forgotten_with_its_file(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    with History(path, None, "gw") as dead:
        _claim(dead, [_key()])  # closed without ending its run, as a killed process leaves it
    assert [p for p in tmp_path.iterdir() if ".run-" in p.name]
    with History(path, tmp_path / "b.db", "gw") as other:
        assert other.repeats([_key()]) == {}
    assert not [p for p in tmp_path.iterdir() if ".run-" in p.name]
    assert _runs(path) == []
