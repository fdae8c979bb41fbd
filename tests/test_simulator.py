"""The simulator behaves as the documented gateway does, over loopback HTTP, with plain requests."""

from __future__ import annotations

import http.client
import json
import logging
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import defusedxml.ElementTree as DefusedET
import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from smsbatch import SimulatedMessage, Simulator

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "p&s=?#+% €é😀"  # every character a form encoding must escape
DOC_UDH = "06050415811581"
DOC_DATA = "024A3A51D195CDD004001B20550590610560558550548540820849900000"


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator("shop", PASSWORD) as simulator:
        yield simulator


@pytest.fixture(scope="module")
def shared_sim() -> Iterator[Simulator]:
    with Simulator("shop", PASSWORD) as simulator:
        yield simulator


def text_params(**overrides: str | None) -> dict[str, str]:
    params = {
        "login": "shop",
        "pass": PASSWORD,
        "from": "Shop",
        "to": "31612345678",
        "text": "Hello",
    }
    params.update(overrides)
    return {name: value for name, value in params.items() if value is not None}


def send(
    sim: Simulator, session: requests.Session | None = None, **overrides: str | None
) -> tuple[int, str, str]:
    """Send one request; return the XML reply's (code, text, destination)."""
    http = session or requests
    reply = http.get(sim.url + "sendsms.ashx", params=text_params(**overrides), timeout=10)
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == "text/xml; charset=utf-8"
    root = DefusedET.fromstring(reply.content)
    return (
        int(root.findtext("sms_response_code")),
        root.findtext("sms_response_text"),
        root.findtext("sms_response_destination") or "",
    )


# -- the documented request and reply ------------------------------------------------------------


def test_reply_is_exactly_the_documented_xml(sim):
    reply = requests.get(sim.url + "sendsms.ashx", params=text_params(), timeout=10)
    assert reply.content == (
        b"<response>\n"
        b"<sms_response_code>200</sms_response_code>\n"
        b"<sms_response_text>SMS message sent.</sms_response_text>\n"
        b"<sms_response_destination>31612345678</sms_response_destination>\n"
        b"</response>"
    )


def test_accepted_text_message_is_recorded_without_the_password(sim):
    before = time.time()
    assert send(sim, text="Hi there", extra="kept") == (200, "SMS message sent.", "31612345678")
    [message] = sim.messages
    assert message == SimulatedMessage(
        to="31612345678",
        sender="Shop",
        kind="text",
        text="Hi there",
        params={
            "login": "shop",
            "from": "Shop",
            "to": "31612345678",
            "text": "Hi there",
            "extra": "kept",
        },
        received_at=message.received_at,
    )
    assert before <= message.received_at <= time.time()
    assert PASSWORD not in repr(message) and PASSWORD not in repr(sim)


@pytest.mark.parametrize(
    "text",
    [
        "& = ? # + %",
        "€ 5,-",
        "Crème brûlée, Ærø, ñ",
        "emoji 😀👍🏽",
        "line one\nline two\r\nthree",
        "a+b=c&d=%20",
        " leading and trailing spaces ",
    ],
    ids=["url-specials", "euro", "accents", "emoji", "newlines", "pre-encoded-looking", "spaces"],
)
def test_text_arrives_unchanged(shared_sim, text):
    assert send(shared_sim, text=text)[0] == 200
    assert shared_sim.messages[-1].text == text


@settings(max_examples=40, deadline=None)
@given(text=st.text(min_size=1, max_size=60))
def test_any_text_round_trips(shared_sim, text):
    assert send(shared_sim, text=text)[0] == 200
    assert shared_sim.messages[-1].text == text


def test_plus_means_space_only_as_form_encoding_says(sim):
    query = f"login=shop&pass={quote(PASSWORD)}&from=Shop&to=31612345678&text=a+b%2Bc%20d"
    requests.get(f"{sim.url}sendsms.ashx?{query}", timeout=10)
    assert sim.messages[0].text == "a b+c d"


