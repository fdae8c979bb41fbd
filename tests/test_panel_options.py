"""The campaign panel's options, driven headlessly as a person drives them: the rate and its
"no limit", sending hours and a start time, a limit, the opt-out line, the commercial check, the
history of sends, the journal's privacy and a test send, against the real simulator."""

from __future__ import annotations

import collections
import datetime as dt
import re
from html import unescape
from pathlib import Path
from zoneinfo import ZoneInfo

import ipywidgets as widgets
import pandas as pd
import pytest

from smsbatch import CampaignPanel, Client, Simulator, panel, read_journal

pytestmark = pytest.mark.usefixtures("folder")  # the panel keeps its journal there

READY = 20  # rows of the sample that get "Hoi {voornaam}!"
AMS = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def ready(ready_panel: CampaignPanel) -> CampaignPanel:
    return ready_panel


def _send(p: CampaignPanel) -> None:
    p.confirm.value = True
    p.send_button.click()


def _text(html: str) -> str:
    """What a person reads in a piece of the panel's HTML."""
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))).strip()


def test_the_options_sit_in_a_closed_accordion_with_the_names_of_send(
    ready: CampaignPanel,
) -> None:
    options = ready.controls.box
    assert isinstance(options, widgets.Accordion) and options.selected_index is None
    assert "sending hours, limit, opt-out line, test send" in options.get_title(0)
    assert options in ready.widget.children[2].children[0].children
    assert ready.controls.sending_options() == {
        "rate": None, "window": None, "days": "mon-sun", "tz": "Europe/Amsterdam",
        "start_at": None, "limit": None, "allow_repeat": False, "journal_privacy": "full",
    }  # fmt: skip


def test_the_rate_says_no_limit_explicitly_and_0_is_a_problem_in_words(
    ready: CampaignPanel, sim: Simulator
) -> None:
    rate, unlimited = ready.controls.rate, ready.controls.unlimited
    assert unlimited.value and rate.disabled
    assert "as fast as the gateway answers" in ready.confirmation.value

    unlimited.value = False  # the rate field now counts: it holds 0
    assert not rate.disabled and ready.state == "editing" and ready.confirm.disabled
    assert "the rate 0/s would never send" in _text(ready.hint.value)
    assert "tick 'no limit'" in _text(ready.hint.value) and ready.confirmation.value == ""
    ready.send_button.click()
    assert sim.requests == 0

    rate.value = 50
    assert ready.state == "previewed" and ready.hint.value == ""
    assert f"When: {READY} messages at 50/s: done " in _text(ready.confirmation.value)
    assert f"When: {READY} messages at 50/s: done " in _text(ready.preview.value)  # under it


def test_rate_0_given_to_the_panel_is_shown_as_a_problem_not_taken_as_no_limit(
    recipients: pd.DataFrame, client: Client
) -> None:
    p = panel(recipients, client, to="telefoon", text="Hoi {voornaam}!", sender="Praktijk",
              rate=0)  # fmt: skip
    assert not p.controls.unlimited.value and p.state == "editing"
    assert "would never send" in p.hint.value


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("window", "8-21", "window='8-21' is not a window like '08:00-21:00'"),
        ("window", "21:00-08:00", "closes before it opens"),
        ("days", "weekdays", "is not a list of days like 'mon-sat'"),
        ("tz", "Amsterdam", "is not a time zone: use a name like 'Europe/Amsterdam'"),
        ("start_at", "morgen", "is not a date and time like '2026-12-02 08:30'"),
        ("start_at", "2020-01-01 08:00", "is in the past; nothing was sent"),
        ("limit", "vijf", "limit must be a whole number >= 0, not 'vijf'"),
        ("limit", "-3", "limit must be a whole number >= 0"),
    ],
    ids=["window", "window-backwards", "days", "tz", "start-at", "start-in-the-past",
         "limit-word", "limit-negative"],
)
def test_a_bad_option_is_a_problem_in_words_before_anything_can_be_sent(
    ready: CampaignPanel, sim: Simulator, field: str, value: str, words: str
) -> None:
    ready.confirm.value = True
    getattr(ready.controls, field).value = value
    assert not ready.confirm.value  # the edit unticked the box
    assert ready.state == "editing" and ready.confirm.disabled and ready.send_button.disabled
    assert "Check the options: " in ready.hint.value and words in _text(ready.hint.value)
    assert ready.confirmation.value == ""
    ready.send_button.click()
    assert sim.requests == 0


