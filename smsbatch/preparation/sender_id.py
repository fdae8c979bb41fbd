"""The sender (originator) of a campaign: checked once, before any row is looked at.

An SMS originator is either a name of up to 11 characters or a phone number of up to 16 digits.
Carriers differ in what else they let through, and a refused originator means messages that are
dropped or rewritten without a word, so only the safe subset passes:

- alphanumeric: 1 to 11 ASCII letters, digits, spaces, dots and hyphens, with at least one letter
  and no space at either end (``"Tandarts"``, ``"Bakker-Jan"``);
- numeric: 1 to 16 digits, optionally written with a leading ``+`` that is dropped, because the
  gateway takes numbers as international digits like the ``to`` numbers (``"+31612345678"`` is
  sent as ``"31612345678"``).
"""

from __future__ import annotations

import re

from smsbatch.exceptions import InvalidSenderError

__all__ = ["check_sender"]

MAX_ALPHANUMERIC = 11
MAX_DIGITS = 16

_NUMERIC = re.compile(r"\+?([0-9]{1,16})", re.ASCII)
_ALPHANUMERIC = re.compile(r"[A-Za-z0-9][A-Za-z0-9 .\-]{0,10}", re.ASCII)


def check_sender(sender: str | None) -> str | None:
    """Return the sender as it will be sent, or raise InvalidSenderError.

    Parameters
    ----------
    sender : str or None
        ``None`` means no sender was given (the caller decides whether that is allowed).

    Examples
    --------
    >>> check_sender("Tandarts"), check_sender("+31612345678")
    ('Tandarts', '31612345678')
    """
    if sender is None:
        return None
    if not isinstance(sender, str):
        raise InvalidSenderError(
            f"the sender must be text, not {type(sender).__name__}; "
            "write a number as a string, like '31612345678'"
        )
    numeric = _NUMERIC.fullmatch(sender)
    if numeric:
        return numeric.group(1)
    if sender.strip("+").isdigit():
        raise InvalidSenderError(
            f"a numeric sender has at most {MAX_DIGITS} digits; this one has "
            f"{len(sender.strip('+'))}"
        )
    if _ALPHANUMERIC.fullmatch(sender) and not sender.endswith(" ") and _has_letter(sender):
        return sender
    raise InvalidSenderError(f"the sender {sender!r} is not a valid SMS originator: {_why(sender)}")


def _has_letter(sender: str) -> bool:
    return any("A" <= ch <= "Z" or "a" <= ch <= "z" for ch in sender)


def _why(sender: str) -> str:
    """Say which rule an alphanumeric sender breaks, in the order a person would fix them."""
    if not sender.strip():
        return "it is empty"
    if len(sender) > MAX_ALPHANUMERIC:
        return f"a name has at most {MAX_ALPHANUMERIC} characters, this one has {len(sender)}"
    if sender != sender.strip():
        return "it starts or ends with a space"
    odd = [ch for ch in dict.fromkeys(sender) if not re.fullmatch(r"[A-Za-z0-9 .\-]", ch)]
    if odd:
        shown = " ".join(repr(ch) for ch in odd)
        return f"only letters A-Z, digits, spaces, dots and hyphens are allowed, not {shown}"
    return "a name needs at least one letter (a number may not contain spaces or dots)"
