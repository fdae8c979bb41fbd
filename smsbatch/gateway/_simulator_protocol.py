"""What the simulated gateway accepts and how it answers: request checks and XML replies.

Pure functions, no state: the rules and the codes are listed in :mod:`smsbatch.gateway.simulator`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

__all__ = ["MALFORMED_REPLY", "PATH", "Reply", "SimulatedMessage", "read_request", "xml_reply"]

PATH = "/api/sendsms.ashx"
_MAX_BINARY_OCTETS = 140
_VCARD_FIELDS = ("name", "mobile", "phone", "email", "fax")
_DESTINATION = re.compile(r"[1-9][0-9]{7,14}")
_NUMERIC_SENDER = re.compile(r"\+?[0-9]{1,16}")
_HEX = re.compile(r"(?:[0-9A-Fa-f]{2})+")
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_UTF16_DECLARATION = '<?xml version="1.0" encoding="utf-16"?>\n'
_TEXTS = {
    200: "SMS message sent.",
    401: "Authentication failed.",
    402: "Insufficient funds.",
    503: "Service temporarily unavailable.",
    601: "Carrier rejected the message.",
}
_FAMILY_TEXTS = {
    4: "Authentication or funds error.",
    5: "Server error.",
    6: "Carrier error.",
    7: "Reseller funds error.",
}
_XML = "text/xml; charset=utf-8"

#: (HTTP status, Content-Type, body) of one answer.
Reply = tuple[int, str, bytes]

MALFORMED_REPLY: Reply = (
    500,
    "text/html; charset=utf-8",
    b"<!DOCTYPE html>\n<html><head><title>Runtime Error</title></head>\n"
    b"<body><h1>Server Error in '/api' Application.</h1>\n"
    b"<p>Runtime Error (simulated by smsbatch).</p></body></html>\n",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class SimulatedMessage:
    """One message the simulator accepted, exactly as it arrived.

    ``params`` holds every query parameter except ``pass``; ``received_at`` is ``time.time()``
    when the request arrived.
    """

    to: str
    sender: str
    kind: Literal["text", "vcard", "binary"]
    text: str | None = None
    vcard: dict[str, str] | None = None
    udh: str | None = None
    data: str | None = None
    params: dict[str, str]
    received_at: float

    # Defined in this private module; users import it from smsbatch or the simulator module.
    __module__ = "smsbatch.gateway.simulator"


def read_request(
    query: str, login: str, password: str, received_at: float
) -> SimulatedMessage | tuple[int, str, str | None]:
    """Read a sendsms query as the message it describes, or ``(code, to, text)`` to refuse it.

    A refusal's ``text`` is None where the code's own text says it all.
    """
    params = _decode_query(query)
    if isinstance(params, str):
        return (400, "", params)
    to = params.get("to", "")
    if params.get("login") != login or params.get("pass") != password:
        return (401, to, None)
    message = _read_message(params, received_at)
    if isinstance(message, str):
        return (400, to, message)
    return message


def xml_reply(
    code: int, destination: str, text: str | None = None, *, utf16_declaration: bool = False
) -> Reply:
    """The API's XML answer; ``text`` defaults to the code's own text, else its family's."""
    if text is None:
        text = _TEXTS.get(code) or _FAMILY_TEXTS.get(code // 100, "Error.")
    body = (
        "<response>\n"
        f"<sms_response_code>{code}</sms_response_code>\n"
        f"<sms_response_text>{_xml_text(text)}</sms_response_text>\n"
        f"<sms_response_destination>{_xml_text(destination)}</sms_response_destination>\n"
        "</response>"
    )
    if utf16_declaration:
        body = _UTF16_DECLARATION + body
    return (200, _XML, body.encode("utf-8"))


def _xml_text(value: str) -> str:
    """Escape for XML, dropping characters XML 1.0 cannot carry at all (a reply must parse)."""
    return escape(_NOT_XML_CHAR.sub("", value))


def _decode_query(query: str) -> dict[str, str] | str:
    """Decode the query as a form would encode it, or say (as a 400 text) why it cannot be."""
    try:
        values = parse_qs(query, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        return "Invalid parameter: the query is not UTF-8."
    repeated = sorted(name for name, given in values.items() if len(given) > 1)
    if repeated:
        return f"Invalid parameter: {', '.join(repeated)} given more than once."
    return {name: given[0] for name, given in values.items()}


def _read_message(params: dict[str, str], received_at: float) -> SimulatedMessage | str:
    """Build the message a query describes, or say (as a 400 text) what is wrong with it."""
    for name in ("to", "from"):
        if not params.get(name):
            return f"Missing parameter: {name}."
    to, sender = params["to"], params["from"]
    if not _DESTINATION.fullmatch(to):
        return (
            "Invalid parameter: to must be 8 to 15 digits in international format "
            "(no + or leading 0)."
        )
    if not (len(sender) <= 11 or _NUMERIC_SENDER.fullmatch(sender)):
        return "Invalid parameter: from must be at most 11 characters or 16 digits."
    binary, special = params.get("binary"), params.get("special")
    if binary not in (None, "1"):
        return "Invalid parameter: binary must be 1."
    if special not in (None, "vcard"):
        return "Invalid parameter: special must be vcard."
    common: dict[str, Any] = {
        "to": to,
        "sender": sender,
        "params": {name: value for name, value in params.items() if name != "pass"},
        "received_at": received_at,
    }
    if special == "vcard":
        if binary is None:
            return "Missing parameter: binary=1 (required with special=vcard)."
        vcard = {field: params[f"v{field}"] for field in _VCARD_FIELDS if params.get(f"v{field}")}
        if "name" not in vcard:
            return "Missing parameter: vname."
        return SimulatedMessage(kind="vcard", text=params.get("text"), vcard=vcard, **common)
    if binary is not None:
        problem = _binary_problem(params)
        if problem:
            return problem
        return SimulatedMessage(
            kind="binary", udh=params.get("udh") or None, data=params["data"], **common
        )
    if not params.get("text"):
        return "Missing parameter: text."
    return SimulatedMessage(kind="text", text=params["text"], **common)


def _binary_problem(params: dict[str, str]) -> str | None:
    if "text" in params:
        return "Invalid parameter: a binary message replaces text with data."
    data, udh = params.get("data"), params.get("udh") or ""
    if not data:
        return "Missing parameter: data."
    for name, value in (("udh", udh), ("data", data)):
        if value and not _HEX.fullmatch(value):
            return f"Invalid parameter: {name} must be an even number of hexadecimal digits."
    if udh and int(udh[:2], 16) != len(udh) // 2 - 1:
        return "Invalid parameter: the first byte of udh (UDHL) must count the bytes after it."
    if (len(udh) + len(data)) // 2 > _MAX_BINARY_OCTETS:
        return f"Invalid parameter: udh and data exceed {_MAX_BINARY_OCTETS} octets."
    return None
