"""The client: exact requests and replies with `responses`, real sockets for transport failures."""

from __future__ import annotations

import logging
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import responses
from hypothesis import given, settings
from hypothesis import strategies as st
from responses import matchers
from urllib3.exceptions import MaxRetryError, NameResolutionError

import smsbatch
from smsbatch.gateway.client import DEFAULT_BASE_URL, Client
from smsbatch.gateway.reply import Response

PASSWORD = "p@ss&w0rd=€ #+%"
URL = DEFAULT_BASE_URL + "sendsms.ashx"


def xml(code: int | str = 200, text: str = "SMS message sent.", dest: str = "31612345678") -> str:
    return (
        "<response>"
        f"<sms_response_code>{code}</sms_response_code>"
        f"<sms_response_text>{text}</sms_response_text>"
        f"<sms_response_destination>{dest}</sms_response_destination>"
        "</response>"
    )


@pytest.fixture
def client() -> Iterator[Client]:
    with Client("klant", PASSWORD) as client:
        yield client


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as mock:
        yield mock


def sent_params(mock: responses.RequestsMock) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(mock.calls[-1].request.url).query, keep_blank_values=True)


def assert_secret_free(text: str) -> None:
    for form in (PASSWORD, "p%40ss", "w0rd%3D"):
        assert form not in text


# --- requests as the API document describes them ------------------------------------------


def test_text_message_sends_exactly_the_documented_query(client, mocked):
    mocked.get(
        URL,
        body=xml(),
        match=[matchers.query_param_matcher({
            "login": "klant", "pass": PASSWORD, "from": "Kliniek", "to": "31612345678",
            "text": "Beste Jan & co, 50% = €5 #1 + ok?\nTot ziens 😀",
        })],
    )
    response = client.send_text("31612345678", "Beste Jan & co, 50% = €5 #1 + ok?\nTot ziens 😀",
                                sender="Kliniek")
    assert response == Response(200, "SMS message sent.", "31612345678")
    assert response.ok and response.category == "ok"
    assert [k for k, _ in sent_params(mocked)] == ["login", "pass", "from", "to", "text"]


def test_spaces_and_plus_are_percent_encoded_never_ambiguous(client, mocked):
    mocked.get(URL, body=xml())
    client.send_text("31612345678", "a b+c", sender="S")
    query = urlsplit(mocked.calls[0].request.url).query
    assert "text=a%20b%2Bc" in query
    assert "pass=p%40ss%26w0rd%3D%E2%82%AC%20%23%2B%25" in query


def test_vcard_sends_special_binary_and_only_given_fields(client, mocked):
    mocked.get(URL, body=xml())
    client.send_vcard("31612345678", sender="Kliniek", name="Dr. Jansen", mobile="+31612345678",
                      email="j@kliniek.nl")
    assert sent_params(mocked) == [
        ("login", "klant"), ("pass", PASSWORD), ("from", "Kliniek"), ("to", "31612345678"),
        ("special", "vcard"), ("binary", "1"), ("vname", "Dr. Jansen"),
        ("vmobile", "+31612345678"), ("vemail", "j@kliniek.nl"),
    ]


def test_binary_sends_udh_and_data_instead_of_text(client, mocked):
    mocked.get(URL, body=xml())
    client.send_binary("31612345678", sender="Kliniek", data="024A3A51", udh="06050415811581")
    params = dict(sent_params(mocked))
    assert "text" not in params
    assert (params["binary"], params["udh"], params["data"]) == ("1", "06050415811581", "024A3A51")


def test_binary_without_udh_sends_no_udh(client, mocked):
    mocked.get(URL, body=xml())
    client.send_binary("31612345678", sender="Kliniek", data="0102")
    assert "udh" not in dict(sent_params(mocked))


def test_extra_params_pass_through_per_client_and_per_call(mocked):
    mocked.get(URL, body=xml())
    with Client("klant", PASSWORD, extra_params={"route": "premium"}) as client:
        client.send_text("31612345678", "hoi", sender="S", validity="60")
    params = dict(sent_params(mocked))
    assert params["route"] == "premium" and params["validity"] == "60"


def test_extra_params_cannot_override_the_message(client):
    with pytest.raises(smsbatch.ConfigurationError, match="special"):
        client.send_text("31612345678", "hoi", sender="S", special="vcard")


