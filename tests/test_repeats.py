"""Never twice across journals: a campaign whose messages another journal already sent skips
them (unless allow_repeat=True), says so on their rows, in the report and in the summary."""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from smsbatch import (
    Client,
    Simulator,
    prepare,
    run_campaign,
    send,
    summarize,
)
from smsbatch.sending.history import History
from smsbatch.sending.repeats import check_history

CAMPAIGN = {"to": "phone", "text": "Hi {name}", "sender": "Clinic"}
FAST = {"rate": None, "backoff": 0, "progress": False}


def people(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {"name": [f"P{i}" for i in range(n)], "phone": [f"06{20000000 + i}" for i in range(n)]}
    )


def _received(sim: Simulator) -> list[tuple[str, str]]:
    return sorted((m.to, m.text or "") for m in sim.messages)


def test_a_second_journal_skips_what_the_first_sent_and_says_so(sim, client, tmp_path):
    first = run_campaign(people(3), client, journal=tmp_path / "campagne.db", **FAST, **CAMPAIGN)
    assert first.sent == 3 and first.repeats == 0

    report = run_campaign(people(5), client, journal=tmp_path / "kopie.db", **FAST, **CAMPAIGN)

    assert report.sent == 2 and report.repeats == 3 and report.to_send == 2 and report.complete
    assert len(_received(sim)) == len(set(_received(sim))) == 5  # nobody twice
    rows = report.result
    assert rows["sms_status"].tolist() == ["duplicate"] * 3 + ["sent"] * 2
    today = time.strftime("%d %b %Y")
    assert rows.loc[0, "sms_error"] == (
        f"the same message was sent to this number on {today} through another journal"
        " (campagne.db); allow_repeat=True (--allow-repeat) sends it again"
    )
    assert (rows.loc[3:, "sms_error"] == "").all()
    advice = "\n".join(summarize(rows).advice)
    assert "3 rows were already sent (same number, same message) through another journal" in advice
    assert "repeat the number and message of an earlier row" not in advice


def test_send_warns_about_the_repeats_it_skipped(sim, client, tmp_path):
    send(people(2), client, journal=tmp_path / "a.db", **FAST, **CAMPAIGN)
    with pytest.warns(UserWarning, match="2 messages were already sent to the same numbers"):
        result = send(people(2), client, journal=tmp_path / "b.db", **FAST, **CAMPAIGN)
    assert result["sms_status"].tolist() == ["duplicate", "duplicate"]
    assert len(sim.messages) == 2


def test_without_a_journal_a_second_run_is_another_journal(sim, client):
    run_campaign(people(2), client, **FAST, **CAMPAIGN)
    report = run_campaign(people(2), client, **FAST, **CAMPAIGN)
    assert report.repeats == 2 and len(sim.messages) == 2
    assert "(no journal)" in report.result.loc[0, "sms_error"]


def test_allow_repeat_sends_them_again_and_records_the_new_sends(sim, client, tmp_path):
    run_campaign(people(2), client, journal=tmp_path / "a.db", **FAST, **CAMPAIGN)
    report = run_campaign(
        people(2), client, journal=tmp_path / "b.db", allow_repeat=True, **FAST, **CAMPAIGN
    )
    assert report.sent == 2 and report.repeats == 0 and len(sim.messages) == 4
    assert report.result["sms_status"].tolist() == ["sent", "sent"]


def test_history_false_neither_checks_nor_records(sim, client, tmp_path, history):
    run_campaign(people(2), client, journal=tmp_path / "a.db", history=False, **FAST, **CAMPAIGN)
    assert not history.exists()
    run_campaign(people(2), client, journal=tmp_path / "a2.db", **FAST, **CAMPAIGN)
    report = run_campaign(
        people(2), client, journal=tmp_path / "b.db", history=False, **FAST, **CAMPAIGN
    )
    assert report.repeats == 0 and len(sim.messages) == 6


def test_history_path_uses_that_file(sim, client, tmp_path, history):
    own = tmp_path / "office-history.db"
    run_campaign(people(2), client, journal=tmp_path / "a.db", history=own, **FAST, **CAMPAIGN)
    assert own.exists() and not history.exists()
    report = run_campaign(
        people(2), client, journal=tmp_path / "b.db", history=own, **FAST, **CAMPAIGN
    )
    assert report.repeats == 2


