"""The journal is one file that keeps every attempt and answer, through reopen, kill -9 and a
copy of just that file; a file that cannot be trusted is refused, never taken as new."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import zlib
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smsbatch.exceptions import JournalError
from smsbatch.sending import _journal_format as fmt
from smsbatch.sending._recorded import Recorded
from smsbatch.sending.journal import Entry, Journal

ROOT = Path(__file__).resolve().parents[1]


def key(name: str) -> str:
    return hashlib.blake2b(name.encode(), digest_size=16).hexdigest()


K1, K2, K3 = key("k1"), key("k2"), key("k3")


def write_three(path: Path) -> None:
    with Journal(path) as journal:
        journal.begin((K1, 0), "31612345678", "text", "Hi Ann", at=10.0)
        journal.answer((K1, 0), 200, "SMS message sent.", "31612345678", at=10.5)
        journal.begin((K2, 0), "31687654321", "text", "Hi\tBob\n", at=11.0)
        journal.begin((K3, 0), "31600000000", "text", "Hi Cy", at=12.0)
        journal.no_answer((K3, 0), "unknown", "connection dropped", at=12.1)


THREE = {
    (K1, 0): Entry("answered", 10.0, 200, "SMS message sent.", "31612345678"),
    (K2, 0): Entry("in_flight", 11.0),
    (K3, 0): Entry("unknown", 12.0, error="connection dropped"),
}


def test_attempts_and_answers_survive_closing_and_reopening(tmp_path):
    path = tmp_path / "campaign.journal"
    write_three(path)
    with Journal(path) as journal:
        assert journal.entries() == THREE
    data = path.read_bytes()
    lines = data.split(b"\n")
    crc = b"%08x" % zlib.crc32(data[fmt.HEADER_SIZE :])  # of every byte after the header
    assert lines[0] == b"smsbatch-journal v3 privacy=full    records=00000000000000000005 crc=" + (
        crc + b" " * 10
    )
    assert len(lines) == 7 and lines[-1] == b""  # the header, five records, nothing torn
    assert b"Hi\\tBob\\n" in lines[3]  # a text never breaks a record in two


def test_the_file_is_readable_by_its_owner_only(tmp_path):
    write_three(tmp_path / "campaign.journal")
    assert (tmp_path / "campaign.journal").stat().st_mode & 0o777 == 0o600


def test_a_new_attempt_replaces_the_previous_answer_and_history_is_kept(tmp_path):
    path = tmp_path / "campaign.journal"
    with Journal(path) as journal:
        journal.begin((K1, 0), "31612345678", "text", "Hi", at=1.0)
        journal.answer((K1, 0), 503, "Server busy", "31612345678", at=1.1)
        journal.begin((K1, 0), "31612345678", "text", "Hi", at=2.0)
        assert journal.entries() == {(K1, 0): Entry("in_flight", 2.0)}
        journal.answer((K1, 0), 200, "SMS message sent.", "31612345678", at=2.1)
        assert journal.entries() == {
            (K1, 0): Entry("answered", 2.0, 200, "SMS message sent.", "31612345678")
        }
    events = [line[:1] for line in path.read_bytes().split(b"\n")[1:-1]]
    assert events == [b"b", b"a", b"b", b"a"]


def test_the_same_message_twice_to_one_number_is_two_entries(tmp_path):
    with Journal(tmp_path / "campaign.journal") as journal:
        journal.begin((K1, 0), "31612345678", "text", "Hi", at=1.0)
        journal.begin((K1, 1), "31612345678", "text", "Hi", at=2.0)
        assert set(journal.entries()) == {(K1, 0), (K1, 1)}


def test_minimal_privacy_never_writes_a_number_or_a_text(tmp_path):
    path = tmp_path / "campaign.journal"
    with Journal(path, privacy="minimal") as journal:
        journal.begin((K1, 0), "31612345678", "text", "Uw afspraak bij dr. Jansen", at=1.0)
        journal.answer((K1, 0), 200, "SMS message sent.", "31612345678", at=1.1)
        journal.begin((K2, 0), "31687654321", "text", "Uw afspraak", at=2.0)
        journal.answer((K2, 0), 601, "Carrier refused 31687654321", "0031687654321", at=2.1)
        journal.begin((K3, 0), "31600000000", "text", "Uw afspraak", at=3.0)
        journal.no_answer((K3, 0), "unknown", "no answer for 31600000000", at=3.1)
    with Journal(path) as journal:  # a journal once minimal stays minimal
        journal.begin((key("k4"), 0), "31611111111", "text", "Uw afspraak", at=4.0)
        states = {ident: entry.state for ident, entry in journal.entries().items()}
    data = path.read_bytes()
    for secret in (b"3161", b"3168", b"3160", b"afspraak", b"Jansen"):
        assert secret not in data
    assert b"privacy=minimal" in data
    assert states == {
        (K1, 0): "answered",
        (K2, 0): "answered",
        (K3, 0): "unknown",
        (key("k4"), 0): "in_flight",
    }


# -- files that are not a journal to trust ------------------------------------------------------


def write_other_sqlite(path: Path) -> None:
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.execute("CREATE TABLE contacts (name TEXT)")


def write_old_smsbatch_journal(path: Path) -> None:
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.execute("PRAGMA application_id = 1397576514")  # smsbatch 0.1's "SMSB"
        db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY)")


def write_newer_journal(path: Path) -> None:
    write_three(path)
    data = path.read_bytes()
    path.write_bytes(data.replace(b"journal v3 ", b"journal v4 ", 1))


def write_truncated(path: Path) -> None:
    write_three(path)
    data = path.read_bytes()
    path.write_bytes(data[: data.index(b"\n", fmt.HEADER_SIZE) + 1])  # one record of five


def write_corrupt(path: Path) -> None:
    write_three(path)
    data = bytearray(path.read_bytes())
    data[data.index(b"Hi Ann")] = ord("X")  # one flipped letter, as a bad sector would
    path.write_bytes(bytes(data))


def write_damaged_header(path: Path) -> None:
    write_three(path)
    data = path.read_bytes()
    path.write_bytes(data.replace(b"records=0", b"records=x", 1))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda path: path.write_bytes(b""), "is empty .0 bytes.*copy it again"),
        (lambda path: path.write_text("name,phone\nAnn,0612345678\n" * 50), "not an smsbatch"),
        (write_other_sqlite, "SQLite database, not an smsbatch journal"),
        (write_old_smsbatch_journal, "journal of smsbatch 0.1.*finish that campaign"),
        (write_newer_journal, "format version 4.*reads versions 2 to 3.*newer smsbatch; upgrade"),
        (write_truncated, "truncated: its header counts 5 records but only 1 are complete"),
        (write_corrupt, "corrupt: record 1 does not match its checksum"),
        (write_damaged_header, "damaged header"),
    ],
    ids=[
        "empty",
        "csv-file",
        "other-sqlite-database",
        "smsbatch-0.1-journal",
        "newer-format",
        "truncated-copy",
        "corrupt",
        "damaged-header",
    ],
)
def test_a_file_that_cannot_be_trusted_is_refused_untouched(tmp_path, make, message):
    path = tmp_path / "campaign.journal"
    make(path)
    before = path.read_bytes()
    with pytest.raises(JournalError, match=message) as refused:
        Journal(path)
    assert str(path) in str(refused.value)
    assert path.read_bytes() == before


def test_a_torn_last_record_is_dropped_and_appending_goes_on(tmp_path):
    path = tmp_path / "campaign.journal"
    write_three(path)
    torn = fmt.record(fmt.ANSWERED, K2, 0, 11.5, ("+000200", "SMS message sent.", "="))
    with path.open("ab") as file:
        file.write(torn[:30])  # a crash in the middle of an append
    with Journal(path) as journal:
        assert journal.entries() == THREE  # K2 stays in flight: its answer is lost
        journal.answer((K2, 0), 200, "SMS message sent.", "31687654321", at=13.0)
    with Journal(path) as journal:
        assert journal.entries()[(K2, 0)].state == "answered"


def test_two_campaigns_cannot_share_a_journal_at_once(tmp_path):
    path = tmp_path / "campaign.journal"
    with Journal(path), pytest.raises(JournalError, match="in use by another campaign"):
        Journal(path)
    Journal(path).close()


def test_worker_threads_can_write_concurrently(tmp_path):
    with Journal(tmp_path / "campaign.journal") as journal:

        def worker(n: int) -> None:
            for i in range(100):
                ident = (key(f"{n}-{i}"), 0)
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
    assert Journal(tmp_path / "campaign.journal").count == 1600


# -- the journal stops accepting records during a campaign --------------------------------------


def test_a_journal_deleted_during_the_campaign_refuses_the_next_message(tmp_path):
    path = tmp_path / "campaign.journal"
    with Journal(path) as journal:
        journal.begin((K1, 0), "31612345678", "text", "Hi", at=1.0)
        path.unlink()
        with pytest.raises(JournalError, match="deleted or moved away.*stopped before the next"):
            journal.begin((K2, 0), "31687654321", "text", "Hi", at=2.0)


def test_a_journal_replaced_during_the_campaign_refuses_the_next_message(tmp_path):
    path = tmp_path / "campaign.journal"
    with Journal(path) as journal:
        journal.begin((K1, 0), "31612345678", "text", "Hi", at=1.0)
        path.rename(tmp_path / "aside.journal")
        path.write_bytes(b"someone else's file")
        with pytest.raises(JournalError, match="replaced by another file"):
            journal.begin((K2, 0), "31687654321", "text", "Hi", at=2.0)



@pytest.mark.parametrize("how", ["cp", "truncate"])
def test_a_journal_overwritten_in_place_during_the_campaign_refuses_the_next_message(
    tmp_path, how
):
    path = tmp_path / "campaign.journal"
    older = tmp_path / "older.journal"
    with Journal(older) as journal:
        journal.begin((K1, 0), "31612345678", "text", "Hi", at=1.0)
    with Journal(path) as journal:
        journal.begin((K1, 0), "31612345678", "text", "Hi", at=1.0)
        journal.answer((K1, 0), 200, "SMS message sent.", "31612345678", at=1.5)
        inode = path.stat().st_ino
        if how == "cp":  # cp over an existing file writes into it: same file, other bytes
            subprocess.run(["cp", str(older), str(path)], check=True)
        else:
            os.truncate(path, 0)
        assert path.stat().st_ino == inode
        with pytest.raises(JournalError, match="overwritten or cut short.*stopped before the next"):
            journal.begin((K2, 0), "31687654321", "text", "Hi", at=2.0)

def test_a_full_disk_says_so_and_nothing_more_is_appended(tmp_path):
    path = tmp_path / "campaign.journal"
    with Journal(path) as journal:
        journal.begin((K1, 0), "31612345678", "text", "Hi", at=1.0)

        def full(fd: int, data: bytes) -> int:
            os.write(fd, data[:10])  # what a disk filling up mid-write leaves behind
            raise OSError(errno.ENOSPC, "No space left on device")

        journal._write = full
        with pytest.raises(JournalError, match="disk full"):
            journal.begin((K2, 0), "31687654321", "text", "Hi", at=2.0)
        journal._write = os.write  # space again: still refused, the campaign must stop
        with pytest.raises(JournalError, match="disk full"):
            journal.answer((K1, 0), 200, "SMS message sent.", "31612345678", at=3.0)
    with Journal(path) as journal:  # the torn bytes are dropped on reopening
        assert journal.entries() == {(K1, 0): Entry("in_flight", 1.0)}


# -- kill -9 and a copy of just the file --------------------------------------------------------

KILLED_WRITER = """
import os, signal, sys
from smsbatch.sending.journal import Journal
sent, flying = sys.argv[2:]
journal = Journal(sys.argv[1])
journal.begin((sent, 0), "31612345678", "text", "Hi", at=1.0)
journal.answer((sent, 0), 200, "SMS message sent.", "31612345678", at=1.5)
journal.begin((flying, 0), "31687654321", "text", "Hi", at=2.0)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_kill_9_loses_nothing_and_a_copy_of_just_the_file_holds_everything(tmp_path):
    path = tmp_path / "campaign.journal"
    process = subprocess.run(
        [sys.executable, "-c", KILLED_WRITER, str(path), K1, K2], cwd=ROOT, timeout=30, check=False
    )
    assert process.returncode == -signal.SIGKILL
    assert sorted(p.name for p in tmp_path.iterdir()) == ["campaign.journal"]  # no sidecar
    elsewhere = tmp_path / "usb-stick"
    elsewhere.mkdir()
    shutil.copyfile(path, elsewhere / "copy.journal")  # the lock died with the process too
    assert read_columns(path)[0]  # killed between two appends: the header's CRC is right
    for journal_path in (path, elsewhere / "copy.journal"):
        with Journal(journal_path) as journal:
            assert journal.entries() == {
                (K1, 0): Entry("answered", 1.0, 200, "SMS message sent.", "31612345678"),
                (K2, 0): Entry("in_flight", 2.0),
            }