def test_custom_base_url_is_used_and_gets_a_trailing_slash(mocked):
    mocked.get("https://sms.example-reseller.nl/custom/api/sendsms.ashx", body=xml())
    with Client("klant", PASSWORD, "https://sms.example-reseller.nl/custom/api") as client:
        assert client.send_text("31612345678", "hoi", sender="S").ok


# --- replies -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "category", "error"),
    [
        (200, "ok", None),
        (401, "auth_or_funds", smsbatch.AuthOrFundsError),
        (402, "auth_or_funds", smsbatch.AuthOrFundsError),
        (503, "server", smsbatch.GatewayServerError),
        (601, "carrier", smsbatch.CarrierError),
        (701, "reseller_funds", smsbatch.ResellerFundsError),
        (302, "other", smsbatch.UnexpectedCodeError),
    ],
    ids=lambda v: str(v) if isinstance(v, int) else None,
)
def test_codes_are_data_classified_by_family(client, mocked, code, category, error):
    mocked.get(URL, body=xml(code, "Gateway says so"))
    response = client.send_text("31612345678", "hoi", sender="S")
    assert response.category == category and response.text == "Gateway says so"
    if error is None:
        assert response.raise_for_code() is response
    else:
        with pytest.raises(error) as info:
            response.raise_for_code()
        assert info.value.code == code and info.value.text == "Gateway says so"
        assert "Gateway says so" in str(info.value)


BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    "<response><sms_response_code>200</sms_response_code><sms_response_text>&lol2;"
    "</sms_response_text></response>"
)


@pytest.mark.parametrize(
    "body",
    [
        "<response><sms_response_code>200</sms_response_code><sms_resp",
        "<response><sms_response_text>no code</sms_response_text></response>",
        "<response><sms_response_code>OK</sms_response_code></response>",
        "<other><sms_response_code>200</sms_response_code></other>",
        BOMB,
        "",
        "\x00\xff garbage",
    ],
    ids=["truncated", "no-code", "non-numeric-code", "wrong-root", "entity-bomb",
         "empty", "garbage"],
)
def test_a_reply_that_is_not_the_api_xml_is_outcome_unknown(client, mocked, body):
    mocked.get(URL, body=body)
    with pytest.raises(smsbatch.MalformedReplyError) as info:
        client.send_text("31612345678", "hoi", sender="S")
    assert isinstance(info.value, smsbatch.OutcomeUnknownError)
    assert "may have been sent" in str(info.value)


def test_megabytes_of_junk_are_refused_without_reading_them_all(client, mocked):
    mocked.get(URL, body=b"x" * 20_000_000)
    with pytest.raises(smsbatch.MalformedReplyError, match="larger than"):
        client.send_text("31612345678", "hoi", sender="S")


def test_http_error_status_is_outcome_unknown_with_an_excerpt(client, mocked):
    mocked.get(URL, status=500, body="<html>Runtime Error</html>")
    with pytest.raises(smsbatch.MalformedReplyError, match="HTTP 500") as info:
        client.send_text("31612345678", "hoi", sender="S")
    assert "Runtime Error" in info.value.body_excerpt


# --- transport failures, classified for a bulk sender --------------------------------------


def test_connect_timeout_is_not_sent(client, mocked):
    mocked.get(URL, body=requests.exceptions.ConnectTimeout("timed out"))
    with pytest.raises(smsbatch.NotSentError):
        client.send_text("31612345678", "hoi", sender="S")


def test_dns_failure_is_not_sent(client, mocked):
    reason = NameResolutionError("portal.business-isp.nl", None, "Name or service not known")
    failure = requests.exceptions.ConnectionError(MaxRetryError(None, URL, reason))
    mocked.get(URL, body=failure)
    with pytest.raises(smsbatch.NotSentError):
        client.send_text("31612345678", "hoi", sender="S")


def test_read_timeout_is_outcome_unknown(client, mocked):
    mocked.get(URL, body=requests.exceptions.ReadTimeout("read timed out"))
    with pytest.raises(smsbatch.OutcomeUnknownError):
        client.send_text("31612345678", "hoi", sender="S")


