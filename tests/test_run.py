"""run_campaign: the one campaign run the CLI and the panel share, reported as data."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
import responses

import smsbatch
from smsbatch import (
    CampaignChangedError,
    Client,
    ConfigurationError,
    PreparationError,
    Simulator,
    prepare,
    run_campaign,
)

CAMPAIGN = {"to": "phone", "text": "Hi {name}", "sender": "Clinic"}
FAST = {"rate": None, "backoff": 0, "progress": False}


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


# -- campaign control: sending hours, a start time, a limit, a test send --------------------------

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


class FakeClock:
    """Time that only moves when the campaign waits: hours of pausing in no time."""

    def __init__(self, start: dt.datetime) -> None:
        self.moment = start
        self.waits: list[float] = []

    def now(self) -> dt.datetime:
        return self.moment

    def wait(self, seconds: float) -> bool:
        self.waits.append(seconds)
        self.moment += dt.timedelta(seconds=seconds)
        return False


def test_outside_the_sending_hours_nothing_leaves_until_they_open(sim, client):
    clock = FakeClock(dt.datetime(2026, 12, 5, 21, 30, tzinfo=AMSTERDAM))  # Saturday night
    report = run_campaign(
        people(3), client, window="08:00-21:00", days="mon-sat", clock=clock, **FAST, **CAMPAIGN
    )
    assert report.sent == 3
    assert clock.waits == [(24 + 10.5) * 3600]  # through Sunday to Monday 08:00
    assert clock.now() == dt.datetime(2026, 12, 7, 8, 0, tzinfo=AMSTERDAM)


def test_a_start_time_holds_the_campaign_and_one_in_the_past_sends_nothing(sim, client):
    clock = FakeClock(dt.datetime(2026, 12, 1, 10, 0, tzinfo=AMSTERDAM))
    report = run_campaign(
        people(2), client, start_at="2026-12-01 12:15", clock=clock, **FAST, **CAMPAIGN
    )
    assert report.sent == 2 and clock.waits == [2.25 * 3600]
    with pytest.raises(ConfigurationError, match="in the past"):
        run_campaign(people(2), client, start_at="2026-12-01 09:00", clock=clock, **FAST,
                     **CAMPAIGN)
    assert len(sim.messages) == 2


def test_hours_that_never_open_are_an_error_before_anything_is_sent(sim, client):
    with pytest.raises(ConfigurationError, match="window"):
        run_campaign(people(2), client, window="21:00-08:00", **FAST, **CAMPAIGN)
    assert sim.requests == 0


def test_a_limit_sends_the_first_n_and_the_journal_sends_the_rest_later(sim, client, tmp_path):
    journal = tmp_path / "j.db"
    first = run_campaign(people(5), client, journal=journal, limit=2, **FAST, **CAMPAIGN)
    assert first.sent == 2 and first.result["sms_status"].tolist().count("not_sent") == 3
    rest = run_campaign(people(5), client, journal=journal, **FAST, **CAMPAIGN)
    assert rest.sent == 3 and rest.already_sent == 2
    assert len({m.to for m in sim.messages}) == len(sim.messages) == 5


def test_a_test_send_reaches_only_the_test_number_and_skips_nobody_later(sim, client, tmp_path):
    journal = tmp_path / "j.db"
    trial = run_campaign(
        people(3), client, journal=journal, test_to=["06 1999 0000"], **FAST, **CAMPAIGN
    )
    assert [(m.to, m.text) for m in sim.messages] == [("31619990000", "Hi P0")]
    assert trial.sent == 1 and trial.result["sms_to"].tolist() == ["31619990000"]
    assert "test message (the text of row 0)" in trial.result["sms_error"].iloc[0]
    assert "this was a test: the campaign's first message, to your own number (sms_to);" \
        " nothing went to the recipients" in str(smsbatch.summarize(trial.result))
    assert not journal.exists()  # a test is no part of the campaign's record
    real = run_campaign(people(3), client, journal=journal, **FAST, **CAMPAIGN)
    assert real.sent == 3 and real.already_sent == 0


def test_a_test_number_that_is_no_mobile_is_refused(sim, client):
    with pytest.raises(PreparationError, match="test_to"):
        run_campaign(people(2), client, test_to=["020 123 4567"], **FAST, **CAMPAIGN)
    assert sim.requests == 0


def test_a_gateway_that_was_never_reached_stops_after_the_first_message():
    with Simulator() as gone:
        url, login, password = gone.url, gone.login, gone.password
    with Client(login, password, url) as closed:  # nothing listens on that port any more
        report = run_campaign(people(5), closed, retries=1, **FAST, **CAMPAIGN)
    assert report.stopped and "cannot be reached" in (report.stop_reason or "")
    assert (report.failed, report.not_attempted) == (1, 4)


def test_a_gateway_that_answered_once_is_not_given_up_on_one_refusal(sim, client):
    sim.fail_numbers({"31620000001"}, code=601)
    report = run_campaign(people(3), client, **FAST, **CAMPAIGN)
    assert report.sent == 2 and report.failed == 1 and not report.stopped
# -- a gateway that is set up wrong, or answers oddly ------------------------------------------


def test_a_wrong_base_url_stops_at_the_first_request_and_says_what_to_check(sim, tmp_path):
    wrong = sim.url.replace("/api/", "/")  # /api/ forgotten: the server answers 404
    journal = tmp_path / "j.db"
    with Client(sim.login, sim.password, wrong) as client:
        report = run_campaign(people(5), client, journal=journal, **FAST, **CAMPAIGN)
        with pytest.raises(smsbatch.CampaignStopped) as stopped:
            smsbatch.send(people(5), client, journal=journal, **FAST, **CAMPAIGN)
    assert report.stopped and report.stop_category == "endpoint"
    assert (report.failed, report.unknown, report.not_attempted) == (1, 0, 4)
    assert "check SMSBATCH_BASE_URL / base_url" in report.fix_first
    status = report.result["sms_status"].tolist()
    assert status == ["failed"] + ["not_sent"] * 4  # never "unknown": nothing was sent
    assert "HTTP 404" in report.result["sms_error"][0]
    message = str(stopped.value)
    assert f"{wrong}sendsms.ashx answered HTTP 404" in message
    assert "SMSBATCH_BASE_URL / base_url" in message and sim.password not in message
    assert len(sim.messages) == 0
    # Fixed, the same journal sends everyone once: the 404 row was recorded as not sent.
    with Client(sim.login, sim.password, sim.url) as fixed:
        resumed = run_campaign(people(5), fixed, journal=journal, **FAST, **CAMPAIGN)
    assert resumed.sent == 5 and len(sim.messages) == 5


def answering(callback) -> responses.RequestsMock:
    mock = responses.RequestsMock(assert_all_requests_are_fired=False)
    mock.add_callback(responses.GET, GATEWAY + "sendsms.ashx", callback=callback)
    return mock


GATEWAY = "https://gateway.example/api/"
SECRET = "s3cr&t p@ss+100%"


def reply(code: int, text: str, destination: str) -> str:
    return (f"<response><sms_response_code>{code}</sms_response_code><sms_response_text>{text}"
            f"</sms_response_text><sms_response_destination>{destination}"
            "</sms_response_destination></response>")


def test_a_destination_other_than_the_number_sent_is_flagged_everywhere():
    def callback(request):
        to = dict(parse_qsl(urlsplit(request.url).query))["to"]
        wrong = "31699999999" if to.endswith("1") else to
        return 200, {}, reply(200, "SMS message sent.", wrong)

    with answering(callback), Client("k", SECRET, GATEWAY) as client, pytest.warns(
        UserWarning, match="1 sent messages were answered for another destination"
    ):
        result = smsbatch.send(people(3), client, **FAST, **CAMPAIGN)
    assert result["sms_status"].tolist() == ["sent"] * 3
    note = result["sms_error"][1]
    assert "another destination (31699999999)" in note and "(31620000001)" in note
    assert result["sms_error"][0] == result["sms_error"][2] == ""
    advice = "\n".join(smsbatch.summarize(result).advice)
    assert "1 row was sent, but the gateway answered for another destination" in advice


def test_a_gateway_that_echoes_the_password_leaves_it_in_no_result_journal_or_message(
    tmp_path,
):
    spellings = [SECRET, quote(SECRET, safe=""), quote_plus(SECRET).lower(),
                 SECRET.replace("&", "&amp;")]

    def callback(request):
        return 200, {}, reply(401, escape("wrong password: " + " / ".join(spellings)), "")

    journal = tmp_path / "j.db"
    with answering(callback), Client("k", SECRET, GATEWAY) as client, pytest.raises(
        smsbatch.CampaignStopped
    ) as stopped:
        smsbatch.send(people(2), client, journal=journal, **FAST, **CAMPAIGN)
    result = stopped.value.result
    assert result["sms_response_code"][0] == 401
    smsbatch.write_results(result, tmp_path / "out.csv")
    smsbatch.write_results(result, tmp_path / "out.xlsx")
    shown = str(stopped.value) + result.to_csv() + repr(result)
    files = b"".join(path.read_bytes() for path in tmp_path.iterdir())
    for spelling in spellings:
        assert spelling not in shown
        assert spelling.encode() not in files
    assert "********" in str(stopped.value)


@pytest.mark.parametrize("limit", [-1, 2.5], ids=["negative", "fraction"])
def test_a_limit_that_is_no_count_is_refused_before_anything_is_sent(sim, client, limit):
    with pytest.raises(ConfigurationError, match="limit must be a whole number"):
        run_campaign(people(2), client, limit=limit, **FAST, **CAMPAIGN)
    with pytest.raises(ConfigurationError, match="limit must be a whole number"):
        smsbatch.send(people(2), client, limit=limit, dry_run=True, **FAST, **CAMPAIGN)
    assert sim.requests == 0