# -- the columnar reader a resume uses agrees with the plain one --------------------------------


def read_columns(path: Path) -> tuple[bool, list[list[object]]]:
    """Whether the header's CRC vouched for the records, and the records as columns."""
    fd = os.open(path, os.O_RDONLY)
    names = ("event", "key", "occurrence", "starts", "ends")
    try:
        records = fmt.Records(fd, fmt.read_header(fd, str(path)), str(path))
        columns = [
            column
            for c in records  # a chunk's data is good until the next one is read
            for column in (
                *(getattr(c, name).tolist() for name in names),
                c.at(np.arange(len(c))).tolist(),
            )
        ]
    finally:
        os.close(fd)
    return records.trusted, columns


def test_the_header_crc_vouches_for_every_record_and_a_wrong_one_checks_each(tmp_path):
    path = tmp_path / "campaign.journal"
    write_three(path)
    trusted, columns = read_columns(path)
    assert trusted
    data = path.read_bytes()
    at = data.index(b"crc=") + 4
    path.write_bytes(data[:at] + (b"0" if data[at:at + 1] != b"0" else b"1") + data[at + 1 :])
    assert read_columns(path) == (False, columns)  # each record checked: the same columns
    with Journal(path) as journal:
        assert journal.entries() == THREE
    assert path.read_bytes() == data  # the header's CRC set right again


