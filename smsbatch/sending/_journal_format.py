"""The journal's file format: one header line, then one checksummed record per line.

::

    smsbatch-journal v3 privacy=full    records=00000000000000000042 crc=1c291ca3   (88 bytes)
    b   KEY OCC AT to kind text CRC                   an attempt is about to leave
    a   KEY OCC AT +000200 answer destination CRC     the gateway's answer
    n|u KEY OCC AT error CRC                          no answer: not sent / unknown

(fields separated by one tab).

``KEY`` is the message's 32-hex key, ``OCC`` its occurrence (8 hex digits), ``AT`` the time in
microseconds (16 digits): the fields up to ``AT`` have fixed widths, so that a resume can read
a million records with numpy instead of one Python object per record. Text fields are escaped
(``\\\\``, ``\\t``, ``\\n``, ``\\r``), so a record never holds a raw newline. ``CRC`` is the
CRC32 of everything before its tab, in 8 hex digits. A destination of ``=`` means "the number
the message was sent to" (the usual answer, stored once, in the ``b`` record). The header's
record count is rewritten in place after every append: a copy with fewer complete records than
it says is truncated, and refused. A last line without its newline is an append that a crash
cut short: its request never left (``b``) or its answer is lost (the message stays in flight,
so ``unknown``); it is dropped.

Beside the count, the header keeps the CRC32 of every byte after it, rewritten with the count.
When it matches (a journal closed, copied or killed between two appends: nearly always), that
one CRC vouches for every record, and a resume of a million messages reads them without
checking each (a quarter of the time); else every record is checked by its own CRC. Version 2
files (72-byte header, no CRC) are still read and resumed as version 2.
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from smsbatch.exceptions import JournalError

__all__ = [
    "ANSWERED",
    "BEGIN",
    "CODE_WIDTH",
    "COUNT_OFFSET",
    "HEADER_SIZE",
    "NOT_SENT",
    "SAME_AS_TO",
    "UNKNOWN",
    "VERSION",
    "Chunk",
    "Header",
    "Records",
    "code_field",
    "counters",
    "escape",
    "header",
    "read_header",
    "record",
    "unescape",
]

MAGIC = b"smsbatch-journal v"
VERSION = 3
HEADER_SIZE = 88  # of this version; a version 2 header has 72 bytes
COUNT_OFFSET = len("smsbatch-journal v3 privacy=minimal records=")  # the same in version 2
_HEADERS = {
    2: (72, re.compile(rb"smsbatch-journal v2 privacy=(full|minimal) +records=(\d{20}) *\n")),
    3: (
        HEADER_SIZE,
        re.compile(
            rb"smsbatch-journal v3 privacy=(full|minimal) +records=(\d{20}) crc=([0-9a-f]{8}) *\n"
        ),
    ),
}

BEGIN, ANSWERED, NOT_SENT, UNKNOWN = b"b", b"a", b"n", b"u"
SAME_AS_TO = "="
_SQLITE = b"SQLite format 3\x00"
_OLD_APPLICATION_ID = 0x534D5342  # "SMSB": how smsbatch 0.1 marked its SQLite journals

# Fixed layout of a record: event, key, occurrence and time at fixed offsets.
_KEY, _OCC, _AT, _TAIL = 2, 35, 44, 61
CODE_WIDTH = 7  # "+000200": a sign and six digits
_MIN_LINE = _TAIL - 1 + 9  # no tail fields: "...AT<TAB>CRC"
_READ_SIZE = 4 << 20

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}
_ESCAPED = re.compile(r"\\(.)")
_SPECIAL = re.compile(r"[\\\n\r]")


@dataclass(frozen=True)
class Header:
    """A journal's first line: its format version and size, privacy, record count and (from
    version 3) the CRC32 of every byte after it."""

    version: int
    size: int
    privacy: str
    count: int
    crc: int | None


def header(privacy: str, count: int, crc: int, version: int = VERSION) -> bytes:
    """The first line of a journal: magic, format version, privacy and the counters."""
    size = _HEADERS[version][0]
    text = f"smsbatch-journal v{version} privacy={privacy:<7} records="
    return text.encode("ascii") + counters(version, count, crc).ljust(size - len(text) - 1) + b"\n"


def counters(version: int, count: int, crc: int) -> bytes:
    """The header's record count (and CRC), as rewritten in place after every append."""
    return b"%020d crc=%08x" % (count, crc) if version >= 3 else b"%020d" % count


def read_header(fd: int, path: str) -> Header:
    """Read and parse a journal's first line, or refuse the file."""
    head = bytearray(HEADER_SIZE)
    return _parse_header(bytes(head[: _read_into(fd, head, 0)]), path)


