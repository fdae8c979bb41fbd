"""Parsing the gateway's XML reply, including the real service's encoding quirk."""

from __future__ import annotations

import pytest

import smsbatch
from smsbatch.gateway.reply import Response, parse_reply

SENT = (
    "<response>"
    "<sms_response_code>200</sms_response_code>"
    "<sms_response_text>Verzonden naar Zoë</sms_response_text>"
    "<sms_response_destination>31612345678</sms_response_destination>"
    "</response>"
)


def test_utf16_declaration_over_utf8_bytes_parses():
    body = ('<?xml version="1.0" encoding="utf-16"?>\r\n' + SENT).encode()
    assert parse_reply(body) == Response(200, "Verzonden naar Zoë", "31612345678")


def test_real_utf16_reply_parses():
    body = ('<?xml version="1.0" encoding="utf-16"?>' + SENT).encode("utf-16")
    assert parse_reply(body).ok


def test_missing_text_and_destination_read_as_empty_but_code_is_kept():
    assert parse_reply(b"<response><sms_response_code>402</sms_response_code></response>") == (
        Response(402, "", "")
    )


def test_a_gateway_error_keeps_the_response_and_its_fields():
    response = Response(601, "Carrier rejected the message.", "31612345678")
    with pytest.raises(smsbatch.CarrierError) as info:
        response.raise_for_code()
    assert info.value.response is response
    assert (info.value.code, info.value.text) == (601, "Carrier rejected the message.")


@pytest.mark.parametrize(
    "code",
    ["²00", "２００", "٢٠٠", "200 ", "+200", "-200", "2_00", "99999999999999999999"],
    ids=["superscript", "full-width", "arabic-indic", "trailing-junk", "plus", "minus",
         "underscore", "huge"],
)
def test_only_ascii_digits_are_a_code(code):
    body = SENT.replace(">200<", f">{code}<").encode()
    if code == "200 ":  # surrounding whitespace is stripped, as before
        assert parse_reply(body).ok
        return
    with pytest.raises(smsbatch.MalformedReplyError):
        parse_reply(body)


@pytest.mark.parametrize("name", ["code", "text", "destination"])
def test_a_field_given_twice_is_malformed_never_resolved(name):
    element = f"<sms_response_{name}>"
    doubled = SENT.replace(element, f"{element}503</sms_response_{name}>{element}", 1)
    with pytest.raises(smsbatch.MalformedReplyError, match="2 sms_response_"):
        parse_reply(doubled.encode())