@contextmanager
def one_request_server(answer: Callable[[socket.socket, threading.Event], None]) -> Iterator[str]:
    """A loopback socket server that reads one request and then lets ``answer`` misbehave on
    the connection; ``answer`` should return once the event is set (the test is over)."""
    listener = socket.create_server(("127.0.0.1", 0))
    done = threading.Event()

    def serve() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            answer(connection, done)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/api/"
    finally:
        done.set()
        thread.join(5)
        listener.close()


def raw_server(behaviour: str) -> AbstractContextManager[str]:
    """A server that reads one request and then hangs (``"hang"``) or hangs up (``"drop"``)."""

    def answer(connection: socket.socket, done: threading.Event) -> None:
        if behaviour == "hang":
            done.wait(10)

    return one_request_server(answer)


def test_refused_connection_is_not_sent_and_its_traceback_hides_the_password():
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    with Client("klant", PASSWORD, f"http://127.0.0.1:{port}/api/") as client, pytest.raises(
        smsbatch.NotSentError
    ) as info:
        client.send_text("31612345678", "hoi", sender="S")
    assert_secret_free("".join(traceback.format_exception(info.value)))
    assert isinstance(info.value.__cause__, requests.exceptions.ConnectionError)


def test_connection_dropped_after_sending_is_outcome_unknown():
    with raw_server("drop") as url, Client("klant", PASSWORD, url) as client, pytest.raises(
        smsbatch.OutcomeUnknownError
    ) as info:
        client.send_text("31612345678", "hoi", sender="S")
    assert not isinstance(info.value, smsbatch.NotSentError)
    assert_secret_free("".join(traceback.format_exception(info.value)))


def test_read_timeout_on_a_real_socket_is_outcome_unknown_and_quick():
    with (
        raw_server("hang") as url,
        Client("klant", PASSWORD, url, timeout=(1, 0.2)) as client,
        pytest.raises(smsbatch.OutcomeUnknownError) as info,
    ):
        client.send_text("31612345678", "hoi", sender="S")
    assert_secret_free("".join(traceback.format_exception(info.value)))


def test_no_automatic_retry_hides_in_the_http_stack(client):
    adapter = client.session.get_adapter(URL)
    assert adapter.max_retries.total == 0 and adapter.max_retries.read is False


# --- configuration and secrets -------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["http://portal.business-isp.nl/api/", "http://10.0.0.5/api/", "http://example.com/"],
)
def test_plain_http_is_refused_unless_loopback(url):
    with pytest.raises(smsbatch.InsecureURLError, match="unencrypted"):
        Client("klant", PASSWORD, url)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/api/", "http://localhost/api/",
                                 "http://[::1]:9/api/"])
def test_plain_http_to_loopback_is_allowed(url):
    assert Client("klant", PASSWORD, url).base_url == url


def test_repr_and_attributes_never_show_the_password(client):
    shown = repr(client) + str(client) + repr(vars(client)) + f"{client._password}"
    assert_secret_free(shown)
    assert "********" in repr(client)


def test_from_env_reads_credentials_and_base_url(monkeypatch):
    monkeypatch.setenv("SMSBATCH_LOGIN", "envlogin")
    monkeypatch.setenv("SMSBATCH_PASSWORD", PASSWORD)
    monkeypatch.setenv("SMSBATCH_BASE_URL", "http://127.0.0.1:9/api")
    client = Client.from_env()
    assert (client.login, client.base_url) == ("envlogin", "http://127.0.0.1:9/api/")


def test_from_env_says_which_variable_is_missing(monkeypatch):
    monkeypatch.delenv("SMSBATCH_LOGIN", raising=False)
    monkeypatch.setenv("SMSBATCH_PASSWORD", PASSWORD)
    with pytest.raises(smsbatch.ConfigurationError, match="SMSBATCH_LOGIN"):
        Client.from_env()


# --- end to end against the real simulator over loopback ------------------------------------


@pytest.fixture(scope="module")
def sim() -> Iterator[smsbatch.Simulator]:
    with smsbatch.Simulator(password=PASSWORD) as sim:
        yield sim


@pytest.fixture(scope="module")
def live(sim) -> Iterator[Client]:
    with Client(sim.login, PASSWORD, sim.url) as client:
        yield client