def test_the_confirmation_tells_the_whole_truth(ready: CampaignPanel, sim: Simulator) -> None:
    ready.price.value = 0.07
    ready.controls.footer.value = " Afmelden? Sms STOP naar 3010"
    ready.controls.window.value = "08:00-21:00"
    ready.controls.days.value = "mon-sat"
    shown = _text(ready.confirmation.value)
    host = sim.url.split("/")[2]
    assert (
        f"Send {READY} messages = {READY} SMS parts, estimated cost 1.40, from Praktijk through"
        f" the gateway at {host}." in shown
    )
    assert re.search(
        rf"When: {READY} messages as fast as the gateway answers within 08:00-21:00 mon-sat"
        r" \(Europe/Amsterdam\)( from \w+ at \d\d:\d\d| from \w{3} \d\d \w{3} at \d\d:\d\d)?:"
        r" done ",
        shown,
    ), shown
    assert "First message, to 31612345601: Hoi Sanne! Afmelden? Sms STOP naar 3010" in shown
    assert sim.password not in ready.confirmation.value


def test_a_start_time_is_named_with_its_finish(ready: CampaignPanel) -> None:
    day = dt.datetime.now(AMS).date() + dt.timedelta(days=3)
    ready.controls.start_at.value = f"{day} 09:00"
    ready.controls.unlimited.value = False
    ready.controls.rate.value = 2
    shown = _text(ready.confirmation.value)
    when = f"{day:%a %d %b} at"
    finish = f"{READY} messages at 2/s from {when} 09:00: done {when} 09:00 (Europe/Amsterdam)."
    assert finish in shown


def test_the_footer_is_counted_and_commercial_requires_it(ready: CampaignPanel) -> None:
    ready.template.value = "x" * 150
    assert f"= {READY} SMS parts" in ready.confirmation.value
    ready.controls.footer.value = " Afmelden? Sms STOP naar 3010"
    assert f"= {2 * READY} SMS parts" in ready.confirmation.value
    assert "Afmelden? Sms STOP naar 3010" in ready.preview.value

    ready.controls.footer.value = ""
    ready.controls.commercial.value = True
    assert ready.state == "editing" and "needs an opt-out line" in ready.preview.value
    ready.controls.footer.value = " Stop? Sms STOP naar 3010"
    assert ready.state == "previewed"


def test_a_limit_sends_the_first_n_and_the_next_tick_the_rest(
    ready: CampaignPanel, sim: Simulator
) -> None:
    ready.controls.limit.value = "3"
    shown = _text(ready.confirmation.value)
    assert "Send 3 messages = 3 SMS parts" in shown
    assert f"Limit: the other {READY - 3} stay not_sent" in shown
    _send(ready)
    assert [m.to for m in sim.messages] == ["31612345601", "31612345602", "31612345603"]
    assert f"{READY - 3} messages are left for a later Send" in ready.status.value
    statuses = ready.result["sms_status"].value_counts()  # type: ignore[index]
    assert statuses["sent"] == 3 and statuses["not_sent"] == READY - 3
    # What the box confirms now: the journal skips the three, the limit takes three more.
    shown = _text(ready.confirmation.value)
    assert "skips 3 already sent with it" in shown and "Send 3 messages" in shown
    assert ready.state == "previewed" and not ready.confirm.disabled

    ready.controls.limit.value = ""
    assert f"Send {READY - 3} messages" in ready.confirmation.value
    _send(ready)
    received = collections.Counter(m.to for m in sim.messages)
    assert len(received) == READY and max(received.values()) == 1
    assert ready.state == "done" and "Sent." in ready.status.value and ready.hint.value == ""


def test_the_confirmation_counts_what_the_journal_skips_after_a_stop(
    ready: CampaignPanel, sim: Simulator
) -> None:
    sim.funds = 3
    _send(ready)
    assert ready.state == "stopped"
    shown = _text(ready.confirmation.value)
    assert "The journal smsbatch-panel.journal.db skips 3 already sent with it." in shown
    assert f"Send {READY - 3} messages" in shown and "First message, to 31612345604" in shown


def test_a_test_send_reaches_only_the_test_numbers_and_asks_for_a_new_tick(
    ready: CampaignPanel, sim: Simulator
) -> None:
    controls = ready.controls
    controls.unlimited.value, controls.rate.value = False, 2
    controls.limit.value = "5"
    controls.test_to.value = "06 1999 0000, +31619990001"
    ready.confirm.value = True
    controls.test_button.click()
    assert [(m.to, m.text) for m in sim.messages] == [
        ("31619990000", "Hoi Sanne!"),
        ("31619990001", "Hoi Sanne!"),
    ]
    status = _text(ready.status.value)
    assert "Test to 31619990000: sent (SMS message sent.)" in status
    assert "Test to 31619990001: sent (SMS message sent.)" in status
    assert "nothing went to the recipients" in status
    assert not ready.confirm.value and ready.state == "previewed" and ready.send_button.disabled
    assert ready.result is None  # a test is not the campaign's result
    ready.send_button.click()  # a late click: nothing is sent, the answers stay
    assert len(sim.messages) == 2 and "Test to 31619990000" in ready.status.value

    _send(ready)  # the campaign: a test counts as sent to nobody
    assert [m.to for m in sim.messages[2:]] == [f"3161234560{i}" for i in range(1, 6)]