def test_password_with_special_characters_is_decoded_exactly(sim):
    assert send(sim)[0] == 200
    assert send(sim, **{"pass": PASSWORD + "x"})[0] == 401


def test_vcard_message(sim):
    code, _, _ = send(
        sim,
        text=None,
        special="vcard",
        binary="1",
        vname="Jan de Vries",
        vmobile="+31612345678",
        vemail="jan@example.com",
    )
    assert code == 200
    [message] = sim.messages
    assert message.kind == "vcard"
    assert message.vcard == {
        "name": "Jan de Vries",
        "mobile": "+31612345678",
        "email": "jan@example.com",
    }
    assert message.text is None and message.data is None


def test_binary_message_from_the_document(sim):
    assert send(sim, text=None, binary="1", udh=DOC_UDH, data=DOC_DATA)[0] == 200
    [message] = sim.messages
    assert (message.kind, message.udh, message.data, message.text) == (
        "binary",
        DOC_UDH,
        DOC_DATA,
        None,
    )


def test_binary_message_with_empty_udh_at_the_140_octet_limit(sim):
    assert send(sim, text=None, binary="1", udh="", data="ab" * 140)[0] == 200
    assert sim.messages[0].udh is None


@pytest.mark.parametrize(
    "sender",
    ["ElevenChars", "+31612345678", "1234567890123456", "S"],
    ids=["11-characters", "international-number", "16-digits", "1-character"],
)
def test_valid_senders_are_accepted(shared_sim, sender):
    assert send(shared_sim, **{"from": sender})[0] == 200
    assert shared_sim.messages[-1].sender == sender


REJECTIONS = [
    ("wrong-password", 401, "Authentication failed.", {"pass": "demo"}),
    ("wrong-login", 401, "Authentication failed.", {"login": "other"}),
    ("missing-pass", 401, "Authentication failed.", {"pass": None}),
    ("missing-login", 401, "Authentication failed.", {"login": None}),
    ("missing-to", 400, "Missing parameter: to.", {"to": None}),
    ("missing-from", 400, "Missing parameter: from.", {"from": None}),
    ("missing-text", 400, "Missing parameter: text.", {"text": None}),
    ("empty-text", 400, "Missing parameter: text.", {"text": ""}),
    ("to-with-plus", 400, "to must be", {"to": "+31612345678"}),
    ("to-national", 400, "to must be", {"to": "0612345678"}),
    ("to-letters", 400, "to must be", {"to": "3161234567a"}),
    ("to-too-short", 400, "to must be", {"to": "3161234"}),
    ("to-too-long", 400, "to must be", {"to": "3161234567890123"}),
    ("sender-too-long", 400, "from must be", {"from": "TwelveLetter"}),
    ("sender-17-digits", 400, "from must be", {"from": "1" * 17}),
    ("binary-not-1", 400, "binary must be 1", {"binary": "2"}),
    ("special-unknown", 400, "special must be vcard", {"special": "wap"}),
    ("vcard-without-binary", 400, "binary=1", {"text": None, "special": "vcard", "vname": "Jan"}),
    (
        "vcard-without-name",
        400,
        "Missing parameter: vname.",
        {"text": None, "special": "vcard", "binary": "1", "vmobile": "31612345678"},
    ),
    ("binary-with-text", 400, "replaces text", {"binary": "1", "data": "00"}),
    ("binary-without-data", 400, "Missing parameter: data.", {"text": None, "binary": "1"}),
    ("data-odd-length", 400, "data must be", {"text": None, "binary": "1", "data": "ABC"}),
    ("data-not-hex", 400, "data must be", {"text": None, "binary": "1", "data": "GG"}),
    ("udh-not-hex", 400, "udh must be", {"text": None, "binary": "1", "udh": "0x", "data": "00"}),
    (
        "udh-length-byte-wrong",
        400,
        "UDHL",
        {"text": None, "binary": "1", "udh": "0505041581158100", "data": "00"},
    ),
    (
        "over-140-octets",
        400,
        "exceed 140 octets",
        {"text": None, "binary": "1", "udh": DOC_UDH, "data": "00" * 134},
    ),
    (
        "data-over-140-octets",
        400,
        "exceed 140 octets",
        {"text": None, "binary": "1", "data": "00" * 141},
    ),
]