@settings(max_examples=150, deadline=None)
@given(text=st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=200))
def test_any_text_reaches_the_gateway_unchanged(sim, live, text):
    response = live.send_text("31612345678", text, sender="Kliniek")
    assert response.ok, response
    assert sim.messages[-1].text == text


def test_vcard_and_binary_reach_the_gateway_as_sent(sim, live):
    card = {"name": "Zoë & Co", "mobile": "+31612345678"}
    assert live.send_vcard("31612345678", sender="Kliniek", **card).ok
    assert sim.messages[-1].vcard == {"name": "Zoë & Co", "mobile": "+31612345678"}
    ringtone = {"data": "024A3A51", "udh": "06050415811581"}
    assert live.send_binary("31612345678", sender="Kliniek", **ringtone).ok
    assert (sim.messages[-1].kind, sim.messages[-1].udh) == ("binary", "06050415811581")


def test_wrong_password_is_an_auth_answer_not_an_exception(sim):
    with Client(sim.login, "wrong", sim.url) as client:
        response = client.send_text("31612345678", "hoi", sender="S")
    assert response.category == "auth_or_funds"


def test_utf16_quirk_of_the_real_service_parses_end_to_end():
    with smsbatch.Simulator(utf16_declaration=True) as sim, Client(
        sim.login, sim.password, sim.url
    ) as client:
        assert client.send_text("31612345678", "hoi", sender="S").ok


def test_dropped_connection_after_delivery_is_outcome_unknown(sim, live):
    before = len(sim.messages)
    sim.drop_next(1, delivered=True)
    with pytest.raises(smsbatch.OutcomeUnknownError):
        live.send_text("31612345678", "hoi", sender="S")
    assert len(sim.messages) == before + 1  # it was delivered: a retry would have sent twice


def test_malformed_reply_from_the_gateway_is_outcome_unknown(sim, live):
    sim.malformed_next(1)
    with pytest.raises(smsbatch.MalformedReplyError):
        live.send_text("31612345678", "hoi", sender="S")
    assert live.send_text("31612345678", "hoi", sender="S").ok  # the connection recovers


def test_debug_logging_of_every_logger_never_shows_the_password(sim, live, caplog):
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)
    live.send_text("31612345678", "hoi", sender="S")
    sim.malformed_next(1)
    with pytest.raises(smsbatch.MalformedReplyError) as info:
        live.send_text("31612345678", "hoi", sender="S")
    assert any("sendsms.ashx" in r.getMessage() for r in caplog.records)  # the URL was logged
    logged = "\n".join(r.getMessage() for r in caplog.records) + caplog.text
    assert_secret_free(logged + "".join(traceback.format_exception(info.value)))


def test_proxy_variables_are_honoured_though_read_once(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "sms.internal.example")
    assert Client("klant", PASSWORD).session.proxies["https"] == "http://proxy.example:3128"
    bypassed = Client("klant", PASSWORD, "https://sms.internal.example/api/")
    assert "https" not in bypassed.session.proxies


def test_a_redirect_is_never_followed_with_the_password(client, mocked):
    mocked.get(URL, status=302, headers={"Location": "http://elsewhere.example/api/x?pass=1"})
    with pytest.raises(smsbatch.MalformedReplyError, match="never follows a redirect") as info:
        client.send_text("31612345678", "hoi", sender="S")
    assert "http://elsewhere.example/api/x" in str(info.value)
    assert len(mocked.calls) == 1


def test_an_error_page_that_echoes_the_request_does_not_leak_the_password(client, mocked):
    mocked.add_callback(
        responses.GET, URL, callback=lambda request: (500, {}, f"<html>Bad request: {request.url}")
    )
    with pytest.raises(smsbatch.MalformedReplyError) as info:
        client.send_text("31612345678", "hoi", sender="S")
    assert "Bad request" in info.value.body_excerpt
    assert_secret_free(info.value.body_excerpt + str(info.value))


def test_no_frame_of_a_failed_send_keeps_the_password_in_its_locals():
    with raw_server("drop") as url, Client("klant", PASSWORD, url) as client, pytest.raises(
        smsbatch.OutcomeUnknownError
    ) as info:
        client.send_text("31612345678", "hoi", sender="S")
    lines = traceback.TracebackException.from_exception(info.value, capture_locals=True).format()
    assert_secret_free("".join(line for line in lines if "PASSWORD" not in line))