def test_a_resume_through_the_same_journal_is_never_a_repeat(sim, client, tmp_path):
    journal = tmp_path / "j.db"
    sim.funds = 2
    run_campaign(people(4), client, journal=journal, **FAST, **CAMPAIGN)
    sim.funds = None
    report = run_campaign(people(4), client, journal=journal, **FAST, **CAMPAIGN)
    assert (report.already_sent, report.sent, report.repeats) == (2, 2, 0)
    assert len(set(_received(sim))) == len(sim.messages) == 4


def test_the_same_message_twice_in_one_campaign_resumes_without_a_repeat(sim, client, tmp_path):
    """dedupe=False: the second copy left after a stop is the journal's, not a repeat."""
    twice = pd.concat([people(2), people(2)], ignore_index=True)
    journal = tmp_path / "j.db"
    sim.funds = 2
    run_campaign(twice, client, journal=journal, dedupe=False, **FAST, **CAMPAIGN)
    sim.funds = None
    report = run_campaign(twice, client, journal=journal, dedupe=False, **FAST, **CAMPAIGN)
    assert (report.already_sent, report.sent, report.repeats) == (2, 2, 0)


def test_an_unknown_outcome_is_recorded_and_held_back_in_another_journal(sim, client, tmp_path):
    sim.drop_next(2, delivered=True)  # no answer comes back: the outcome is unknown
    first = run_campaign(people(2), client, journal=tmp_path / "a.db", **FAST, **CAMPAIGN)
    assert first.unknown == 2
    report = run_campaign(people(2), client, journal=tmp_path / "b.db", **FAST, **CAMPAIGN)
    assert report.repeats == 2 and report.sent == 0
    note = report.result.loc[0, "sms_error"]
    assert "its outcome is unknown there; check with the provider" in note


def test_check_history_shows_the_repeats_before_anything_is_sent(sim, client, tmp_path):
    run_campaign(people(3), client, journal=tmp_path / "campagne.db", **FAST, **CAMPAIGN)
    shown = prepare(people(5), **CAMPAIGN)

    here = client.base_url
    repeats = check_history(shown, journal=tmp_path / "kopie.db", gateway=here)
    assert repeats.count == 3 and repeats.unknown == 0
    assert repeats.journals == ("campagne.db",) and repeats.days == (time.strftime("%d %b %Y"),)
    marked = repeats.mark(shown.frame)
    assert summarize(marked).counts["ready"] == 2
    assert shown.frame["sms_status"].tolist() == ["ready"] * 5  # unchanged
    assert check_history(shown, journal=tmp_path / "campagne.db", gateway=here).count == 0
    copy = tmp_path / "kopie.db"
    assert check_history(shown, journal=copy, gateway=here, history=False).count == 0
    # Another gateway (the real one, after a rehearsal on the simulator) skips nobody.
    assert check_history(shown, journal=tmp_path / "kopie.db", gateway="https://x/api/").count == 0
    assert len(sim.messages) == 3



def test_a_journal_deleted_and_made_anew_at_its_path_sends_nobody_twice(sim, client, tmp_path):
    """The history knows what went through the path; the new file there does not: repeats."""
    journal = tmp_path / "j.db"
    sim.funds = 2
    run_campaign(people(4), client, journal=journal, **FAST, **CAMPAIGN)  # stops after 2
    sim.funds = None
    journal.unlink()
    shown = prepare(people(4), **CAMPAIGN)
    repeats = check_history(shown, journal=journal, gateway=client.base_url)
    assert repeats.count == 2
    assert "through another journal (j.db, an earlier file at this path)" in str(repeats)
    report = run_campaign(people(4), client, journal=journal, **FAST, **CAMPAIGN)
    assert (report.already_sent, report.sent, report.repeats) == (0, 2, 2)
    assert len(set(_received(sim))) == len(sim.messages) == 4
    # The new journal records the last two: resuming it again is its own business.
    again = run_campaign(people(4), client, journal=journal, **FAST, **CAMPAIGN)
    assert (again.already_sent, again.sent, again.repeats) == (2, 0, 2)
    assert len(sim.messages) == 4

def test_check_history_creates_no_file(tmp_path, history):
    assert check_history(prepare(people(1), **CAMPAIGN)).count == 0
    assert not history.exists()


def test_a_history_that_cannot_be_used_stops_the_run_before_anything_is_sent(
    sim, client, tmp_path
):
    bad = tmp_path / "h.db"
    bad.write_bytes(b"garbage " * 1000)
    from smsbatch import HistoryError

    with pytest.raises(HistoryError, match="--no-history"):
        run_campaign(people(2), client, history=bad, **FAST, **CAMPAIGN)
    assert sim.requests == 0


