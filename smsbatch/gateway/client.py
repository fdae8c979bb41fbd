"""One HTTP request to the Connect Call SMS API, and its answer.

The client sends exactly one message per call and never retries: the API has no idempotency key,
so only the caller (the sender) may decide whether a failed request is safe to repeat. Transport
failures are therefore classified by whether the request may have reached the gateway.

The password travels in the query string, so it is kept in a :class:`~._secrets.Secret`, masked
in every repr, scrubbed from every exception chain and from urllib3's debug log lines
(see :mod:`smsbatch.gateway._secrets`). The reply is parsed by :mod:`smsbatch.gateway.reply`.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

import requests
from urllib3.exceptions import NameResolutionError, NewConnectionError

from smsbatch.exceptions import (
    ConfigurationError,
    InsecureURLError,
    MalformedReplyError,
    MessageSpecError,
    NotSentError,
    OutcomeUnknownError,
    TransportError,
)
from smsbatch.gateway._deadline import DeadlineAdapter, watch
from smsbatch.gateway._endpoint import check_http
from smsbatch.gateway._hex import is_hex_octets, normalise_hex
from smsbatch.gateway._secrets import (
    MASK,
    Secret,
    mask_response,
    remember,
    scrub_exception,
    secret_forms,
)
from smsbatch.gateway.reply import MAX_REPLY_BYTES, Response, excerpt, parse_reply

# Response's home is reply.py; it is named here too because smsbatch/__init__.py imports it here.
__all__ = ["DEFAULT_BASE_URL", "Client", "Response"]

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://portal.business-isp.nl/api/"
#: Parameters the client sets itself; extra parameters may not override them.
_RESERVED = frozenset(
    {"login", "pass", "from", "to", "text", "special", "binary", "udh", "data"}
    | {"vname", "vmobile", "vphone", "vemail", "vfax"}
)


class Client:
    """A connection to the Connect Call SMS API.

    Parameters
    ----------
    login, password
        The account's credentials. The password is masked everywhere.
    base_url
        The API root; a customer-specific API is just another URL. ``http://`` only for loopback.
    timeout
        ``(connect, read)`` seconds, or one number for both. ``connect`` bounds making the
        connection, ``read`` each wait for the next bytes of the reply, and their sum the
        whole request (connect, send and the complete reply), however slowly a reply trickles
        in. A connect timeout means "not sent"; a read timeout or the total deadline means the
        outcome is unknown (the message may have been sent).
    extra_params
        Optional query parameters some deployments accept, sent with every request.
    session
        A ``requests.Session`` to use (tests, proxies); one is created otherwise.

    Examples
    --------
    >>> with Client("login", "secret", sim.url) as client:  # doctest: +SKIP
    ...     client.send_text("31612345678", "Hallo!", sender="Kliniek")
    Response(code=200, text='SMS message sent.', destination='31612345678')
    """

    def __init__(
        self,
        login: str,
        password: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: tuple[float, float] | float = (5.0, 30.0),
        extra_params: Mapping[str, str] | None = None,
        session: requests.Session | None = None,
    ) -> None:
        if not login or not password:
            raise ConfigurationError("a login and a password are required")
        self.login = login
        self._password = Secret(password)
        remember(password)
        self.base_url = _check_base_url(base_url)
        self.timeout = timeout
        self.extra_params = _check_extra(extra_params or {})
        self.session = session or _new_session(self.base_url)
        # No retry may hide in the HTTP stack: a repeated request could send twice.
        adapter = DeadlineAdapter(max_retries=0, pool_connections=1, pool_maxsize=32)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    @classmethod
    def from_env(cls, **kwargs: Any) -> Client:
        """Build a client from ``SMSBATCH_LOGIN``, ``SMSBATCH_PASSWORD`` and
        ``SMSBATCH_BASE_URL`` (optional), so credentials stay out of notebooks."""
        missing = [n for n in ("SMSBATCH_LOGIN", "SMSBATCH_PASSWORD") if not os.environ.get(n)]
        if missing:
            raise ConfigurationError(f"set {' and '.join(missing)} in the environment")
        return cls(os.environ["SMSBATCH_LOGIN"], os.environ["SMSBATCH_PASSWORD"],
                   cls.base_url_from_env(), **kwargs)

    @staticmethod
    def base_url_from_env() -> str:
        """The API address :meth:`from_env` uses (``SMSBATCH_BASE_URL`` or the provider's),
        checked: what a preview, which needs no credentials, names the gateway by."""
        return _check_base_url(os.environ.get("SMSBATCH_BASE_URL") or DEFAULT_BASE_URL)

    def __repr__(self) -> str:
        return f"Client(login={self.login!r}, password={MASK!r}, base_url={self.base_url!r})"

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.session.close()

    # ``sender`` is keyword-only in every send_* method: one order for all three, and a call
    # written for another order fails loudly instead of swapping the text and the sender.
    def send_text(self, to: str, text: str, *, sender: str, **extra: str) -> Response:
        """Send one text message to one destination."""
        return self._send(to, sender, {"text": text}, extra)

    def send_vcard(
        self,
        to: str,
        *,
        sender: str,
        name: str,
        mobile: str | None = None,
        phone: str | None = None,
        email: str | None = None,
        fax: str | None = None,
        **extra: str,
    ) -> Response:
        """Send a vCard (``special=vcard&binary=1``) with the fields that are given."""
        fields = {"vname": name, "vmobile": mobile, "vphone": phone, "vemail": email, "vfax": fax}
        message = {"special": "vcard", "binary": "1"}
        message.update({k: v for k, v in fields.items() if v is not None})
        return self._send(to, sender, message, extra)

    def send_binary(
        self, to: str, *, sender: str, data: str, udh: str | None = None, **extra: str
    ) -> Response:
        """Send a binary message: hex ``data`` and an optional hex ``udh``, no text.

        The hex is sent as :func:`smsbatch.preview` shows it: whitespace removed, upper case.
        Anything but whole octets of hex raises :class:`~smsbatch.MessageSpecError`.
        """
        message = {"binary": "1"}
        if udh is not None:
            message["udh"] = _hex("udh", udh)
        message["data"] = _hex("data", data)
        return self._send(to, sender, message, extra)

    def _send(
        self, to: str, sender: str, message: Mapping[str, str], extra: Mapping[str, str]
    ) -> Response:
        log.debug("sending a message to %s", to)
        # The URL and the password's spellings are built in the calls, so that no local of
        # this frame holds the password.
        try:
            response = _request(
                self.session, self._url(to, sender, message, extra), self.timeout, self.base_url
            )
        except BaseException as err:
            # The one boundary every request passes: whatever escapes (ours, requests', a bug)
            # leaves without the password in its message, attributes or frame locals.
            scrub_exception(err, secret_forms(self._password.reveal()))
            raise
        # A gateway that echoes the request must not put the password in results and files.
        return mask_response(response, secret_forms(self._password.reveal()), to)

    def _url(
        self, to: str, sender: str, message: Mapping[str, str], extra: Mapping[str, str]
    ) -> str:
        params = {"login": self.login, "pass": self._password.reveal(), "from": sender, "to": to}
        params.update(message)
        params.update(self.extra_params)
        if extra:
            params.update(_check_extra(extra))
        return f"{self.base_url}sendsms.ashx?{_encode_query(params)}"

    @property
    def deadline(self) -> float:
        """Seconds one whole request may take: the connect and read timeouts together."""
        return _deadline_of(self.timeout)


def _request(
    session: requests.Session, url: str, timeout: tuple[float, float] | float, base_url: str
) -> Response:
    """GET ``url`` once, within the connect and read timeouts together, and parse the reply.

    A failure in the HTTP stack becomes a :class:`~smsbatch.TransportError` that says whether
    the request may have reached the gateway; nothing is retried here.
    """
    deadline = _deadline_of(timeout)
    with watch(deadline) as watched:
        try:
            # A redirect is never followed: the password would travel to wherever it points.
            with session.get(url, timeout=timeout, stream=True, allow_redirects=False) as reply:
                body = _read_limited(reply)
        except Exception as err:
            if watched.expired:
                raise _cut_off(deadline) from err
            if isinstance(err, requests.exceptions.RequestException):
                raise _transport_error(err, base_url) from err
            raise
    if watched.expired:  # a cut-off can also read as a short reply: never trust it
        raise _cut_off(deadline)
    check_http(reply, body, base_url)
    return parse_reply(body)


def _deadline_of(timeout: tuple[float, float] | float) -> float:
    if isinstance(timeout, tuple):
        return float(sum(timeout))
    return 2.0 * timeout


def _cut_off(deadline: float) -> OutcomeUnknownError:
    return OutcomeUnknownError(
        f"the gateway's reply was not complete within {deadline:g} s (the connect and "
        "read timeouts together); the message may have been sent"
    )


def _check_base_url(base_url: str) -> str:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"base_url must be an http(s) URL, got {base_url!r}")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise InsecureURLError(
            f"refusing plain http:// to {parts.hostname}: the password would travel unencrypted."
            " Use https://, or http:// only for a simulator on 127.0.0.1."
        )
    return base_url if base_url.endswith("/") else base_url + "/"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_extra(extra: Mapping[str, str]) -> dict[str, str]:
    # The real endpoint is ASP.NET, whose query keys are case-insensitive: "TO" is "to".
    clash = sorted(str(k) for k in extra if str(k).lower() in _RESERVED)
    if clash:
        raise ConfigurationError(f"extra parameters may not set {', '.join(clash)}")
    return {str(k): str(v) for k, v in extra.items()}


def _new_session(base_url: str) -> requests.Session:
    """A session that reads proxy and CA-bundle variables once, not on every request.

    requests scans the whole environment (and ~/.netrc) per request, which costs as much
    CPU as the request itself; the answer is the same for every request to one base URL.
    """
    session = requests.Session()
    settings = session.merge_environment_settings(base_url, {}, None, None, None)
    session.proxies.update(settings["proxies"])
    session.verify = settings["verify"]
    session.trust_env = False
    return session


def _encode_query(params: Mapping[str, str]) -> str:
    # Percent-encode everything (space as %20, never '+'), so no server-side decoder can
    # misread a '+', '&' or '#' typed in a message or a password.
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in params.items())


def _hex(name: str, value: str) -> str:
    normalised = normalise_hex(value)
    if not is_hex_octets(normalised):
        raise MessageSpecError(
            f"{name} must be whole octets of hex digits (0-9, A-F), got {value!r}; nothing "
            "was sent",
            column=name,
        )
    return normalised


def _read_limited(reply: requests.Response) -> bytes:
    """Read the body, refusing one that is too large (the deadline bounds the time)."""
    chunks: list[bytes] = []
    size = 0
    for chunk in reply.iter_content(chunk_size=8192):
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_REPLY_BYTES:
            raise MalformedReplyError(
                f"the gateway's reply is larger than {MAX_REPLY_BYTES} bytes, which is not "
                "the API's XML; the message may have been sent",
                excerpt(b"".join(chunks)),
            )
    return b"".join(chunks)


def _transport_error(err: requests.exceptions.RequestException, base_url: str) -> TransportError:
    """Say whether a request that failed in the HTTP stack may have reached the gateway."""
    if isinstance(err, requests.exceptions.ConnectTimeout):
        return NotSentError("connecting to the gateway timed out; nothing was sent")
    if isinstance(err, requests.exceptions.ConnectionError):
        if _never_connected(err):
            return NotSentError(
                f"could not connect to the gateway at {urlsplit(base_url).netloc}; "
                "nothing was sent"
            )
        return OutcomeUnknownError(
            "the connection to the gateway broke after the request was sent; "
            "the message may have been sent"
        )
    return OutcomeUnknownError(
        f"no answer was read from the gateway ({type(err).__name__}); "
        "the message may have been sent"
    )


def _never_connected(err: requests.exceptions.ConnectionError) -> bool:
    """True when the failure happened while connecting, before any byte was sent."""
    seen: set[int] = set()
    stack: list[Any] = [err]
    while stack:
        current = stack.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, NewConnectionError | NameResolutionError | ConnectionRefusedError):
            return True
        stack.extend([*current.args, getattr(current, "reason", None), current.__cause__,
                      current.__context__])
    return False