def test_the_sender_is_keyword_only_so_a_call_in_another_order_fails_loudly(client):
    with pytest.raises(TypeError):
        client.send_text("31612345678", "Kliniek", "hoi")  # type: ignore[misc]
    with pytest.raises(TypeError):
        client.send_binary("31612345678", "Kliniek", "0102")  # type: ignore[misc]


# --- a gateway that misbehaves or is set up wrong ------------------------------------------


@pytest.mark.parametrize("key", ["TO", "Pass", "TEXT", "From"])
def test_extra_params_cannot_override_the_message_in_any_case(key, mocked):
    # The real endpoint is ASP.NET: its query keys are case-insensitive.
    with pytest.raises(smsbatch.ConfigurationError, match=key):
        Client("klant", PASSWORD, extra_params={key: "31600000000"})
    with Client("klant", PASSWORD) as client, pytest.raises(smsbatch.ConfigurationError):
        client.send_text("31612345678", "hoi", sender="S", **{key: "x"})
    assert not mocked.calls


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (404, "<html><body>The resource cannot be found.</body></html>"),
        (405, ""),
        (400, "Bad Request"),
        (200, "<!DOCTYPE html>\n<html><head><title>Business ISP</title></head></html>"),
        (200, '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"></html>'),
    ],
    ids=["404", "405", "400-text", "200-html", "200-xhtml"],
)
def test_an_answer_from_outside_the_api_is_a_configuration_error(mocked, status, body):
    mocked.get("https://portal.business-isp.nl/sendsms.ashx", status=status, body=body)
    with Client("klant", PASSWORD, "https://portal.business-isp.nl/") as client, pytest.raises(
        smsbatch.WrongEndpointError
    ) as info:
        client.send_text("31612345678", "hoi", sender="S")
    error = info.value
    assert isinstance(error, smsbatch.ConfigurationError)
    assert not isinstance(error, smsbatch.TransportError)  # not "may have been sent"
    assert (error.url, error.status) == ("https://portal.business-isp.nl/sendsms.ashx", status)
    assert f"HTTP {status}" in str(error) and "SMSBATCH_BASE_URL / base_url" in str(error)
    assert_secret_free("".join(traceback.format_exception(error)))


@pytest.mark.parametrize(
    ("status", "body"),
    [(400, xml(400, "Bad request")), (500, "<html>Runtime Error</html>"), (503, "")],
    ids=["400-api-xml", "500-html", "503"],
)
def test_other_error_statuses_stay_outcome_unknown(client, mocked, status, body):
    mocked.get(URL, status=status, body=body)
    with pytest.raises(smsbatch.MalformedReplyError):
        client.send_text("31612345678", "hoi", sender="S")


def test_a_non_ascii_code_is_malformed_and_leaks_nothing(client, mocked):
    mocked.get(URL, body=xml("²00"))
    with pytest.raises(smsbatch.MalformedReplyError) as info:
        client.send_text("31612345678", "hoi", sender="S")
    lines = traceback.TracebackException.from_exception(info.value, capture_locals=True).format()
    assert_secret_free("".join(line for line in lines if "PASSWORD" not in line))


@pytest.mark.parametrize("error", [ValueError, KeyError, AttributeError, RuntimeError])
def test_any_exception_that_escapes_a_request_is_scrubbed(client, mocked, monkeypatch, error):
    """A bug anywhere under the client must not carry the URL in its frames or message."""

    def broken(body: bytes) -> Response:
        raise error(f"parsing failed for {mocked.calls[-1].request.url}")

    mocked.get(URL, body=xml())
    monkeypatch.setattr("smsbatch.gateway.client.parse_reply", broken)
    with pytest.raises(error) as info:
        client.send_text("31612345678", "hoi", sender="S")
    shown = traceback.TracebackException.from_exception(info.value, capture_locals=True)
    assert_secret_free("".join(line for line in shown.format() if "PASSWORD" not in line))


def echoed(password: str) -> list[str]:
    """The spellings a gateway or an error page may echo a password in."""
    from urllib.parse import quote, quote_plus
    upper = quote(password, safe="")
    return [password, upper, upper.lower().replace("%e2", "%E2"), quote_plus(password),
            quote_plus(password).lower(), upper.replace("%20", "+"),
            password.replace("&", "&amp;")]