def test_a_version_2_journal_is_resumed_and_stays_version_2(tmp_path):
    path = tmp_path / "campaign.journal"
    first = fmt.record(fmt.BEGIN, K1, 0, 10.0, ("31612345678", "text", "Hi Ann"))
    path.write_bytes(fmt.header("full", 1, 0, version=2) + first)  # as smsbatch wrote it before
    assert len(fmt.header("full", 1, 0, version=2)) == 72 and b"crc" not in path.read_bytes()
    with Journal(path) as journal:
        assert journal.entries() == {(K1, 0): Entry("in_flight", 10.0)}
        journal.answer((K1, 0), 200, "SMS message sent.", "31612345678", at=10.5)
    data = path.read_bytes()
    assert data.startswith(b"smsbatch-journal v2 privacy=full    records=00000000000000000002 ")
    assert read_columns(path)[0] is False  # no CRC in its header: each record is checked
    with Journal(path) as journal:
        assert journal.entries() == {(K1, 0): THREE[(K1, 0)]}


def test_the_vectorised_checksum_is_zlibs():
    rng = np.random.default_rng(7)
    data = rng.integers(0, 256, (50, 9), dtype=np.uint8)
    start = rng.integers(0, 2**32, 50, dtype=np.uint64).astype(np.uint32)
    expected = [zlib.crc32(row.tobytes(), int(s)) for row, s in zip(data, start, strict=True)]
    assert fmt._crc_continue(start, data).tolist() == expected