@pytest.mark.parametrize(
    ("code", "fragment", "overrides"),
    [
        pytest.param(code, fragment, overrides, id=name)
        for name, code, fragment, overrides in REJECTIONS
    ],
)
def test_invalid_requests_are_rejected_and_not_recorded(shared_sim, code, fragment, overrides):
    before = len(shared_sim.messages)
    reply_code, reply_text, _ = send(shared_sim, **overrides)
    assert (reply_code, fragment in reply_text) == (code, True), reply_text
    assert len(shared_sim.messages) == before


def test_repeated_parameter_is_rejected(sim):
    query = list(text_params().items()) + [("text", "again")]
    reply = requests.get(sim.url + "sendsms.ashx", params=query, timeout=10)
    assert b"<sms_response_code>400</sms_response_code>" in reply.content
    assert b"text given more than once" in reply.content
    assert sim.messages == []


def test_query_that_is_not_utf8_is_rejected(sim):
    query = "login=shop&from=Shop&to=31612345678&text=%FF"
    reply = requests.get(f"{sim.url}sendsms.ashx?{query}", timeout=10)
    assert b"<sms_response_code>400</sms_response_code>" in reply.content
    assert sim.messages == []


def test_rejection_echoes_the_destination_as_valid_xml(sim):
    assert send(sim, to="<31&6>\x01") == (
        400,
        "Invalid parameter: to must be 8 to 15 digits in international format (no + or leading 0).",
        "<31&6>",
    )


def test_other_paths_are_404_and_not_counted(sim):
    reply = requests.get(sim.url + "other.ashx", params=text_params(), timeout=10)
    assert reply.status_code == 404
    assert sim.requests == 0
    send(sim, to="bad")
    send(sim)
    assert sim.requests == 2


def test_utf16_declaration_quirk(sim):
    sim.utf16_declaration = True
    reply = requests.get(sim.url + "sendsms.ashx", params=text_params(), timeout=10)
    assert reply.content.startswith(b'<?xml version="1.0" encoding="utf-16"?>\n<response>\n')
    reply.content.decode("utf-8")  # the bytes really are UTF-8, whatever they declare
    with pytest.raises(DefusedET.ParseError):
        DefusedET.fromstring(reply.content)  # which is why a naive parser fails on it


def test_utf16_declaration_as_constructor_option():
    with Simulator(utf16_declaration=True) as quirky:
        reply = requests.get(
            quirky.url + "sendsms.ashx",
            params=text_params(login="demo", **{"pass": "demo"}),
            timeout=10,
        )
    assert reply.content.startswith(b'<?xml version="1.0" encoding="utf-16"?>')


# -- fault injection -----------------------------------------------------------------------------


def test_fail_next_burst_then_normal_service(sim):
    sim.fail_next(2, code=503)
    assert send(sim, to="bad")[0] == 400  # an invalid request does not use up a fault
    assert [send(sim)[:2] for _ in range(3)] == [
        (503, "Service temporarily unavailable."),
        (503, "Service temporarily unavailable."),
        (200, "SMS message sent."),
    ]
    assert len(sim.messages) == 1


def test_fail_next_any_code_gets_its_family_text(sim):
    sim.fail_next(1, code=701)
    assert send(sim)[:2] == (701, "Reseller funds error.")
    assert sim.messages == []


def test_fail_numbers_carrier_error_only_for_those_destinations(sim):
    sim.fail_numbers({"31600000001"})
    assert send(sim, to="31600000001") == (601, "Carrier rejected the message.", "31600000001")
    assert send(sim, to="31600000002")[0] == 200
    assert [m.to for m in sim.messages] == ["31600000002"]


def test_funds_run_out_then_can_be_topped_up(sim):
    sim.funds = 2
    assert [send(sim)[0] for _ in range(3)] == [200, 200, 402]
    assert send(sim)[1] == "Insufficient funds."
    assert sim.funds == 0 and len(sim.messages) == 2
    sim.funds = 1
    assert send(sim)[0] == 200


