"""One HTTP request to the Connect Call SMS API, and its answer.

The client sends exactly one message per call and never retries: the API has no idempotency key,
so only the caller (the sender) may decide whether a failed request is safe to repeat. Transport
failures are therefore classified by whether the request may have reached the gateway.

The password travels in the query string, so it is kept in a :class:`Secret`, masked in every
repr, scrubbed from every exception chain and from urllib3's debug log lines.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import time
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote, quote_plus, urlsplit

import requests
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NameResolutionError, NewConnectionError

from smsbatch.exceptions import (
    AuthOrFundsError,
    CarrierError,
    ConfigurationError,
    GatewayServerError,
    InsecureURLError,
    MalformedReplyError,
    NotSentError,
    OutcomeUnknownError,
    ResellerFundsError,
    UnexpectedCodeError,
)

__all__ = ["DEFAULT_BASE_URL", "Client", "Response", "Secret"]

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://portal.business-isp.nl/api/"
#: A documented reply is about 200 bytes; anything far larger is not the API talking.
MAX_REPLY_BYTES = 64 * 1024
MASK = "********"

Category = Literal["ok", "auth_or_funds", "server", "carrier", "reseller_funds", "other"]
_FAMILIES: dict[int, tuple[Category, type[Exception]]] = {
    40: ("auth_or_funds", AuthOrFundsError),
    50: ("server", GatewayServerError),
    60: ("carrier", CarrierError),
    70: ("reseller_funds", ResellerFundsError),
}
#: Parameters the client sets itself; extra parameters may not override them.
_RESERVED = frozenset(
    {"login", "pass", "from", "to", "text", "special", "binary", "udh", "data"}
    | {"vname", "vmobile", "vphone", "vemail", "vfax"}
)
_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>")


class Secret:
    """A string that never shows itself in a repr, str or format."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return MASK

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return MASK

    def __reduce__(self) -> Any:
        raise TypeError("a Secret cannot be pickled")


