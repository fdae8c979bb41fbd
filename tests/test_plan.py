"""plan_send: what a confirmation names is what the run then does, message for message."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from smsbatch import Simulator, plan_send, prepare, run_campaign

FAST = {"rate": None, "backoff": 0, "progress": False}


def people(n: int) -> pd.DataFrame:
    """``n`` people; every third gets a text of two SMS parts, so parts differ from messages."""
    names = [("Lang" * 40 if i % 3 == 0 else f"P{i}") for i in range(n)]
    return pd.DataFrame({"name": names, "phone": [f"06{30000000 + i}" for i in range(n)]})


CAMPAIGN = {"to": "phone", "text": "Hi {name}", "sender": "Clinic", "price_per_segment": 0.05}


@pytest.mark.parametrize(
    ("limit", "resend_unknown"), [(None, False), (None, True), (4, False), (1, True)]
)
def test_the_plan_is_what_the_run_sends(
    sim: Simulator, client, tmp_path, limit: int | None, resend_unknown: bool
) -> None:
    journal = tmp_path / "j.db"
    frame = people(12)
    sim.malformed_next(1)  # the first answer cannot be read: its outcome is unknown
    sim.funds = 3  # then three sent and one refused: the campaign stops there
    run_campaign(frame, client, journal=journal, **FAST, **CAMPAIGN)
    sim.funds = None
    before = len(sim.messages)
    shown = prepare(frame, **CAMPAIGN)

    plan = plan_send(
        shown, gateway=client.base_url, journal=journal, limit=limit,
        resend_unknown=resend_unknown, rate=None,
    )  # fmt: skip
    report = run_campaign(
        frame, client, journal=journal, limit=limit, resend_unknown=resend_unknown,
        **FAST, **CAMPAIGN,
    )  # fmt: skip

    sent_now = sim.messages[before:]
    assert plan.messages == report.sent == len(sent_now)
    sent_rows = report.result[report.result["sms_to"].isin({m.to for m in sent_now})]
    assert plan.parts == int(sent_rows["sms_segments"].sum())
    assert plan.cost == pytest.approx(plan.parts * 0.05)
    assert plan.first is not None and plan.first.to == sent_now[0].to
    assert plan.journal_sent == report.already_sent > 0
    assert plan.journal_unknown == (0 if resend_unknown else 1)
    assert plan.beyond_limit == report.result["sms_status"].eq("not_sent").sum()
    assert plan.host == client.base_url.split("/")[2]


def test_a_plan_creates_nothing_and_names_the_repeats_of_another_journal(
    sim: Simulator, client, tmp_path
) -> None:
    frame = people(5)
    run_campaign(frame, client, journal=tmp_path / "first.db", **FAST, **CAMPAIGN)
    shown = prepare(frame, **CAMPAIGN)
    other = tmp_path / "second.db"

    plan = plan_send(shown, gateway=client.base_url, journal=other)
    assert not other.exists()
    assert (plan.messages, plan.parts, plan.repeats.count, plan.first) == (0, 0, 5, None)
    again = plan_send(shown, gateway=client.base_url, journal=other, allow_repeat=True)
    assert again.messages == 5 and again.repeats.count == 5


def test_the_finish_counts_what_goes_within_the_sending_hours(sim: Simulator, client) -> None:
    amsterdam = ZoneInfo("Europe/Amsterdam")
    shown = prepare(people(30), **CAMPAIGN)
    plan = plan_send(
        shown, gateway=client.base_url, limit=20, rate=1, window="08:00-21:00",
        now=dt.datetime(2026, 12, 1, 20, 59, 50, tzinfo=amsterdam),
    )  # fmt: skip
    assert plan.messages == plan.finish.units == 20 and plan.beyond_limit == 10
    assert plan.finish.done.hour == 8 and plan.finish.done.day == 2  # paused overnight
