"""Check and build the hex of binary messages (``binary=1&udh=HEX&data=HEX``).

A binary SMS carries at most 140 octets: the User Data Header (UDH) and the data together. The
UDH starts with its own length (UDHL) followed by information elements, each an identifier (IEI),
a length and that many octets. The gateway forwards what it gets, so every mistake here becomes
a message that never arrives or arrives as junk: it is cheaper to refuse it before sending.

Hex may be written in upper or lower case and with whitespace anywhere (the provider's own example
is wrapped over two lines); ``normalise_hex`` gives the canonical form that is sent (the client
uses the same function, so a message sent without a preview is sent the same way).
"""

from __future__ import annotations

import string
from typing import Final

from smsbatch.exceptions import MessageSpecError
from smsbatch.gateway._hex import normalise_hex as normalise_hex

MAX_OCTETS: Final = 140

# Nokia Smart Messaging application ports (16-bit addressing).
NOKIA_RINGTONE_PORT: Final = 5505
NOKIA_OPERATOR_LOGO_PORT: Final = 5506
NOKIA_PICTURE_PORT: Final = 5514  # the "multipart message" port that picture messages use

_HEX_DIGITS: Final = frozenset(string.hexdigits)
_IEI_CONCAT_8BIT: Final = 0x00
_IEI_PORTS_16BIT: Final = 0x05
_IEI_CONCAT_16BIT: Final = 0x08


def _hex_problem(name: str, value: str) -> str | None:
    for position, ch in enumerate(value, start=1):
        if ch not in _HEX_DIGITS and not ch.isspace():
            return (
                f"{name} contains {ch!r} at position {position}, "
                "which is not a hexadecimal digit (0-9, A-F)"
            )
    digits = len(normalise_hex(value))
    if digits % 2:
        return f"{name} has an odd number of hex digits ({digits}): every octet takes two"
    return None


# Lengths 3GPP TS 23.040 (9.2.3.24) fixes for an information element: (least, most) octets.
_IE_LENGTHS: Final = {
    0x00: (3, 3),  # concatenated message, 8-bit reference
    0x01: (2, 2),  # special SMS message indication
    0x04: (2, 2),  # application port, 8-bit
    0x05: (4, 4),  # application port, 16-bit
    0x06: (1, 1),  # SMSC control parameters
    0x07: (1, 1),  # UDH source indicator
    0x08: (4, 4),  # concatenated message, 16-bit reference
    0x09: (1, 255),  # wireless control message protocol
    0x0A: (3, 4),  # text formatting
    0x0B: (2, 2),  # predefined sound
    0x0C: (2, 129),  # user defined sound
    0x0D: (2, 2),  # predefined animation
    0x0E: (129, 129),  # large animation
    0x0F: (33, 33),  # small animation
    0x10: (129, 129),  # large picture
    0x11: (33, 33),  # small picture
    0x12: (3, 255),  # variable picture
    0x13: (1, 1),  # user prompt indicator
    0x14: (7, 255),  # extended object
    0x15: (3, 3),  # reused extended object
    0x16: (1, 255),  # compression control
    0x17: (2, 2),  # object distribution indicator
    0x18: (1, 255),  # standard WVG object
    0x19: (1, 255),  # character size WVG object
    0x1A: (0, 0),  # extended object data request command
    0x20: (1, 1),  # RFC 822 e-mail header
    0x21: (4, 4),  # hyperlink format element
    0x22: (1, 255),  # reply address element
    0x23: (1, 255),  # enhanced voice mail information
    0x24: (1, 1),  # national language single shift
    0x25: (1, 1),  # national language locking shift
}
#: Elements of which a header may hold one only: one concatenation and one port addressing.
_EXCLUSIVE: Final = ({0x00, 0x08}, {0x04, 0x05})


def _elements(udh: bytes) -> tuple[list[tuple[int, int, bytes]], str | None]:
    """Split a UDH into ``(octet, iei, value)`` elements, or say why its lengths do not add up."""
    declared = udh[0]
    if declared != len(udh) - 1:
        return [], (
            f"udh starts with length byte {declared:02X} ({declared} octets) "
            f"but {len(udh) - 1} octets follow it"
        )
    elements = []
    position = 1
    while position < len(udh):
        iei = udh[position]
        if position + 1 == len(udh):
            return [], (
                f"udh information element {iei:02X} at octet {position + 1} has no length byte"
            )
        length = udh[position + 1]
        remaining = len(udh) - position - 2
        if length > remaining:
            return [], (
                f"udh information element {iei:02X} at octet {position + 1} claims {length} "
                f"octets but only {remaining} follow"
            )
        elements.append((position + 1, iei, udh[position + 2 : position + 2 + length]))
        position += 2 + length
    return elements, None


