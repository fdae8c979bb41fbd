"""Tell an HTTP answer that cannot hold the API's XML from one that can.

A wrong ``base_url`` (``/api/`` forgotten, a typo in the host's path) reaches a web server but
not the SMS handler: it answers 404, 405, 400 with a page, or an HTML page with 200. The handler
never ran, so nothing was sent; every further request would go the same way (with the password
in its query string), so this is a configuration error that stops a campaign at the first one,
not an ``unknown`` row. Any other status or a redirect leaves the outcome unknown.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import requests

from smsbatch.exceptions import MalformedReplyError, WrongEndpointError
from smsbatch.gateway.reply import excerpt, parse_reply

__all__ = ["check_http", "endpoint_url"]

_HTML = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>\s*)?<(?:!doctype\s+html|html)[\s>]",
                   re.IGNORECASE)
_NOT_THE_API = {404: "not found", 405: "method not allowed"}


def endpoint_url(base_url: str) -> str:
    """The request URL as a person may see it: no query (the password), no user info."""
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}sendsms.ashx"


def check_http(reply: requests.Response, body: bytes, base_url: str) -> None:
    """Refuse an HTTP answer that cannot hold the API's XML: a redirect, an error status, or
    (as :class:`~smsbatch.WrongEndpointError`) an answer that says the SMS handler never ran."""
    if reply.is_redirect:
        target = urlsplit(reply.headers.get("Location", ""))
        raise MalformedReplyError(
            f"the gateway redirected to {target.scheme}://{target.netloc}{target.path}; "
            "smsbatch never follows a redirect, because the password would go along. "
            "Check base_url with your provider; the message may have been sent",
            excerpt(body),
        )
    status = reply.status_code
    what = _not_the_api(status, body)
    if what is not None:
        url = endpoint_url(base_url)
        raise WrongEndpointError(
            f"{url} answered HTTP {status} ({what}): that is not the SMS API, so nothing was "
            "sent (a campaign stops at the first such answer). Check SMSBATCH_BASE_URL / "
            "base_url: the API root, usually ending in /api/",
            url=url,
            status=status,
            body_excerpt=excerpt(body),
        )
    if status != 200:
        raise MalformedReplyError(
            f"the gateway answered HTTP {status} instead of the API's XML; "
            "the message may have been sent",
            excerpt(body),
        )


def _not_the_api(status: int, body: bytes) -> str | None:
    if status in _NOT_THE_API:
        return _NOT_THE_API[status]
    if status == 200 and _HTML.match(body):
        return "an HTML page instead of the API's XML"
    if status == 400 and not _is_api_xml(body):
        return "bad request, and not the API's XML"
    return None


def _is_api_xml(body: bytes) -> bool:
    try:
        parse_reply(body)
    except MalformedReplyError:
        return False
    return True
