"""run_campaign: the one campaign run the CLI and the panel share, reported as data."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit
from xml.sax.saxutils import escape

import pandas as pd
import pytest
import responses

import smsbatch
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