def test_an_answer_text_that_echoes_the_password_is_masked(client, mocked):
    from xml.sax.saxutils import escape
    spellings = echoed(PASSWORD)
    mocked.get(URL, body=xml(402, escape(" | ".join(spellings)), escape(spellings[1])))
    response = client.send_text("31612345678", "hoi", sender="S")
    assert response.code == 402
    assert response.text.count(smsbatch.gateway._secrets.MASK) == len(spellings)
    assert_secret_free(response.text + response.destination)
    for spelling in spellings:
        assert spelling not in response.text


def test_an_error_page_excerpt_masks_escaped_and_lower_case_spellings(client, mocked):
    page = "<html>Bad request: " + " ".join(echoed(PASSWORD))
    mocked.get(URL, status=500, body=page)
    with pytest.raises(smsbatch.MalformedReplyError) as info:
        client.send_text("31612345678", "hoi", sender="S")
    for spelling in echoed(PASSWORD):
        assert spelling not in info.value.body_excerpt + str(info.value)


def test_binary_hex_is_sent_as_the_preview_shows_it(client, mocked):
    mocked.get(URL, body=xml())
    client.send_binary("31612345678", sender="S", udh="06 05 04 15 81\n15 81", data="02 4a3a")
    params = dict(sent_params(mocked))
    assert (params["udh"], params["data"]) == ("06050415811581", "024A3A")


@pytest.mark.parametrize(("udh", "data"), [(None, "024G"), (None, "024"), ("0605", "")])
def test_binary_hex_that_is_not_whole_octets_is_refused_before_sending(client, mocked, udh,
                                                                       data):
    with pytest.raises(smsbatch.MessageSpecError):
        client.send_binary("31612345678", sender="S", udh=udh, data=data or "0 0 0")
    assert not mocked.calls


def test_the_answer_knows_the_number_it_was_sent_to(client, mocked):
    mocked.get(URL, body=xml(dest="31687654321"))
    response = client.send_text("31612345678", "hoi", sender="S")
    assert response.to == "31612345678" and response.destination_differs
    assert not Response(200, "", "+31612345678", to="31612345678").destination_differs
    assert not Response(200, "", "0031612345678", to="31612345678").destination_differs
    assert not Response(200, "", "", to="31612345678").destination_differs


def trickling_server(head: bytes, body: bytes, every: float) -> AbstractContextManager[str]:
    """A server that answers one byte at a time, ``every`` seconds apart."""

    def answer(connection: socket.socket, done: threading.Event) -> None:
        for byte in head + body:
            if done.wait(every):
                return
            try:
                connection.sendall(bytes([byte]))
            except OSError:
                return

    return one_request_server(answer)


REPLY = xml().encode()
HEAD = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nContent-Type: text/xml\r\n\r\n" % len(REPLY)


@pytest.mark.parametrize("head_only", [False, True], ids=["trickled-body", "trickled-head"])
def test_a_reply_that_trickles_in_is_cut_off_at_the_total_deadline(head_only):
    # 0.05 s a byte: each wait is far below the read timeout, the whole far above the deadline.
    head, body = (HEAD + b"X" * 100, b"") if head_only else (HEAD, REPLY)
    if head_only:
        head = head.replace(b"\r\n\r\n", b"\r\n")  # headers that never end
    with trickling_server(head, body, 0.05) as url:
        client = Client("klant", PASSWORD, url, timeout=(0.5, 0.5))
        started = time.monotonic()
        with pytest.raises(smsbatch.OutcomeUnknownError, match="within 1 s") as info:
            client.send_text("31612345678", "hoi", sender="S")
        took = time.monotonic() - started
        client.close()
    assert not isinstance(info.value, smsbatch.NotSentError)
    assert 0.9 < took < 2.5
    assert_secret_free("".join(traceback.format_exception(info.value)))


def test_a_deadline_never_touches_the_connection_after_its_request(sim):
    with Client(sim.login, PASSWORD, sim.url, timeout=(0.1, 0.1)) as client:
        for _ in range(3):
            assert client.send_text("31612345678", "hoi", sender="S").ok
        time.sleep(0.3)  # every deadline of the requests above has passed
        assert client.send_text("31612345678", "hoi", sender="S").ok
