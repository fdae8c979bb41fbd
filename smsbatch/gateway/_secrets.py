"""Keep the account password out of everything a person or a log can see.

The password travels in the query string, so it is held in a :class:`Secret` (masked in every
repr), scrubbed from every exception chain the client raises, and masked in the log records of
the HTTP stack, which logs full request URLs at DEBUG level.
"""

from __future__ import annotations

import functools
import html
import logging
import re
import traceback
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, quote_plus

import requests

if TYPE_CHECKING:
    from smsbatch.gateway.reply import Response

__all__ = ["MASK", "Secret", "mask_response", "remember", "scrub_exception", "secret_forms"]

MASK = "********"


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


def remember(password: str) -> None:
    """Mask every spelling of ``password`` in the HTTP stack's log records from now on."""
    _LOG_FILTER.secrets |= secret_forms(password)


def secret_forms(password: str) -> set[str]:
    """Every spelling in which the password can show up in a URL, a message or a web page:
    plain, percent-encoded (``%20`` or ``+`` for a space; the hex digits in either case when
    masking), and each of those HTML-escaped, as an error page that echoes the request has it."""
    if not password:
        return set()
    url_forms = {password, quote(password, safe=""), quote(password), quote_plus(password)}
    escaped = {html.escape(form, quote=q) for form in url_forms for q in (True, False)}
    return url_forms | escaped


@functools.lru_cache(maxsize=16)
def _pattern(secrets: frozenset[str]) -> re.Pattern[str]:
    def spelled(secret: str) -> str:
        # %3D and %3d are one byte to every decoder.
        return re.sub(r"%[0-9A-F]{2}", lambda hexed: f"(?i:{hexed.group()})", re.escape(secret))

    return re.compile("|".join(spelled(s) for s in sorted(secrets, key=len, reverse=True)))


def _scrub_text(text: str, secrets: Iterable[str]) -> str:
    forms = frozenset(s for s in secrets if s)
    return _pattern(forms).sub(MASK, text) if forms else text


def mask_response(response: Response, secrets: set[str], to: str) -> Response:
    """The answer with every spelling of the password masked in its text and destination,
    and the number it answers for (``to``) kept, so a rewritten destination can be seen."""
    from smsbatch.gateway.reply import Response  # the reply module imports nothing of this one

    text = _scrub_text(response.text, secrets)
    destination = _scrub_text(response.destination, secrets)
    return Response(response.code, text, destination, to=to)


def scrub_exception(err: BaseException, secrets: set[str], seen: set[int] | None = None) -> None:
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
            scrub_exception(linked, secrets, seen)


def _scrub_arg(arg: Any, secrets: set[str], seen: set[int]) -> Any:
    if isinstance(arg, str):
        return _scrub_text(arg, secrets)
    if isinstance(arg, BaseException):
        scrub_exception(arg, secrets, seen)
    return arg