@dataclass(frozen=True, slots=True)
class Response:
    """The gateway's answer to one request: data, not an exception.

    ``code`` and ``text`` are the gateway's own; ``category`` classifies the code by the
    documented families (40x, 50x, 60x, 70x) since the codes inside a family are undocumented.
    """

    code: int
    text: str
    destination: str

    @property
    def ok(self) -> bool:
        return self.code == 200

    @property
    def category(self) -> Category:
        if self.ok:
            return "ok"
        family = _FAMILIES.get(self.code // 10)
        return family[0] if family else "other"

    def raise_for_code(self) -> Response:
        """Raise the matching :class:`~smsbatch.GatewayError` unless the code is 200.

        Returns the response itself when it is OK, so calls can be chained.
        """
        if self.ok:
            return self
        family = _FAMILIES.get(self.code // 10)
        error = family[1] if family else UnexpectedCodeError
        raise error(self)


class _SecretFilter(logging.Filter):
    """Masks the password in records of the HTTP stack, which logs full request URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            scrubbed = _scrub_text(message, self.secrets)
            if scrubbed != message:
                record.msg, record.args = scrubbed, None
        return True


_LOG_FILTER = _SecretFilter()
for _name in ("urllib3.connectionpool", "urllib3.connection", "urllib3.util.retry", "requests"):
    logging.getLogger(_name).addFilter(_LOG_FILTER)


def _secret_forms(password: str) -> set[str]:
    """Every spelling in which the password can show up in a URL or a message."""
    if not password:
        return set()
    return {password, quote(password, safe=""), quote(password), quote_plus(password)}


def _scrub_text(text: str, secrets: Iterable[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def _scrub_exception(err: BaseException, secrets: set[str], seen: set[int] | None = None) -> None:
    """Mask the password in an exception chain in place, so its traceback can be shown.

    Messages, string attributes (``url``, ``body_excerpt``...) and the locals of the frames
    the exceptions passed through (which hold the URL) are all cleared of it; requests'
    request and response objects, which carry the full URL, are dropped.
    """
    seen = set() if seen is None else seen
    if id(err) in seen:
        return
    seen.add(id(err))
    err.args = tuple(_scrub_arg(arg, secrets, seen) for arg in err.args)
    for attribute, value in list(vars(err).items()):
        if isinstance(value, str):
            setattr(err, attribute, _scrub_text(value, secrets))
        elif isinstance(value, requests.Request | requests.PreparedRequest | requests.Response):
            setattr(err, attribute, None)
    traceback.clear_frames(err.__traceback__)
    for linked in (err.__cause__, err.__context__, getattr(err, "reason", None)):
        if isinstance(linked, BaseException):
            _scrub_exception(linked, secrets, seen)


def _scrub_arg(arg: Any, secrets: set[str], seen: set[int]) -> Any:
    if isinstance(arg, str):
        return _scrub_text(arg, secrets)
    if isinstance(arg, BaseException):
        _scrub_exception(arg, secrets, seen)
    return arg


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


def _encode_query(params: Mapping[str, str]) -> str:
    # Percent-encode everything (space as %20, never '+'), so no server-side decoder can
    # misread a '+', '&' or '#' typed in a message or a password.
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in params.items())


class Client:
    """A connection to the Connect Call SMS API.

    Parameters
    ----------
    login, password
        The account's credentials. The password is masked everywhere.
    base_url
        The API root; a customer-specific API is just another URL. ``http://`` only for loopback.
    timeout
        ``(connect, read)`` seconds. A connect timeout means "not sent"; a read timeout means
        the outcome is unknown.
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
        _LOG_FILTER.secrets |= _secret_forms(password)
        self.base_url = _check_base_url(base_url)
        self.timeout = timeout
        self.extra_params = self._check_extra(extra_params or {})
        self.session = session or self._new_session(self.base_url)
        # No retry may hide in the HTTP stack: a repeated request could send twice.
        adapter = HTTPAdapter(max_retries=0, pool_connections=1, pool_maxsize=32)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    @staticmethod
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

    @classmethod
    def from_env(cls, **kwargs: Any) -> Client:
        """Build a client from ``SMSBATCH_LOGIN``, ``SMSBATCH_PASSWORD`` and
        ``SMSBATCH_BASE_URL`` (optional), so credentials stay out of notebooks."""
        missing = [n for n in ("SMSBATCH_LOGIN", "SMSBATCH_PASSWORD") if not os.environ.get(n)]
        if missing:
            raise ConfigurationError(f"set {' and '.join(missing)} in the environment")
        base_url = os.environ.get("SMSBATCH_BASE_URL") or DEFAULT_BASE_URL
        return cls(os.environ["SMSBATCH_LOGIN"], os.environ["SMSBATCH_PASSWORD"], base_url,
                   **kwargs)

    def __repr__(self) -> str:
        return f"Client(login={self.login!r}, password={MASK!r}, base_url={self.base_url!r})"

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.session.close()

    def send_text(self, to: str, text: str, sender: str, **extra: str) -> Response:
        """Send one text message to one destination."""
        return self._send(to, sender, {"text": text}, extra)

    def send_vcard(
        self,
        to: str,
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
        self, to: str, sender: str, data: str, udh: str | None = None, **extra: str
    ) -> Response:
        """Send a binary message: hex ``data`` and an optional hex ``udh``, no text."""
        message = {"binary": "1"}
        if udh is not None:
            message["udh"] = udh
        message["data"] = data
        return self._send(to, sender, message, extra)

    def _check_extra(self, extra: Mapping[str, str]) -> dict[str, str]:
        clash = sorted(_RESERVED.intersection(extra))
        if clash:
            raise ConfigurationError(f"extra parameters may not set {', '.join(clash)}")
        return {str(k): str(v) for k, v in extra.items()}

    def _send(
        self, to: str, sender: str, message: Mapping[str, str], extra: Mapping[str, str]
    ) -> Response:
        log.debug("sending a message to %s", to)
        try:
            # The URL is built in the call so that no local of this frame holds the password.
            return self._request(self._url(to, sender, message, extra))
        except (NotSentError, OutcomeUnknownError) as err:
            _scrub_exception(err, _secret_forms(self._password.reveal()))
            raise

    def _url(
        self, to: str, sender: str, message: Mapping[str, str], extra: Mapping[str, str]
    ) -> str:
        params = {"login": self.login, "pass": self._password.reveal(), "from": sender, "to": to}
        params.update(message)
        params.update(self.extra_params)
        if extra:
            params.update(self._check_extra(extra))
        return f"{self.base_url}sendsms.ashx?{_encode_query(params)}"

    def _request(self, url: str) -> Response:
        try:
            # A redirect is never followed: the password would travel to wherever it points.
            with self.session.get(
                url, timeout=self.timeout, stream=True, allow_redirects=False
            ) as reply:
                body = self._read_limited(reply)
        except requests.exceptions.ConnectTimeout as err:
            raise NotSentError("connecting to the gateway timed out; nothing was sent") from err
        except requests.exceptions.ConnectionError as err:
            if _never_connected(err):
                raise NotSentError(
                    f"could not connect to the gateway at {urlsplit(self.base_url).netloc}; "
                    "nothing was sent"
                ) from err
            raise OutcomeUnknownError(
                "the connection to the gateway broke after the request was sent; "
                "the message may have been sent"
            ) from err
        except requests.exceptions.RequestException as err:
            raise OutcomeUnknownError(
                f"no answer was read from the gateway ({type(err).__name__}); "
                "the message may have been sent"
            ) from err
        if reply.is_redirect:
            target = urlsplit(reply.headers.get("Location", ""))
            raise MalformedReplyError(
                f"the gateway redirected to {target.scheme}://{target.netloc}{target.path}; "
                "smsbatch never follows a redirect, because the password would go along. "
                "Check base_url with your provider; the message may have been sent",
                _excerpt(body),
            )
        if reply.status_code != 200:
            raise MalformedReplyError(
                f"the gateway answered HTTP {reply.status_code} instead of the API's XML; "
                "the message may have been sent",
                _excerpt(body),
            )
        return parse_reply(body)

    def _read_limited(self, reply: requests.Response) -> bytes:
        """Read the body, refusing one that is too large or trickles in past the read timeout."""
        read_timeout = self.timeout[1] if isinstance(self.timeout, tuple) else self.timeout
        deadline = time.monotonic() + read_timeout
        chunks: list[bytes] = []
        size = 0
        for chunk in reply.iter_content(chunk_size=8192):
            chunks.append(chunk)
            size += len(chunk)
            if time.monotonic() > deadline:
                raise OutcomeUnknownError(
                    "the gateway's reply did not arrive within the read timeout; "
                    "the message may have been sent"
                )
            if size > MAX_REPLY_BYTES:
                raise MalformedReplyError(
                    f"the gateway's reply is larger than {MAX_REPLY_BYTES} bytes, which is not "
                    "the API's XML; the message may have been sent",
                    _excerpt(b"".join(chunks)),
                )
        return b"".join(chunks)


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


def _excerpt(body: bytes) -> str:
    return body[:200].decode("utf-8", errors="replace")


def parse_reply(body: bytes) -> Response:
    """Parse the API's XML reply safely (defusedxml: no DTDs, no entities).

    The code decides everything, so a reply without a numeric ``sms_response_code`` is an
    error; a missing text or destination is read as empty rather than losing the code.

    The real service can declare ``encoding="utf-16"`` while sending UTF-8 bytes; the
    declaration is therefore ignored and the bytes decoded by their BOM, else as UTF-8.
    """
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        raw = body.decode("utf-16").encode("utf-8")
    else:
        raw = body.removeprefix(b"\xef\xbb\xbf")
    raw = _XML_DECLARATION.sub(b"", raw, count=1)
    try:
        root = SafeElementTree.fromstring(raw.decode("utf-8"), forbid_dtd=True)
    except (SafeElementTree.ParseError, DefusedXmlException, UnicodeDecodeError) as err:
        raise MalformedReplyError(
            "the gateway's reply is not the API's XML; the message may have been sent",
            _excerpt(body),
        ) from err

    def field(name: str) -> str:
        element = root.find(name)
        return (element.text or "").strip() if element is not None else ""

    code = field("sms_response_code")
    if root.tag != "response" or not code.isdigit():
        raise MalformedReplyError(
            f"the gateway's reply has no numeric sms_response_code (got {code!r}); "
            "the message may have been sent",
            _excerpt(body),
        )
    return Response(int(code), field("sms_response_text"), field("sms_response_destination"))
