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

Inside: ``_simulator_protocol`` checks a request and renders the reply, ``_simulator_gateway``
keeps the books and the faults, ``_simulator_server`` is the HTTP side. All of them log to this
module's logger.

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

import time
from collections.abc import Iterable
from os import PathLike
from pathlib import Path

from smsbatch.gateway._simulator_gateway import Fault, Gateway
from smsbatch.gateway._simulator_protocol import Reply, SimulatedMessage
from smsbatch.gateway._simulator_server import Server

__all__ = ["SimulatedMessage", "Simulator"]


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
        self._server = Server((host, port), self._answer)
        try:
            self._gateway = Gateway(funds, self.record_path)
        except OSError:
            self._server.server_close()
            raise
        self.url = self._server.url

    def __repr__(self) -> str:
        return f"Simulator(url={self.url!r}, login={self.login!r}, messages={len(self.messages)})"

    # -- what arrived ---------------------------------------------------------------------------

    @property
    def messages(self) -> list[SimulatedMessage]:
        """Messages accepted so far, in the order they were accepted (a snapshot copy)."""
        return self._gateway.messages

    @property
    def requests(self) -> int:
        """Number of ``sendsms.ashx`` requests that arrived, accepted or not."""
        return self._gateway.requests

    @property
    def funds(self) -> int | None:
        """Messages still accepted before 402 "Insufficient funds"; None is unlimited."""
        return self._gateway.funds

    @funds.setter
    def funds(self, value: int | None) -> None:
        self._gateway.funds = value

    def wait_for(self, *, messages: int = 0, requests: int = 0, timeout: float = 20.0) -> bool:
        """Block until at least ``messages`` were accepted and ``requests`` arrived.

        Lets a test time a signal or a fault to the traffic, without sleeping. Returns False
        if ``timeout`` seconds passed first.
        """
        return self._gateway.wait_for(messages, requests, timeout)

    # -- fault injection ------------------------------------------------------------------------

    def fail_next(self, n: int = 1, *, code: int = 503) -> None:
        """Answer the next ``n`` valid requests with ``code`` instead of sending them."""
        self._gateway.queue(n, Fault("fail", code=code))

    def malformed_next(self, n: int = 1) -> None:
        """Answer the next ``n`` valid requests with an HTML error page (HTTP 500), unsent."""
        self._gateway.queue(n, Fault("malformed"))

    def drop_next(self, n: int = 1, *, delivered: bool = False) -> None:
        """Close the connection of the next ``n`` valid requests without any reply.

        With ``delivered=True`` the gateway handles the message first (it is recorded when it
        would have been sent): the client cannot know, which is the point.
        """
        self._gateway.queue(n, Fault("drop", delivered=delivered))

    def fail_numbers(self, numbers: Iterable[str], *, code: int = 601) -> None:
        """Answer ``code`` (a carrier error by default) for these destinations from now on."""
        self._gateway.fail_numbers(numbers, code)

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> Simulator:
        """Serve in a background thread; returns the simulator for chaining."""
        self._server.serve_in_thread()
        return self

    def serve_forever(self) -> None:
        """Serve until ``stop()`` is called from another thread or Ctrl-C, then stop cleanly."""
        self.start()
        try:
            self._server.stopping.wait()
        finally:
            self.stop()

    def stop(self) -> None:
        """Stop serving, close every connection, join every thread and close the record file."""
        self._server.close()  # first: no handler may still be recording
        self._gateway.close()

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _answer(self, query: str) -> Reply | None:
        """Handle one sendsms query; None means: close the connection without a reply."""
        received_at = time.time()
        self._gateway.count_request()
        if not self._server.pause(self.latency):
            return None
        return self._gateway.answer(
            query,
            received_at,
            login=self.login,
            password=self.password,
            utf16_declaration=self.utf16_declaration,
        )