def _parse_header(head: bytes, path: str) -> Header:
    if not head:
        raise JournalError(
            f"the journal {path!r} is empty (0 bytes), so what it recorded is lost (an "
            "interrupted copy?): copy it again from the original; without one, check with the "
            "provider what was sent before sending again, and use a new journal file name"
        )
    if head.startswith(_SQLITE):
        old = int.from_bytes(head[68:72], "big") == _OLD_APPLICATION_ID
        raise JournalError(
            f"{path!r} is a journal of smsbatch 0.1 (an SQLite file), which this smsbatch does "
            "not read: finish that campaign with smsbatch 0.1 (pip install 'smsbatch==0.1.*')"
            if old
            else f"{path!r} is an SQLite database, not an smsbatch journal; choose another "
            "file name (it was not changed)"
        )
    if not head.startswith(MAGIC):
        raise JournalError(
            f"{path!r} is not an smsbatch journal; choose another file name (it was not changed)"
        )
    version = re.match(rb"\d+", head[len(MAGIC) :])
    if version is None or int(version.group()) not in _HEADERS:
        number = version.group().decode() if version else "?"
        raise JournalError(
            f"the journal {path!r} has format version {number} and this smsbatch reads versions "
            f"2 to {VERSION}: it was written by a newer smsbatch; upgrade smsbatch "
            "(pip install -U smsbatch) to use it"
        )
    found = int(version.group())
    size, pattern = _HEADERS[found]
    match = pattern.fullmatch(head[:size])
    if match is None:
        raise JournalError(
            f"the journal {path!r} has a damaged header (its first line): restore it from the "
            "original or a backup; nothing was sent"
        )
    crc = int(match.group(3), 16) if found >= 3 else None
    return Header(found, size, match.group(1).decode(), int(match.group(2)), crc)


def escape(text: str) -> str:
    return text.translate(_ESCAPES)


def unescape(text: str) -> str:
    return _ESCAPED.sub(lambda m: _UNESCAPES.get(m.group(1), m.group(1)), text)


def code_field(code: int) -> str:
    # Codes beyond six digits are outside every documented family either way ("other",
    # unknown); they are kept as the largest code of the same sign.
    return f"{max(-999_999, min(999_999, code)):+07d}"


def record(event: bytes, key: str, occurrence: int, at: float, fields: tuple[str, ...]) -> bytes:
    """One journal line, checksummed; ``fields`` are escaped here."""
    body = b"%s\t%s\t%08x\t%016d" % (event, key.encode("ascii"), occurrence, round(at * 1e6))
    if fields:
        tail = "\t".join(fields)
        # Rare: most fields need no escaping (the tabs are the joins' own).
        if tail.count("\t") >= len(fields) or _SPECIAL.search(tail) is not None:
            tail = "\t".join([escape(field) for field in fields])
        body += b"\t" + tail.encode("utf-8")
    return body + b"\t%08x\n" % zlib.crc32(body)


@dataclass
class Chunk:
    """Consecutive complete records of a journal, as columns (numpy, no object per record)."""

    data: bytearray  # the records from its start, then what the buffer held before
    size: int  # bytes of ``data`` that are whole records
    starts: np.ndarray  # offset of each line in data
    ends: np.ndarray  # offset of each line's checksum tab (its end, without the CRC)
    event: np.ndarray  # uint8: b, a, n or u
    key: np.ndarray  # (n, 2) uint64: the 16 bytes of the key
    occurrence: np.ndarray  # int64

    def __len__(self) -> int:
        return len(self.starts)

    def at(self, rows: np.ndarray) -> np.ndarray:
        """The time of ``rows``, in microseconds (int64)."""
        # The digits are not checked one by one: the checksum already vouches for them.
        return _decimal16(_gather(self.data, self.starts[rows] + _AT, 16))

    def tail_ids(self, rows: np.ndarray, ids: dict[bytes, int]) -> np.ndarray:
        """Number the distinct raw tails of ``rows`` in ``ids`` (which grows); return each row's.

        A tail is the escaped fields after the fixed ones: an answer's code, text and
        destination, or an error. Nearly every answer of a campaign has the same tail ("SMS
        message sent." sent to the number itself): it is compared with numpy, and only the
        others are sliced one by one.
        """
        result = np.empty(len(rows), dtype=np.int64)
        if not len(rows):
            return result
        data = self.data
        firsts = self.starts[rows] + _TAIL
        lengths = self.ends[rows] - firsts
        common = bytes(data[firsts[0] : firsts[0] + lengths[0]])
        same = lengths == len(common)
        if common:
            pattern = np.frombuffer(common, np.uint8)
            same[same] = (_gather(data, firsts[same], len(common)) == pattern).all(axis=1)
        result[same] = ids.setdefault(common, len(ids))
        others = np.flatnonzero(~same)
        result[others] = [
            ids.setdefault(bytes(data[first : first + length]), len(ids))
            for first, length in zip(firsts[others].tolist(), lengths[others].tolist(), strict=True)
        ]
        return result

    def fields(self, row: int) -> list[str]:
        """Every field of one record, decoded (for reading back, not for resuming)."""
        line = self.data[self.starts[row] : self.ends[row]].decode("utf-8")
        return [unescape(field) if "\\" in field else field for field in line.split("\t")]


