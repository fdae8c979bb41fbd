"""A real campaign's journal read back as a table, and purged without losing "never twice"."""

from __future__ import annotations

import datetime as dt
import os
import re

import pandas as pd
import pytest

import smsbatch
from smsbatch.exceptions import CampaignStopped, ConfigurationError, JournalError
from smsbatch.gateway.client import Client
from smsbatch.gateway.simulator import Simulator
from smsbatch.sending.journal import Journal

DAY = 24 * 3600


def people(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": [f"Person {i}" for i in range(n)],
            "phone": [f"06{20000000 + i}" for i in range(n)],
        }
    )


def options(journal: object, **more: object) -> dict[str, object]:
    base = {"text": "Hi {name}", "sender": "Clinic", "rate": None, "backoff": 0}
    return {**base, "progress": False, "journal": journal, "max_consecutive_failures": None, **more}


def campaign(sim: Simulator, client: Client, journal: object) -> pd.DataFrame:
    """Six messages: sent after a 503, sent, refused by the carrier, unknown, sent, sent."""
    sim.fail_numbers(["31620000002"])
    sim.fail_next(1, code=503)
    smsbatch.send(people(3), client, **options(journal))
    sim.drop_next(1)
    return smsbatch.send(people(6).iloc[3:], client, **options(journal))


def test_read_journal_gives_every_message_with_its_latest_state(sim, client, tmp_path):
    journal = tmp_path / "campagne.db"
    result = campaign(sim, client, journal)
    messages = smsbatch.read_journal(journal)
    assert list(messages.columns) == [
        "number",
        "kind",
        "text",
        "status",
        "code",
        "answer",
        "destination",
        "error",
        "first_at",
        "last_at",
        "attempts",
        "key",
        "occurrence",
    ]
    by_number = messages.set_index("number")
    assert by_number["status"].to_dict() == {
        f"3162000000{i}": status
        for i, status in enumerate(["sent", "sent", "failed", "unknown", "sent", "sent"])
    }
    assert by_number.loc["31620000002", "code"] == 601
    assert by_number.loc["31620000000", "text"] == "Hi Person 0"
    assert by_number.loc["31620000001", "destination"] == "31620000001"
    assert "check with the provider" in by_number.loc["31620000003", "error"]
    assert by_number["attempts"].tolist() == [2, 1, 1, 1, 1, 1]  # the 503 was tried again
    assert (messages["last_at"] >= messages["first_at"]).all()
    assert str(messages["first_at"].dt.tz) == "UTC"
    # The journal says what the result said.
    assert result["sms_status"].tolist() == by_number["status"].tolist()[3:]


def test_a_journal_can_be_read_while_a_campaign_holds_it(sim, client, tmp_path):
    journal = tmp_path / "campagne.db"
    smsbatch.send(people(2), client, **options(journal))
    with Journal(journal):
        assert len(smsbatch.read_journal(journal)) == 2


def test_a_purged_journal_keeps_states_and_still_prevents_a_double_send(sim, client, tmp_path):
    journal = tmp_path / "campagne.db"
    sim.funds = 3
    with pytest.raises(CampaignStopped):
        smsbatch.send(people(5), client, **options(journal))
    sim.drop_next(1)
    sim.funds = None
    smsbatch.send(people(5), client, **options(journal, max_consecutive_failures=10))
    before = smsbatch.read_journal(journal)
    assert smsbatch.purge_journal(journal, older_than="30d") == 0  # nothing that old
    purged = smsbatch.purge_journal(
        journal, older_than="30d", now=before["last_at"].max().timestamp() + 31 * DAY
    )
    unknown = before.loc[before["status"] == "unknown", "number"].tolist()
    assert len(unknown) == 1
    assert purged == len(before) - 1
    after = smsbatch.read_journal(journal)
    assert after["status"].tolist() == before["status"].tolist()
    assert after["code"].tolist() == before["code"].tolist()
    assert after["number"].tolist() == ["" if n not in unknown else n for n in before["number"]]
    data = journal.read_bytes()
    for number in before["number"]:
        assert (number.encode() in data) == (number in unknown)
    # Only the unknown message keeps its text (in both its attempts): it is still to be checked.
    assert set(re.findall(rb"Person \d", data)) == {b"Person 3"}
    received = len(sim.messages)
    again = smsbatch.send(people(5), client, **options(journal))
    assert len(sim.messages) == received  # nobody twice, and the unknown one is not re-sent
    assert again["sms_status"].value_counts().to_dict() == {"sent": 4, "unknown": 1}


def test_purge_waits_for_no_campaign_and_takes_durations(sim, client, tmp_path):
    journal = tmp_path / "campagne.db"
    smsbatch.send(people(1), client, **options(journal))
    with Journal(journal), pytest.raises(JournalError, match="in use by another campaign"):
        smsbatch.purge_journal(journal, older_than="1d")
    with pytest.raises(ConfigurationError, match="'30 days' is not a duration"):
        smsbatch.purge_journal(journal, older_than="30 days")
    far = dt.datetime.now().timestamp() + 3 * 7 * DAY
    assert smsbatch.purge_journal(journal, older_than=dt.timedelta(weeks=2), now=far) == 1
    assert smsbatch.purge_journal(journal, older_than="2w", now=far) == 0  # already purged



def test_purge_keeps_the_journal_private_whatever_the_umask(sim, client, tmp_path):
    journal = tmp_path / "campagne.db"
    smsbatch.send(people(2), client, **options(journal))
    assert journal.stat().st_mode & 0o777 == 0o600
    old = os.umask(0o022)  # a usual umask: a file made with open() would be 644
    try:
        far = dt.datetime.now().timestamp() + 40 * DAY
        assert smsbatch.purge_journal(journal, older_than="30d", now=far) == 2
    finally:
        os.umask(old)
    assert journal.stat().st_mode & 0o777 == 0o600
    journal.chmod(0o640)  # a mode the user chose is kept
    smsbatch.send(people(3), client, **options(journal))
    smsbatch.purge_journal(journal, older_than="30d", now=far)
    assert journal.stat().st_mode & 0o777 == 0o640


def test_purge_of_a_mistyped_path_creates_nothing(tmp_path):
    with pytest.raises(JournalError, match="there is no journal .*campange.db.*check the path"):
        smsbatch.purge_journal(tmp_path / "campange.db", older_than="30d")
    assert list(tmp_path.iterdir()) == []

def test_read_journal_refuses_what_it_cannot_trust(tmp_path):
    with pytest.raises(JournalError, match="cannot read the journal .*missing.db"):
        smsbatch.read_journal(tmp_path / "missing.db")
    (tmp_path / "empty.db").write_bytes(b"")
    with pytest.raises(JournalError, match="is empty"):
        smsbatch.read_journal(tmp_path / "empty.db")
