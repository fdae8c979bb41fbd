"""The one canonical form of hex sent to the gateway, shared by the client and the preview."""

from __future__ import annotations

import re

__all__ = ["is_hex_octets", "normalise_hex"]

_OCTETS = re.compile(r"(?:[0-9A-F]{2})*", re.ASCII)


def normalise_hex(value: str) -> str:
    """Return hex without whitespace, in upper case: the form sent to the gateway.

    Examples
    --------
    >>> normalise_hex("06 05 04 15 81\\n15 81")
    '06050415811581'
    """
    return "".join(value.split()).upper()


def is_hex_octets(normalised: str) -> bool:
    """True for whole octets of ASCII hex digits (after :func:`normalise_hex`)."""
    return _OCTETS.fullmatch(normalised) is not None