events = st.lists(
    st.tuples(
        st.integers(0, 5),  # which message
        st.sampled_from(["begin", "answer", "unknown", "not_sent"]),
        st.sampled_from([200, 503, 601, 999, -5]),
        st.text(max_size=8),
    ),
    max_size=40,
)


@settings(max_examples=40, deadline=None)
@given(events)
def test_a_resume_reads_the_same_latest_state_as_the_entries(tmp_path_factory, history):
    path = tmp_path_factory.mktemp("j") / "campaign.journal"
    idents = [(key(f"m{n % 4}"), n // 4) for n in range(6)]  # two messages sent twice
    with Journal(path) as journal:
        for step, (n, event, code, text) in enumerate(history):
            at = 1_733_000_000 + step * 0.123457  # every one of the 16 digits in use
            if event == "begin":
                journal.begin(idents[n], "31612345678", "text", text, at=at)
            elif event == "answer":
                journal.answer(idents[n], code, text, "31612345678", at=at)
            else:
                journal.no_answer(idents[n], event, text, at=at)
    digests = np.frombuffer(b"".join(bytes.fromhex(k) for k, _ in idents), np.uint64)
    recorded = Recorded(digests.reshape(-1, 2), np.array([occ for _, occ in idents]))
    with Journal(path, reader=recorded) as journal:
        entries = journal.entries()
    for row, ident in enumerate(idents):
        entry = entries.get(ident)
        states = {ord("b"): "in_flight", ord("a"): "answered", ord("u"): "unknown"}
        state = {**states, ord("n"): "not_sent"}.get(int(recorded.event[row]))
        assert state == (entry and entry.state)
        if entry is None:
            continue
        if any(idents[n] == ident and event == "begin" for n, event, _, _ in history):
            assert recorded.sent_at[row] == entry.sent_at  # the last attempt's time
        if entry.state == "answered":
            assert recorded.code[row] == entry.code
            text, destination = recorded.answer(int(recorded.note[row]))
            assert text == entry.text
            assert destination in ("=", entry.destination)
        elif entry.state != "in_flight":
            assert recorded.error(int(recorded.note[row])) == entry.error


def read_back(path: Path, idents: list[tuple[str, int]]) -> tuple[list[list[str]], list[object]]:
    """Every record's fields, and what a resume's reader makes of them, without writing."""
    digests = np.frombuffer(b"".join(bytes.fromhex(k) for k, _ in idents), np.uint64)
    recorded = Recorded(digests.reshape(-1, 2), np.array([occ for _, occ in idents]))
    fd = os.open(path, os.O_RDONLY)
    try:
        fields = []
        for chunk in fmt.Records(fd, fmt.read_header(fd, str(path)), str(path)):
            recorded(chunk)
            fields += [chunk.fields(row) for row in range(len(chunk))]
    finally:
        os.close(fd)
    notes = [
        recorded.answer(int(n)) if e == ord("a") else recorded.error(int(n)) if n >= 0 else None
        for e, n in zip(recorded.event, recorded.note, strict=True)
    ]
    state = [recorded.event.tolist(), recorded.code.tolist(), recorded.sent_at.tolist(), notes]
    return fields, state


@pytest.mark.parametrize("block", [64, 150, 1000])
@pytest.mark.parametrize("header", ["right", "wrong"])
@pytest.mark.parametrize("system", ["preadv", "windows", "short reads"])
def test_records_across_read_blocks_are_read_as_in_one(
    tmp_path, monkeypatch, block, header, system
):
    """A journal is read in blocks: records that straddle two, records longer than a block and
    a torn last line read the same as with one block for the whole file, with the header's CRC
    vouching for the records or each checked on its own (and where there is no preadv, or the
    file system gives short reads before the end)."""
    if system == "windows":
        monkeypatch.delattr(os, "preadv")
    elif system == "short reads":
        preadv = os.preadv
        monkeypatch.setattr(os, "preadv", lambda fd, bufs, at: preadv(fd, [bufs[0][:37]], at))
    path = tmp_path / "campaign.journal"
    idents = [(key(f"m{n}"), n % 2) for n in range(30)]
    with Journal(path) as journal:
        for n, ident in enumerate(idents):
            journal.begin(ident, "31612345678", "text", "lang " * n, at=1000.0 + n)
            if n % 3 == 0:
                journal.answer(ident, 200 + n, f"ok {n}", "=", at=1000.5 + n)
            elif n % 3 == 1:
                journal.no_answer(ident, "unknown", f"timeout {n}", at=1000.5 + n)
            if n % 6 == 3:  # refused, then tried again by a run that died before the answer
                journal.begin(ident, "31612345678", "text", "lang " * n, at=1000.7 + n)
    data = path.read_bytes()
    if header == "wrong":
        at = data.index(b"crc=") + 4
        data = data[:at] + (b"0" if data[at : at + 1] != b"0" else b"1") + data[at + 1 :]
    path.write_bytes(data + b"b\t" + b"0" * 40)  # a torn last line: the crash of an append
    whole = read_back(path, idents)
    assert len(whole[0]) == 55 and whole[1][0].count(ord("a")) == 5
    assert [whole[1][3][n] for n in (3, 9)] == [None, None]  # no answer to the last attempt
    monkeypatch.setattr(fmt, "_READ_SIZE", block)
    assert read_back(path, idents) == whole
