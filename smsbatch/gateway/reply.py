"""The gateway's answer: the XML reply of the Connect Call API, parsed safely into data.

A reply is ``<response>`` with ``sms_response_code``, ``sms_response_text`` and
``sms_response_destination``. The provider documents only code families (200 OK, 40x
authentication or funds, 50x server, 60x carrier, 70x reseller funds), so a :class:`Response`
is classified by its family, and :meth:`Response.raise_for_code` raises the matching
:class:`~smsbatch.GatewayError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree

from smsbatch.exceptions import (
    AuthOrFundsError,
    CarrierError,
    GatewayError,
    GatewayServerError,
    MalformedReplyError,
    ResellerFundsError,
    UnexpectedCodeError,
)

__all__ = ["MAX_REPLY_BYTES", "Category", "Response", "excerpt", "parse_reply"]

#: A documented reply is about 200 bytes; anything far larger is not the API talking.
MAX_REPLY_BYTES = 64 * 1024

Category = Literal["ok", "auth_or_funds", "server", "carrier", "reseller_funds", "other"]
_FAMILIES: dict[int, tuple[Category, type[GatewayError]]] = {
    40: ("auth_or_funds", AuthOrFundsError),
    50: ("server", GatewayServerError),
    60: ("carrier", CarrierError),
    70: ("reseller_funds", ResellerFundsError),
}
_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>")
# Only ASCII digits are a code: str.isdigit() also takes "²00", "２００" and "٢٠٠".
_CODE = re.compile(r"[0-9]{1,9}", re.ASCII)
_FIELDS = ("sms_response_code", "sms_response_text", "sms_response_destination")


@dataclass(frozen=True, slots=True)
class Response:
    """The gateway's answer to one request: data, not an exception.

    ``code`` and ``text`` are the gateway's own; ``category`` classifies the code by the
    documented families (40x, 50x, 60x, 70x) since the codes inside a family are undocumented.
    ``to`` is the number the request was sent to (set by the client, "" when not known), so
    that :attr:`destination_differs` can flag a gateway that answers for another number.
    """

    code: int
    text: str
    destination: str
    to: str = field(default="", compare=False, repr=False)

    @property
    def ok(self) -> bool:
        return self.code == 200

    @property
    def destination_differs(self) -> bool:
        """True when the gateway names a destination other than the number sent.

        Only digits count, and a leading ``+`` or ``00``; an empty destination says nothing.
        """
        if not self.destination or not self.to or self.destination == self.to:
            return False
        return _digits(self.destination) != _digits(self.to)

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


def parse_reply(body: bytes) -> Response:
    """Parse the API's XML reply safely (defusedxml: no DTDs, no entities).

    The code decides everything, so a reply without a code of ASCII digits, or with any of the
    three fields twice, is an error; a missing text or destination is read as empty rather
    than losing the code.

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
            excerpt(body),
        ) from err

    fields = _fields(root, body)
    code = fields["sms_response_code"]
    if root.tag != "response" or not _CODE.fullmatch(code):
        raise MalformedReplyError(
            f"the gateway's reply has no numeric sms_response_code (got {code!r}); "
            "the message may have been sent",
            excerpt(body),
        )
    return Response(int(code), fields["sms_response_text"], fields["sms_response_destination"])


def _fields(root: Any, body: bytes) -> dict[str, str]:
    """The three answer fields; a field given twice (503, then 200) is a malformed reply, since
    no rule says which one the gateway meant."""
    fields: dict[str, str] = {}
    for name in _FIELDS:
        elements = root.findall(name)
        if len(elements) > 1:
            raise MalformedReplyError(
                f"the gateway's reply holds {len(elements)} {name} elements; "
                "the message may have been sent",
                excerpt(body),
            )
        fields[name] = (elements[0].text or "").strip() if elements else ""
    return fields


def _digits(number: str) -> str:
    digits = "".join(c for c in number if c in "0123456789")
    return digits[2:] if number.lstrip().startswith("00") else digits


def excerpt(body: bytes) -> str:
    """The start of a reply that is not the API's XML, for a person to read."""
    return body[:200].decode("utf-8", errors="replace")