def test_malformed_next_answers_an_html_page_and_records_nothing(sim):
    sim.malformed_next(1)
    reply = requests.get(sim.url + "sendsms.ashx", params=text_params(), timeout=10)
    assert reply.status_code == 500
    assert reply.headers["Content-Type"].startswith("text/html")
    assert reply.text.startswith("<!DOCTYPE html>")
    assert sim.messages == []
    assert send(sim)[0] == 200


@pytest.mark.parametrize("delivered", [True, False], ids=["delivered", "not-delivered"])
def test_drop_next_closes_the_connection_without_reply(sim, delivered):
    session = requests.Session()
    assert send(sim, session)[0] == 200  # the drop must also work on a kept-alive connection
    sim.drop_next(1, delivered=delivered)
    with pytest.raises(requests.ConnectionError):
        send(sim, session, text="dropped")
    assert [m.text for m in sim.messages] == ["Hello", "dropped"][: 2 if delivered else 1]
    assert send(sim, session)[0] == 200  # the service itself carries on


def test_faults_are_used_in_the_order_they_were_asked_for(sim):
    sim.fail_next(1, code=502)
    sim.drop_next(1)
    sim.malformed_next(1)
    assert send(sim)[0] == 502
    with pytest.raises(requests.ConnectionError):
        send(sim)
    assert (
        requests.get(sim.url + "sendsms.ashx", params=text_params(), timeout=10).status_code == 500
    )
    assert send(sim)[0] == 200


def test_latency_delays_every_answer(sim):
    sim.latency = 0.2
    started = time.monotonic()
    assert send(sim)[0] == 200
    assert time.monotonic() - started >= 0.2


# -- the server ----------------------------------------------------------------------------------


def test_concurrent_keep_alive_clients_are_served_in_parallel(sim):
    sim.latency = 0.05
    clients, per_client = 16, 5
    barrier = threading.Barrier(clients)
    codes: list[int] = []

    def client(number: int) -> None:
        with requests.Session() as session:
            barrier.wait()
            for i in range(per_client):
                codes.append(send(sim, session, text=f"{number}-{i}")[0])

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    assert codes == [200] * clients * per_client
    assert len({m.text for m in sim.messages}) == clients * per_client
    # One at a time would take 4 s; 16 in parallel take about 0.25 s.
    assert elapsed < 1.5, f"{clients * per_client / elapsed:.0f} requests/s"


def test_keep_alive_reuses_one_connection(sim):
    connection = http.client.HTTPConnection("127.0.0.1", int(sim.url.split(":")[2].split("/")[0]))
    query = (
        requests.Request("GET", sim.url + "sendsms.ashx", params=text_params()).prepare().path_url
    )
    sockets = []
    for _ in range(3):
        connection.request("GET", query)
        reply = connection.getresponse()
        assert reply.status == 200 and reply.getheader("Connection") is None
        reply.read()
        sockets.append(connection.sock)
    assert sockets[0] is not None and sockets.count(sockets[0]) == 3
    connection.close()


def test_sequential_session_is_not_slowed_by_nagle(sim):
    with requests.Session() as session:
        started = time.monotonic()
        for _ in range(100):
            send(sim, session)
    # Nagle plus delayed ACK would cost about 40 ms per request: 4 s for these 100.
    assert time.monotonic() - started < 1.0


def test_stop_closes_idle_keep_alive_connections_and_joins_threads():
    threads_before = set(threading.enumerate())
    simulator = Simulator().start()
    session = requests.Session()
    session.get(simulator.url + "sendsms.ashx", timeout=10)  # leaves a kept-alive connection
    simulator.stop()
    assert set(threading.enumerate()) <= threads_before
    with pytest.raises(requests.ConnectionError):
        requests.get(simulator.url + "sendsms.ashx", timeout=10)
    simulator.stop()  # stopping twice is harmless