def test_a_sent_message_is_in_the_history_even_when_the_run_stops(sim, client, tmp_path, history):
    sim.funds = 1
    run_campaign(people(3), client, journal=tmp_path / "a.db", **FAST, **CAMPAIGN)
    with History(history, tmp_path / "b.db", client.base_url) as past:
        assert len(past.repeats(m.key for _, m in prepare(people(3), **CAMPAIGN).messages())) == 1


def test_the_report_and_summary_of_a_run_with_repeats_in_a_results_file_read_back(
    sim, client, tmp_path
):
    from smsbatch import read_recipients, write_results

    run_campaign(people(1), client, journal=tmp_path / "a.db", **FAST, **CAMPAIGN)
    report = run_campaign(people(2), client, journal=tmp_path / "b.db", **FAST, **CAMPAIGN)
    path = write_results(report.result, tmp_path / "r.xlsx")
    back = read_recipients(Path(path))
    assert "through another journal" in "\n".join(summarize(back).advice)


def test_a_rehearsal_against_the_simulator_skips_nobody_at_the_real_gateway(sim, client, tmp_path):
    run_campaign(people(3), client, journal=tmp_path / "proef.db", **FAST, **CAMPAIGN)
    with Simulator() as real, Client(real.login, real.password, real.url) as elsewhere:
        journal = tmp_path / "echt.db"
        report = run_campaign(people(3), elsewhere, journal=journal, **FAST, **CAMPAIGN)
        assert report.repeats == 0 and report.sent == 3 and len(real.messages) == 3


@pytest.mark.parametrize("how", ["journal-made-anew", "allow-repeat"])
def test_a_limited_run_claims_exactly_the_messages_it_sends(
    sim, client, tmp_path, history, monkeypatch, how
):
    """What a campaign started meanwhile finds 'being sent right now' is what this run sends:
    claiming others would leave them to nobody, missing some would let them go twice."""
    journal = tmp_path / "j.db"
    first = journal if how == "journal-made-anew" else tmp_path / "other.db"
    run_campaign(people(3), client, journal=first, **FAST, **CAMPAIGN)
    if how == "journal-made-anew":
        journal.unlink()
    everyone = prepare(people(10), **CAMPAIGN)
    keys = {m.key: m.to for _, m in everyone.messages()}
    seen: dict[str, str] = {}
    recording = History.recording

    def look_first(self):  # type: ignore[no-untyped-def]
        if not seen:  # the claims are made: look as a campaign starting now would
            with History(history, tmp_path / "meanwhile.db", client.base_url) as other:
                found = other.repeats(keys)
            seen.update({keys[k]: r.state for k, r in found.items()})
        return recording(self)

    monkeypatch.setattr(History, "recording", look_first)
    report = run_campaign(
        people(10), client, journal=journal, limit=5, allow_repeat=how == "allow-repeat",
        **FAST, **CAMPAIGN,
    )  # fmt: skip
    assert report.sent == 5
    now = {m.to for m in sim.messages[3:]}
    assert now <= set(seen)  # each is sent or being sent, for the campaign starting meanwhile
    assert {to for to, state in seen.items() if state == "sending"} <= now  # no other claimed


def test_two_sends_without_journals_at_once_text_nobody_twice(sim, client):
    """send()'s default has no journal: its claims live by a locked file beside the history.
    The first run is held before its first message (its start time not yet come, on a clock
    the test turns) while the second runs."""
    start = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
    waiting, go = threading.Event(), threading.Event()

    class Clock:
        def now(self) -> dt.datetime:
            return start if go.is_set() else start - dt.timedelta(hours=1)

        def wait(self, seconds: float) -> bool:
            waiting.set()  # claimed, and waiting for its start
            go.wait(30)
            return False

    first = threading.Thread(
        target=run_campaign, args=(people(10), client),
        kwargs={**FAST, "start_at": start, "clock": Clock(), **CAMPAIGN},
    )  # fmt: skip
    first.start()
    try:
        assert waiting.wait(30)
        second = run_campaign(people(10), client, **FAST, **CAMPAIGN)
    finally:
        go.set()
        first.join()
    assert second.sent == 0 and second.repeats == 10
    assert len(set(_received(sim))) == len(sim.messages) == 10
