"""A local stand-in for the Connect Call SMS gateway, for tests, demos and notebooks.

It serves ``GET {url}sendsms.ashx`` as the provider's document describes (credentials, the
mandatory parameters, text, vCard and binary messages, the XML reply) on a real HTTP server on
127.0.0.1, keeps every message it accepted, and injects the faults a bulk sender must survive.
Nothing leaves the machine.

The provider documents only code families (200 OK, 40x authentication or funds, 50x server,
60x carrier, 70x reseller funds). The concrete codes are the simulator's choices, not the
provider's::

    code  sms_response_text                 when
    200   SMS message sent.                 accepted (and recorded)
    400   Missing/Invalid parameter: ...    a parameter is missing, repeated or malformed
    401   Authentication failed.            login or pass missing or wrong
    402   Insufficient funds.               ``funds`` reached 0
    503   Service temporarily unavailable.  ``fail_next`` (its default code)
    601   Carrier rejected the message.     ``fail_numbers`` (its default code)

Any other code given to ``fail_next`` or ``fail_numbers`` is answered with its family's text.

What counts as valid is also the simulator's reading of the document, stricter where a real
gateway would only fail later:

- ``to``: 8 to 15 digits in international format, without ``+`` or a leading 0.
- ``from``: at most 11 characters, or at most 16 digits with an optional ``+``.
- text: ``text`` is required and not empty.
- vCard: ``special=vcard&binary=1`` with a non-empty ``vname``; ``vmobile``, ``vphone``,
  ``vemail``, ``vfax`` optional; a ``text`` is tolerated.
- binary: ``binary=1&data=HEX[&udh=HEX]`` and no ``text``: hex of even length; the UDH's first
  byte (UDHL) counts the bytes after it; udh and data together at most 140 octets.
- each parameter at most once; the query is UTF-8 form encoding (``+`` is a space).

Injected faults (``fail_next``, ``malformed_next``, ``drop_next``) wait in one queue, in the
order they were asked for, and each is used by the next request that passes the credential and
parameter checks, so a test's deliberately invalid request never consumes one.

Example
-------
>>> import requests
>>> with Simulator() as sim:
...     reply = requests.get(sim.url + "sendsms.ashx", params={
...         "login": sim.login, "pass": sim.password, "from": "Shop", "to": "31612345678",
...         "text": "Hi €5 & more"})
...     sim.messages[0].text
'Hi €5 & more'
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from os import PathLike
from pathlib import Path
from types import TracebackType
from typing import Any, Literal
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

logger = logging.getLogger(__name__)

_PATH = "/api/sendsms.ashx"
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

# (HTTP status, Content-Type, body) of one answer.
_Reply = tuple[int, str, bytes]

_MALFORMED_REPLY: _Reply = (
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


@dataclass(frozen=True, slots=True)
class _Fault:
    kind: Literal["fail", "malformed", "drop"]
    code: int = 0
    delivered: bool = False


class Simulator:
    """A Connect Call gateway on 127.0.0.1 that records what it accepts and fails on demand.

    The port is bound when the object is created (like ``http.server``), so ``url`` is known
    at once; ``start()`` (or ``with``) serves in a background thread, ``stop()`` closes every
    connection and joins every thread. A stopped simulator cannot be started again.

    Parameters
    ----------
    login, password : str
        The credentials it accepts. They are the simulator's, never a real account's.
    host, port : str, int
        Where to listen; port 0 picks a free port.
    latency : float
        Seconds to wait before each answer; the attribute can be changed at any time.
    funds : int or None
        Messages it accepts before answering 402 "Insufficient funds"; None is unlimited.
    record_path : path or None
        A JSON-lines file, appended and flushed per accepted message (password never written).
    utf16_declaration : bool
        Reproduce the real service's quirk: an XML declaration saying ``encoding="utf-16"``
        in front of a UTF-8 reply.

    Examples
    --------
    >>> with Simulator(funds=1) as sim:
    ...     sim.fail_next(2, code=503)          # two server errors, then normal service
    ...     sim.fail_numbers({"31600000000"})   # 601 for this destination
    ...     sim.url.startswith("http://127.0.0.1:")
    True
    """

    def __init__(
        self,
        login: str = "demo",
        password: str = "demo",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        latency: float = 0.0,
        funds: int | None = None,
        record_path: str | PathLike[str] | None = None,
        utf16_declaration: bool = False,
    ) -> None:
        self.login = login
        self.password = password
        self.latency = latency
        self.utf16_declaration = utf16_declaration
        self.record_path = None if record_path is None else Path(record_path)
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)  # notified per request and message
        self._stop_lock = threading.Lock()
        self._stopping = threading.Event()
        self._stopped = False
        self._messages: list[SimulatedMessage] = []
        self._requests = 0
        self._funds = funds
        self._faults: deque[_Fault] = deque()
        self._failing: dict[str, int] = {}
        self._thread: threading.Thread | None = None
        self._server = _Server((host, port), self)
        try:
            self._record = (
                None
                if self.record_path is None
                else self.record_path.open("a", encoding="utf-8", newline="\n")
            )
        except OSError:
            self._server.server_close()
            raise
        bound_host, bound_port = self._server.server_address[:2]
        self.url = f"http://{bound_host}:{bound_port}/api/"

    def __repr__(self) -> str:
        return f"Simulator(url={self.url!r}, login={self.login!r}, messages={len(self.messages)})"

    # -- what arrived ---------------------------------------------------------------------------

    @property
    def messages(self) -> list[SimulatedMessage]:
        """Messages accepted so far, in the order they were accepted (a snapshot copy)."""
        with self._lock:
            return list(self._messages)

    @property
    def requests(self) -> int:
        """Number of ``sendsms.ashx`` requests that arrived, accepted or not."""
        with self._lock:
            return self._requests

    @property
    def funds(self) -> int | None:
        """Messages still accepted before 402 "Insufficient funds"; None is unlimited."""
        with self._lock:
            return self._funds

    @funds.setter
    def funds(self, value: int | None) -> None:
        with self._lock:
            self._funds = value

    def wait_for(
        self, *, messages: int = 0, requests: int = 0, timeout: float = 20.0
    ) -> bool:
        """Block until at least ``messages`` were accepted and ``requests`` arrived.

        Lets a test time a signal or a fault to the traffic, without sleeping. Returns False
        if ``timeout`` seconds passed first.
        """
        with self._arrived:
            return self._arrived.wait_for(
                lambda: len(self._messages) >= messages and self._requests >= requests, timeout
            )

    # -- fault injection ------------------------------------------------------------------------

    def fail_next(self, n: int = 1, *, code: int = 503) -> None:
        """Answer the next ``n`` valid requests with ``code`` instead of sending them."""
        self._queue(n, _Fault("fail", code=code))

    def malformed_next(self, n: int = 1) -> None:
        """Answer the next ``n`` valid requests with an HTML error page (HTTP 500), unsent."""
        self._queue(n, _Fault("malformed"))

    def drop_next(self, n: int = 1, *, delivered: bool = False) -> None:
        """Close the connection of the next ``n`` valid requests without any reply.

        With ``delivered=True`` the gateway handles the message first (it is recorded when it
        would have been sent): the client cannot know, which is the point.
        """
        self._queue(n, _Fault("drop", delivered=delivered))

    def fail_numbers(self, numbers: Iterable[str], *, code: int = 601) -> None:
        """Answer ``code`` (a carrier error by default) for these destinations from now on."""
        with self._lock:
            self._failing.update(dict.fromkeys(numbers, code))

    def _queue(self, n: int, fault: _Fault) -> None:
        with self._lock:
            self._faults.extend([fault] * n)

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> Simulator:
        """Serve in a background thread; returns the simulator for chaining."""
        if self._thread is None:
            # stop() waits for one poll; 100 idle wake-ups a second cost next to nothing.
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.01},
                name="smsbatch-simulator",
                daemon=True,
            )
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve until ``stop()`` is called from another thread or Ctrl-C, then stop cleanly."""
        self.start()
        try:
            self._stopping.wait()
        finally:
            self.stop()

    def stop(self) -> None:
        """Stop serving, close every connection, join every thread and close the record file."""
        with self._stop_lock:
            if self._stopped:
                return
            self._stopping.set()
            if self._thread is not None:
                self._server.shutdown()
                self._thread.join()
            self._server.server_close()
            self._server.close_connections()
            if self._record is not None:
                self._record.close()
            self._stopped = True

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- the gateway ----------------------------------------------------------------------------

    def _answer(self, query: str) -> _Reply | None:
        """Handle one sendsms query; None means: close the connection without a reply."""
        received_at = time.time()
        with self._lock:
            self._requests += 1
            self._arrived.notify_all()
        latency = self.latency
        if latency > 0:
            self._stopping.wait(latency)
        if self._stopping.is_set():
            return None
        params = _decode_query(query)
        if isinstance(params, str):
            return self._xml(400, "", params)
        to = params.get("to", "")
        if params.get("login") != self.login or params.get("pass") != self.password:
            return self._xml(401, to)
        message = _read_message(params, received_at)
        if isinstance(message, str):
            return self._xml(400, to, message)
        return self._deliver(message)

    def _deliver(self, message: SimulatedMessage) -> _Reply | None:
        with self._lock:
            fault = self._faults.popleft() if self._faults else None
            if fault is None or (fault.kind == "drop" and fault.delivered):
                code = self._accept(message)
            elif fault.kind == "fail":
                code = fault.code
            elif fault.kind == "malformed":
                return _MALFORMED_REPLY
            else:
                return None
        if fault is not None and fault.kind == "drop":
            return None
        logger.debug("sendsms to %s answered %d", message.to, code)
        return self._xml(code, message.to)

    def _accept(self, message: SimulatedMessage) -> int:
        """Apply funds and carrier failures, and record what the gateway sends. Lock held."""
        if self._funds is not None and self._funds <= 0:
            return 402
        failing_code = self._failing.get(message.to)
        if failing_code is not None:
            return failing_code
        if self._funds is not None:
            self._funds -= 1
        self._messages.append(message)
        self._arrived.notify_all()
        if self._record is not None:
            # ASCII JSON: a line can never be split by a reader's idea of a line break.
            self._record.write(json.dumps(asdict(message)) + "\n")
            self._record.flush()
        return 200

    def _xml(self, code: int, destination: str, text: str | None = None) -> _Reply:
        if text is None:
            text = _TEXTS.get(code) or _FAMILY_TEXTS.get(code // 100, "Error.")
        body = (
            "<response>\n"
            f"<sms_response_code>{code}</sms_response_code>\n"
            f"<sms_response_text>{_xml_text(text)}</sms_response_text>\n"
            f"<sms_response_destination>{_xml_text(destination)}</sms_response_destination>\n"
            "</response>"
        )
        if self.utf16_declaration:
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


class _Server(ThreadingHTTPServer):
    """A thread per connection, with the connections tracked so stop() can close them."""

    # Many clients connecting at once must not overflow the listen backlog (default 5).
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], simulator: Simulator) -> None:
        self.simulator = simulator
        self._connections: dict[socket.socket, threading.Thread] = {}
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name="smsbatch-simulator-connection",
            daemon=True,
        )
        with self._connections_lock:
            self._connections[request] = thread
        thread.start()

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.pop(request, None)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Wake every handler waiting on an idle keep-alive connection, and join it."""
        with self._connections_lock:
            connections = list(self._connections.items())
        for request, thread in connections:
            with contextlib.suppress(OSError):
                request.shutdown(socket.SHUT_RDWR)
            thread.join()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client hanging up mid-reply is normal for a test server: no traceback on stderr.
        logger.debug("connection %s ended with an error", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Keep-alive request/reply traffic stalls for 40 ms per request under Nagle + delayed ACK.
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        if path != _PATH:
            self._send((404, "text/plain; charset=utf-8", f"Not found; try {_PATH}\n".encode()))
            return
        reply = self.server.simulator._answer(query)
        if reply is None:
            logger.debug("sendsms: connection closed without a reply")
            self.close_connection = True
            return
        self._send(reply)

    def _send(self, reply: _Reply) -> None:
        status, content_type, body = reply
        head = (
            f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
            f"Server: smsbatch-simulator\r\nDate: {self.date_time_string()}\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
        )
        if self.close_connection:
            head += "Connection: close\r\n"
        # One write per reply: one packet, nothing for Nagle to hold back.
        self.wfile.write(head.encode("ascii") + b"\r\n" + body)
        self.log_request(status)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # Never the query: it carries the password.
        path = getattr(self, "path", "").partition("?")[0]
        logger.debug("%s %s -> %s", self.command, path, code)

    def log_message(self, format: str, *args: Any) -> None:
        # The base class prints the request line, password included, to stderr.
        logger.debug("HTTP protocol error on a simulator connection")