def test_stop_interrupts_latency_and_records_nothing():
    simulator = Simulator(latency=60).start()
    outcome: list[BaseException] = []

    def client() -> None:
        try:
            requests.get(simulator.url + "sendsms.ashx", params=text_params(), timeout=30)
        except requests.RequestException as err:
            outcome.append(err)

    thread = threading.Thread(target=client)
    thread.start()
    assert simulator.wait_for(requests=1, timeout=5)
    started = time.monotonic()
    simulator.stop()
    assert time.monotonic() - started < 5
    thread.join()
    assert isinstance(outcome[0], requests.ConnectionError)
    assert simulator.messages == []


def test_record_file_has_one_json_line_per_accepted_message_and_no_password(tmp_path):
    record = tmp_path / "sent.jsonl"
    record.write_text('{"earlier": "run"}\n', encoding="utf-8")
    with Simulator("shop", PASSWORD, record_path=record) as simulator:
        send(simulator, text="Crème €\nbrûlée 😀")
        send(simulator, to="bad")
        send(simulator, text=None, binary="1", udh=DOC_UDH, data=DOC_DATA)
        # Flushed per message: readable while the simulator still runs.
        lines = record.read_text(encoding="utf-8").split("\n")
    assert lines[0] == '{"earlier": "run"}' and lines[-1] == ""
    first, second = (json.loads(line) for line in lines[1:-1])
    assert first["text"] == "Crème €\nbrûlée 😀" and first["kind"] == "text"
    assert (second["kind"], second["udh"], second["data"]) == ("binary", DOC_UDH, DOC_DATA)
    assert first["params"]["to"] == "31612345678" and "pass" not in first["params"]
    assert "p&s" not in record.read_text(encoding="utf-8")


def test_nothing_on_stderr_and_no_password_in_debug_logs(sim, capfd, caplog):
    caplog.set_level(logging.DEBUG, logger="smsbatch.gateway.simulator")
    send(sim)
    send(sim, to="bad")
    requests.get(sim.url + "elsewhere", timeout=10)
    requests.post(sim.url + "sendsms.ashx", params=text_params(), timeout=10)
    sim.drop_next(1)
    with pytest.raises(requests.ConnectionError):
        send(sim)
    assert capfd.readouterr().err == ""
    assert caplog.records, "expected DEBUG records from smsbatch.gateway.simulator"
    for record in caplog.records:
        assert record.name == "smsbatch.gateway.simulator"
        assert "p&s" not in record.getMessage() and "p%26s" not in record.getMessage()


# -- the command line ----------------------------------------------------------------------------


def test_simulate_command_serves_until_ctrl_c(tmp_path):
    record = tmp_path / "sent.jsonl"
    process = subprocess.Popen(
        [sys.executable, "-m", "smsbatch", "simulate", "--port", "0", "--record", str(record)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        printed = [process.stdout.readline() for _ in range(5)]
        url = re.search(r"http://127\.0\.0\.1:\d+/api/", printed[0]).group(0)
        assert f"  export SMSBATCH_BASE_URL={url}\n" in printed
        assert "  export SMSBATCH_PASSWORD=demo\n" in printed
        reply = requests.get(
            url + "sendsms.ashx",
            params=text_params(login="demo", **{"pass": "demo"}),
            timeout=10,
        )
        assert b"<sms_response_code>200</sms_response_code>" in reply.content
        assert json.loads(record.read_text(encoding="utf-8"))["text"] == "Hello"
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert "Stopped after 1 accepted message(s)." in out
    assert err == ""


def test_simulate_command_reports_a_busy_port(capsys):
    from smsbatch.cli import main

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        assert main(["simulate", "--port", str(busy.getsockname()[1])]) == 1
    assert "cannot start" in capsys.readouterr().err


def test_wait_for_returns_when_traffic_arrives_and_false_after_the_timeout():
    with Simulator("shop", PASSWORD) as simulator:
        assert simulator.wait_for(messages=1, timeout=0.01) is False
        requests.get(simulator.url + "sendsms.ashx", params=text_params(), timeout=5)
        assert simulator.wait_for(messages=1, requests=1, timeout=5) is True