class Records:
    """Every complete record of a journal file after its ``header``, chunk by chunk, checked.

    A torn last line is left out; the header's count must be reached, else the file is
    truncated. Once iterated, ``crc`` is the CRC32 of the records read: what the header says
    when it is up to date.
    """

    def __init__(self, fd: int, header: Header, path: str) -> None:
        self._fd, self._header, self._path = fd, header, path
        # One CRC over the whole file: far cheaper than one per record (the records follow).
        self.crc = 0 if header.crc is None else _crc_after(fd, header.size)
        self.trusted = self.crc == header.crc
        if not self.trusted:
            self.crc = 0  # counted again over the records found

    def __iter__(self) -> Iterator[Chunk]:
        """The chunks, each read into the same buffer: a chunk's ``data`` is good until the
        next chunk is read (a fresh 4 MiB object per block costs its pages anew)."""
        seen, offset, buffer = 0, self._header.size, bytearray(_READ_SIZE)
        while True:
            size = _read_into(self._fd, buffer, offset)
            end = buffer.rfind(b"\n", 0, size) + 1
            if not end:  # the end, a torn last line, or a record longer than a block
                if size < len(buffer):
                    break
                buffer = bytearray(2 * len(buffer))
                continue
            # Parsed up to its last whole line, where the next read starts.
            chunk = _chunk(buffer, end, self._path, seen, checked=not self.trusted)
            if not self.trusted:
                self.crc = zlib.crc32(memoryview(buffer)[:end], self.crc)
            seen += len(chunk)
            offset += end
            yield chunk
        self._check_count(seen)

    def _check_count(self, seen: int) -> None:
        path, expected = self._path, self._header.count
        if seen < expected:
            raise JournalError(
                f"the journal {path!r} is truncated: its header counts {expected:,} records but "
                f"only {seen:,} are complete (an interrupted copy, or the computer lost power "
                "while writing it): copy it again from the original; nothing was sent. After a "
                "power cut, check the last messages with the provider"
            )


def _crc_after(fd: int, start: int) -> int:
    crc, buffer = 0, bytearray(_READ_SIZE)
    while size := _read_into(fd, buffer, start):
        crc = zlib.crc32(memoryview(buffer)[:size], crc)
        start += size
    return crc


def _read_into(fd: int, buffer: bytearray, offset: int) -> int:
    """Fill ``buffer`` from ``offset`` in the file, as far as it goes; the bytes read. A short
    read (some file systems give one before the end) is followed by another: a buffer not
    filled means the end of the file, where a torn record is dropped."""
    view, done = memoryview(buffer), 0
    while done < len(buffer):
        if hasattr(os, "preadv"):
            read = os.preadv(fd, [view[done:]], offset + done)
        else:  # Windows has no preadv
            os.lseek(fd, offset + done, os.SEEK_SET)
            data = os.read(fd, len(buffer) - done)
            read = len(data)
            view[done : done + read] = data
        if not read:
            break
        done += read
    return done


def _chunk(data: bytearray, end: int, path: str, before: int, *, checked: bool) -> Chunk:
    """The records of ``data`` up to ``end`` (whole lines) as columns; ``checked``: each
    against its CRC and the layout, else vouched for by the header's CRC of the whole file."""
    buf = np.frombuffer(data, np.uint8, count=end)
    newlines = np.flatnonzero(buf == 10)
    starts = np.empty_like(newlines)
    starts[0] = 0
    starts[1:] = newlines[:-1] + 1
    ends = newlines - 9
    ok = newlines - starts >= _MIN_LINE
    fixed = _gather(data, np.where(ok, starts, 0), _AT)
    key_raw, key_ok = _hex(fixed[:, _KEY : _KEY + 32])
    occurrence_raw, occurrence_ok = _hex(fixed[:, _OCC : _OCC + 8])
    if checked:
        ok &= key_ok & occurrence_ok
        ok &= _intact(data, end, starts, ends, fixed, ok)
        if not ok.all():
            bad = int(np.flatnonzero(~ok)[0])
            raise JournalError(
                f"the journal {path!r} is corrupt: record {before + bad + 1:,} does not match "
                "its checksum. Restore it from the original or a backup; nothing was sent"
            )
    return Chunk(
        data=data,
        size=end,
        starts=starts,
        ends=ends,
        event=fixed[:, 0].copy(),
        key=np.frombuffer(key_raw, np.uint64).reshape(-1, 2),
        occurrence=np.frombuffer(occurrence_raw, ">u4").astype(np.int64),
    )


