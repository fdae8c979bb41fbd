"""run_campaign: the one campaign run the CLI and the panel share, reported as data."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

from smsbatch import CampaignChangedError, Client, Simulator, prepare, run_campaign

CAMPAIGN = {"to": "phone", "text": "Hi {name}", "sender": "Clinic"}
FAST = {"rate": None, "backoff": 0, "progress": False}


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator() as simulator:
        yield simulator


@pytest.fixture
def client(sim: Simulator) -> Iterator[Client]:
    with Client(sim.login, sim.password, sim.url) as connected:
        yield connected


def people(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {"name": [f"P{i}" for i in range(n)], "phone": [f"06{20000000 + i}" for i in range(n)]}
    )


def test_a_full_run_reports_its_counts(sim, client, tmp_path):
    report = run_campaign(people(4), client, journal=tmp_path / "j.db", **FAST, **CAMPAIGN)
    assert (report.sent, report.failed, report.unknown, report.not_attempted) == (4, 0, 0, 0)
    assert report.complete and not report.stopped and report.stop_reason is None
    assert report.journal == tmp_path / "j.db"
    assert report.summary().counts["sent"] == 4 == len(sim.messages)


def test_a_stop_is_reported_not_raised_with_what_to_fix_first(sim, client, tmp_path):
    sim.funds = 2
    report = run_campaign(people(5), client, journal=tmp_path / "j.db", **FAST, **CAMPAIGN)
    assert report.stopped and report.stop_category == "auth_or_funds"
    assert report.sent == 2 and report.failed == 1 and report.not_attempted == 2
    assert report.fix_first is not None and "top up the credit" in report.fix_first
    assert report.stop_message().endswith("stopped after 3 of 5 messages")
    assert report.result["sms_status"].tolist().count("not_sent") == 2


def test_a_resume_counts_what_the_journal_already_settled(sim, client, tmp_path):
    journal = tmp_path / "j.db"
    sim.funds = 2
    run_campaign(people(5), client, journal=journal, **FAST, **CAMPAIGN)
    sim.funds = None
    report = run_campaign(people(5), client, journal=journal, **FAST, **CAMPAIGN)
    assert report.already_sent == 2 and report.sent == 3 and report.complete
    assert len({m.to for m in sim.messages}) == len(sim.messages) == 5


def test_a_campaign_that_changed_since_confirmation_sends_nothing(sim, client, tmp_path):
    optouts = tmp_path / "optouts.csv"
    optouts.write_text("phone\n0629999999\n", encoding="utf-8")
    shown = prepare(people(3), exclude=optouts, **CAMPAIGN)
    optouts.write_text("phone\n0620000001\n", encoding="utf-8")  # someone opted out meanwhile
    with pytest.raises(CampaignChangedError, match="nothing was sent"):
        run_campaign(people(3), client, confirmed=shown, exclude=optouts, **FAST, **CAMPAIGN)
    assert sim.requests == 0


def test_a_confirmed_campaign_that_did_not_change_is_sent(sim, client):
    shown = prepare(people(3), **CAMPAIGN)
    report = run_campaign(people(3), client, confirmed=shown, **FAST, **CAMPAIGN)
    assert report.sent == 3 and report.journal is None