def _element_problem(octet: int, iei: int, value: bytes) -> str | None:
    """What 3GPP TS 23.040 says is wrong with one element (unknown elements are skipped by
    phones, so only the known ones are checked)."""
    where = f"udh information element {iei:02X} at octet {octet}"
    least, most = _IE_LENGTHS.get(iei, (0, 255))
    if not least <= len(value) <= most:
        expected = f"{least}" if least == most else f"{least} to {most}"
        return f"{where} has {len(value)} octets; it must have {expected}"
    if iei in (_IEI_CONCAT_8BIT, _IEI_CONCAT_16BIT):
        total, sequence = value[-2], value[-1]
        if total == 0:
            return f"{where} (concatenation) says the message has 0 parts"
        if not 1 <= sequence <= total:
            return (
                f"{where} (concatenation) numbers this part {sequence} of {total}; parts are "
                f"numbered 1 to {total}"
            )
    return None


def _udh_structure_problem(udh: bytes) -> str | None:
    elements, problem = _elements(udh)
    if problem:
        return problem
    for octet, iei, value in elements:
        problem = _element_problem(octet, iei, value)
        if problem:
            return problem
    found = [iei for _, iei, _ in elements]
    for exclusive in _EXCLUSIVE:
        repeated = [iei for iei in found if iei in exclusive]
        if len(repeated) > 1:
            shown = ", ".join(f"{iei:02X}" for iei in repeated)
            return f"udh holds information elements {shown}; a header may hold only one of them"
    return None


def binary_problem(udh: str | None, data: str) -> str | None:
    """Return why a binary message cannot be sent as given, or None when it can.

    Parameters
    ----------
    udh : str or None
        The User Data Header in hex; None or blank for none.
    data : str
        The message content in hex.

    Returns
    -------
    str or None
        A sentence for a person (which field, which character, how many octets), or None.

    Examples
    --------
    >>> binary_problem("06050415811581", "024A3A51")
    >>> binary_problem(None, "024G")
    "data contains 'G' at position 4, which is not a hexadecimal digit (0-9, A-F)"
    """
    udh = udh or ""
    for name, value in (("udh", udh), ("data", data)):
        problem = _hex_problem(name, value)
        if problem:
            return problem
    header = bytes.fromhex(normalise_hex(udh))
    content = bytes.fromhex(normalise_hex(data))
    if not content:
        return "data is empty: a binary message needs at least one octet of data"
    if header:
        problem = _udh_structure_problem(header)
        if problem:
            return problem
    total = len(header) + len(content)
    if total > MAX_OCTETS:
        return (
            f"udh and data are {total} octets together ({len(header)} + {len(content)}); "
            f"one binary SMS holds at most {MAX_OCTETS}"
        )
    return None


def _check_range(name: str, value: int, low: int, high: int) -> None:
    # bool is an int, but port_udh(True) is surely a mistake.
    if not isinstance(value, int) or isinstance(value, bool):
        raise MessageSpecError(f"{name} must be a whole number, not {type(value).__name__}")
    if not low <= value <= high:
        raise MessageSpecError(f"{name} must be between {low} and {high}, not {value}")


def port_udh(destination_port: int, source_port: int | None = None) -> str:
    """Return a UDH that addresses an application port (16-bit, information element 05).

    Parameters
    ----------
    destination_port : int
        The port on the phone that handles the data, 0-65535; for example
        ``NOKIA_RINGTONE_PORT`` (5505).
    source_port : int, optional
        The sending port, 0-65535; the destination port when omitted, as in the provider's
        example.

    Examples
    --------
    >>> port_udh(NOKIA_RINGTONE_PORT)
    '06050415811581'
    """
    source = destination_port if source_port is None else source_port
    _check_range("destination_port", destination_port, 0, 0xFFFF)
    _check_range("source_port", source, 0, 0xFFFF)
    return f"06{_IEI_PORTS_16BIT:02X}04{destination_port:04X}{source:04X}"


def concat_udh(reference: int, total: int, sequence: int) -> str:
    """Return a UDH that marks one part of a concatenated message.

    Every part of one message carries the same ``reference`` and ``total``; the phone joins the
    parts in ``sequence`` order. A reference up to 255 uses the 8-bit element (00), a larger one
    the 16-bit element (08).

    Parameters
    ----------
    reference : int
        Identifies the message among others to the same phone, 0-65535.
    total : int
        Number of parts, 1-255.
    sequence : int
        This part's number, 1-``total``.

    Examples
    --------
    >>> concat_udh(0x2A, 3, 1), concat_udh(0x1234, 2, 2)
    ('0500032A0301', '06080412340202')
    """
    _check_range("reference", reference, 0, 0xFFFF)
    _check_range("total", total, 1, 0xFF)
    _check_range("sequence", sequence, 1, total)
    if reference <= 0xFF:
        return f"05{_IEI_CONCAT_8BIT:02X}03{reference:02X}{total:02X}{sequence:02X}"
    return f"06{_IEI_CONCAT_16BIT:02X}04{reference:04X}{total:02X}{sequence:02X}"