def _intact(
    data: bytearray,
    end: int,
    starts: np.ndarray,
    ends: np.ndarray,
    fixed: np.ndarray,
    ok: np.ndarray,
) -> np.ndarray:
    """Which records (of those ``ok`` so far) have the layout and the CRC of their own."""
    buf = np.frombuffer(data, np.uint8, count=end)
    ok = ok & (fixed[:, _KEY - 1] == 9) & (fixed[:, _OCC - 1] == 9) & (fixed[:, _AT - 1] == 9)
    ok &= buf[np.where(ok, ends, 0)] == 9
    ok &= np.isin(fixed[:, 0], list(b"banu"))
    stored_raw, stored_ok = _hex(_gather(data, np.where(ok, ends + 1, 0), 8))
    stored = np.frombuffer(stored_raw, ">u4").astype(np.uint32)
    ok &= stored_ok
    lines = data[:end].split(b"\n")[:-1]
    whole = np.fromiter(map(zlib.crc32, lines), dtype=np.uint32, count=len(lines))
    tails = _gather(data, np.where(ok, ends, 0), 9)
    ok &= whole == _crc_continue(stored, tails)
    answered = ok & (fixed[:, 0] == ANSWERED[0])
    ok &= ~answered | (ends - starts >= _TAIL + CODE_WIDTH)
    code = _gather(data, np.where(answered, starts + _TAIL, 0), CODE_WIDTH)
    sign_ok = (code[:, 0] == ord("+")) | (code[:, 0] == ord("-"))
    ok &= ~answered | (sign_ok & ((code[:, 1:] >= 48) & (code[:, 1:] <= 57)).all(axis=1))
    return ok


def _gather(data: bytes | bytearray, starts: np.ndarray, width: int) -> np.ndarray:
    """The ``width`` bytes at each of ``starts``, as an (n, width) uint8 array."""
    windows = np.lib.stride_tricks.sliding_window_view(np.frombuffer(data, np.uint8), width)
    gathered: np.ndarray = windows[np.minimum(starts, len(windows) - 1)]
    return gathered


_PAIRS = [
    (np.uint64(scale), np.uint64(shift), np.uint64(mask))
    for scale, shift, mask in (
        (10, 8, 0x00FF00FF00FF00FF),
        (100, 16, 0x0000FFFF0000FFFF),
        (10_000, 32, 0xFFFFFFFF),
    )
]


def _decimal16(digits: np.ndarray) -> np.ndarray:
    """Rows of 16 ASCII digits as int64: eight digits at a time in a 64-bit word, combined in
    pairs, then fours, then eights (an integer matrix product is ten times slower)."""
    words = np.ascontiguousarray(digits).view("<u8") - np.uint64(0x3030303030303030)
    for scale, shift, mask in _PAIRS:
        # The first digit is the lowest byte: each pair becomes first * scale + second.
        words = (words * scale + (words >> shift)) & mask
    value: np.ndarray = (words[:, 0] * np.uint64(10**8) + words[:, 1]).astype(np.int64)
    return value


def _hex(chars: np.ndarray) -> tuple[bytes, np.ndarray]:
    """Decode rows of hex digits; (the bytes, which rows were hex at all)."""
    try:
        decoded = bytes.fromhex(np.ascontiguousarray(chars).tobytes().decode("ascii"))
        return decoded, np.ones(len(chars), dtype=bool)
    except (UnicodeDecodeError, ValueError):  # a corrupt chunk: find the rows that are not
        digit = (chars - np.uint8(48) <= 9) | (chars - np.uint8(97) <= 5)
        valid = np.asarray(digit.all(axis=1), dtype=bool)
        chars = chars.copy()
        chars[~valid] = ord("0")
        return bytes.fromhex(chars.tobytes().decode("ascii")), valid


def _crc_table() -> np.ndarray:
    table = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        table = np.where(table & 1, (table >> 1) ^ np.uint32(0xEDB88320), table >> 1)
    return table.astype(np.uint32)


_CRC_TABLE = _crc_table()


def _crc_continue(crc: np.ndarray, data: np.ndarray) -> np.ndarray:
    """``zlib.crc32(row, crc)`` for every row of ``data``, vectorised.

    A record is ``body<TAB>crc(body)``. ``zlib.crc32`` of each whole line runs in C over all
    lines at once; continuing each stored CRC over the 9 bytes that follow the body must give
    the same value, which checks every record without a Python call per record.
    """
    value = crc ^ np.uint32(0xFFFFFFFF)
    for column in range(data.shape[1]):
        value = _CRC_TABLE[(value ^ data[:, column]) & 0xFF] ^ (value >> np.uint32(8))
    result: np.ndarray = value ^ np.uint32(0xFFFFFFFF)
    return result