def test_a_test_send_needs_numbers_and_refuses_a_bad_one_in_words(
    ready: CampaignPanel, sim: Simulator
) -> None:
    ready.controls.test_button.click()
    assert "Type your test numbers" in ready.status.value and sim.requests == 0
    ready.controls.test_to.value = "020 123 4567"  # a landline
    ready.controls.test_button.click()
    assert sim.requests == 0
    assert "Nothing was sent: Test_to: '020 123 4567'" in _text(ready.status.value)


def test_a_refused_test_send_says_the_gateways_answer(
    ready: CampaignPanel, sim: Simulator
) -> None:
    sim.funds = 0
    ready.controls.test_to.value = "0619990000"
    ready.controls.test_button.click()
    status = _text(ready.status.value)
    assert "Test to 31619990000: failed" in status and "Insufficient funds" in status
    assert "cf222e" in ready.status.value and ready.state == "previewed"


def test_the_history_of_sends_is_shown_before_send_and_allow_repeat_sends_them(
    recipients: pd.DataFrame, client: Client, sim: Simulator
) -> None:
    options = dict(to="telefoon", text="Hoi {voornaam}!", sender="Praktijk", rate=None)
    first = panel(recipients, client, journal="eerste.db", limit=5, **options)
    _send(first)
    second = panel(recipients, client, journal="tweede.db", **options)
    shown = _text(second.confirmation.value)
    assert re.search(
        r"The history of sends: 5 messages were sent to the same numbers on \d\d \w{3} \d{4}"
        r" through another journal \(eerste.db\): they will be skipped", shown
    ), shown
    assert f"Send {READY - 5} messages" in shown
    assert not second.controls.allow_repeat.value  # unticked by default

    second.controls.allow_repeat.value = True
    shown = _text(second.confirmation.value)
    assert f"Send {READY} messages" in shown and "they will be sent again" in shown
    _send(second)
    assert len(sim.messages) == 5 + READY


def test_everything_sent_through_another_journal_leaves_nothing_to_confirm(
    recipients: pd.DataFrame, client: Client, sim: Simulator
) -> None:
    options = dict(to="telefoon", text="Hoi {voornaam}!", sender="Praktijk", rate=None)
    _send(panel(recipients, client, journal="eerste.db", **options))
    again = panel(recipients, client, journal="tweede.db", **options)
    assert again.state == "editing" and again.confirm.disabled
    assert f"another journal sent {READY}" in again.hint.value
    _send(again)
    assert len(sim.messages) == READY


def test_minimal_journal_privacy_keeps_no_numbers_or_texts(
    ready: CampaignPanel, folder: Path
) -> None:
    ready.controls.journal_privacy.value = "minimal"
    _send(ready)
    kept = read_journal(folder / "smsbatch-panel.journal.db")
    assert len(kept) == READY and (kept["status"] == "sent").all()
    assert (kept["number"] == "").all() and (kept["text"] == "").all()


def test_the_options_given_to_the_panel_fill_its_fields(
    recipients: pd.DataFrame, client: Client
) -> None:
    start = dt.datetime.now(AMS).replace(microsecond=0) + dt.timedelta(days=2)
    p = panel(
        recipients, client, to="telefoon", text="Hoi {voornaam}!", sender="Praktijk", rate=5,
        window="08:00-21:00", days="mon-sat", tz="Europe/Amsterdam", start_at=start, limit=4,
        footer=" Stop? Sms STOP naar 3010", commercial=True, allow_repeat=True,
        journal_privacy="minimal",
    )  # fmt: skip
    assert p.controls.sending_options() == {
        "rate": 5, "window": "08:00-21:00", "days": "mon-sat", "tz": "Europe/Amsterdam",
        "start_at": start.isoformat(" "), "limit": 4, "allow_repeat": True,
        "journal_privacy": "minimal",
    }  # fmt: skip
    assert p.state == "previewed" and "Send 4 messages" in p.confirmation.value


def test_while_sending_the_options_cannot_be_edited(ready: CampaignPanel) -> None:
    ready.show("sending")
    assert all(field.disabled for field in ready.controls.fields)
    assert ready.controls.test_button.disabled and ready.controls.test_to.disabled
    ready.show("previewed")
    assert not ready.controls.window.disabled and ready.controls.rate.disabled  # no limit
