"""Read a CSV file: its encoding, its separator and its table, at pandas' own speed.

The bytes are checked and decoded in this order: a byte-order mark says UTF-8 or UTF-16; NUL
bytes in every other position say UTF-16 without one; text that is valid UTF-8 is UTF-8. Text
that is not is one single-byte encoding throughout, Windows-1252 or Mac Roman (Excel for Mac's
"CSV (Macintosh)"), whichever spells the accented letters as letters, and a warning says which;
a file that is UTF-8 in one place and not in another has mixed encodings, and that is an error
naming the first line that is not UTF-8, because no single choice reads every name right.

The table itself is parsed by pandas' C parser as text; only the first records are looked at in
Python, to find the separator and the header row.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from smsbatch.exceptions import RecipientsFileError
from smsbatch.spreadsheets._cells import unmark
from smsbatch.spreadsheets._limits import ReadLimits

__all__ = ["CsvFile", "open_csv"]

SEPARATORS = (";", ",", "\t")
_SAMPLE_BYTES = 256 * 1024
_SAMPLE_RECORDS = 200
_SEP_LINE = re.compile(rb"\A(?:\xef\xbb\xbf)?sep=(.)\r?\n")
# A well-formed multi-byte UTF-8 sequence: its presence next to invalid bytes means mixed text.
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
_SINGLE_BYTE = {"cp1252": "Windows-1252", "mac_roman": "Mac Roman (Excel for Mac's CSV)"}


@dataclass
class CsvFile:
    """A CSV file decoded far enough to find its header; :meth:`body` parses the rest."""

    path: Path
    data: bytes
    encoding: str
    separator: str
    skipped: int  # records before the sample (a sep= line)
    records: list[tuple[int, list[str]]]  # the first records, numbered as spreadsheet rows
    warnings: list[str]

    def body(self, header_index: int, limits: ReadLimits) -> list[pd.Series]:
        """Parse the table from the header record on: one text column per field.

        A row with values past the header's last field is an error (a separator inside an
        unquoted value shifts the rest of the row), as pandas' own message or here.
        """
        header = len(self.records[header_index][1])
        width = max([header] + [len(values) for _, values in self.records[header_index:]])
        try:
            frame = pd.read_csv(
                io.BytesIO(self.data),
                sep=self.separator,
                header=None,
                names=range(width),
                index_col=False,
                skiprows=self.skipped + header_index,
                nrows=limits.max_rows + 2,
                dtype=str,
                keep_default_na=False,
                na_values=[""],
                encoding=self.encoding,
                engine="c",
                quotechar='"',
                doublequote=True,
                skip_blank_lines=True,
            )
        except pd.errors.ParserError as err:
            raise RecipientsFileError(_parser_message(self.path, err), path=self.path) from err
        except pd.errors.EmptyDataError:
            return []
        if len(frame) > limits.max_rows + 1:
            raise RecipientsFileError(
                f"{self.path}: more than {limits.max_rows:,} rows; {limits.advice('max_rows')}",
                path=self.path,
            )
        columns = [_unmarked(frame.iloc[:, position]) for position in range(frame.shape[1])]
        for position, column in enumerate(columns):
            longest = column.str.len().max()
            if pd.notna(longest) and longest > limits.max_cell_chars:
                raise RecipientsFileError(
                    f"{self.path}: column {position + 1} has a value of {int(longest):,} "
                    f"characters; {limits.advice('max_cell_chars')}",
                    path=self.path,
                )
        for column in columns[header:]:
            if column.notna().any():
                row = int(column.notna().to_numpy().argmax())
                raise RecipientsFileError(
                    f"{self.path}: data row {row} has more values than the header names "
                    f"({header} columns); is the separator right, or a value unquoted?",
                    path=self.path,
                )
        return columns[:header]


def open_csv(path: Path, *, sep: str | None, encoding: str | None, limits: ReadLimits) -> CsvFile:
    """Read the bytes, choose encoding and separator, and decode the first records."""
    data = _read_bytes(path, limits)
    if data.startswith(b"PK\x03\x04"):
        raise RecipientsFileError(
            f"{path}: this is an Excel workbook with a CSV name; rename it to .xlsx", path=path
        )
    warnings: list[str] = []
    chosen = encoding or _detect_encoding(data, path, warnings)
    try:
        codecs.lookup(chosen)
    except LookupError as err:
        raise RecipientsFileError(f"{path}: unknown encoding {chosen!r}", path=path) from err
    sample = _decode_sample(data, chosen, path)
    skipped = 0
    line = _SEP_LINE.match(sample.encode("utf-8"))
    if line and sep is None:
        sep, skipped = line.group(1).decode(), 1
        sample = sample.split("\n", 1)[1]
    separator = sep or _detect_separator(sample)
    records = _sample_records(sample, separator, path, limits, first=skipped + 1)
    return CsvFile(path, data, chosen, separator, skipped, records, warnings)


def _read_bytes(path: Path, limits: ReadLimits) -> bytes:
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise RecipientsFileError(
                f"{path}: the file is {size:,} bytes; {limits.advice('max_bytes')}", path=path
            )
        return path.read_bytes()
    except OSError as err:
        raise RecipientsFileError(
            f"{path}: cannot read the file: {err.strerror}", path=path
        ) from err


def _detect_encoding(data: bytes, path: Path, warnings: list[str]) -> str:
    if data.startswith(codecs.BOM_UTF8):
        name = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    elif _looks_utf16(data[:4096]):
        return "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
    else:
        name = "utf-8"
    if b"\x00" in data:
        raise RecipientsFileError(
            f"{path}: binary data, not CSV text (UTF-16 without BOM? pass encoding=...)",
            path=path,
        )
    bad = _first_invalid_utf8(data)
    if bad is None:
        return name
    line = data.count(b"\n", 0, bad) + 1
    if _UTF8_SEQUENCE.search(data):
        raise RecipientsFileError(
            f"{path}: line {line} is not UTF-8 but other lines are: the file mixes encodings, "
            "so some names would be garbled. Open it, fix that line and save it as UTF-8 "
            "(or pass encoding=... if one encoding is right for all of it)",
            path=path,
        )
    chosen = _likelier_single_byte(data)
    if chosen is None:
        raise RecipientsFileError(
            f"{path}: the text is neither UTF-8 nor Windows-1252 (line {line}); pass encoding=...",
            path=path,
        )
    warnings.append(
        f"not UTF-8 (line {line}); read it as {_SINGLE_BYTE[chosen]}. "
        "If names look wrong, pass encoding=... or save the file as UTF-8"
    )
    return chosen


def _looks_utf16(head: bytes) -> bool:
    """UTF-16 without a BOM: most odd (or even) bytes of the text are NUL."""
    if len(head) < 4:
        return False
    pairs = len(head) // 2
    return max(head[1::2].count(0), head[0::2].count(0)) > 0.9 * pairs


def _first_invalid_utf8(data: bytes) -> int | None:
    """Where UTF-8 decoding first fails, without holding the whole text in memory."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    chunk = 1 << 20
    for start in range(0, len(data), chunk):
        try:
            decoder.decode(data[start : start + chunk], final=start + chunk >= len(data))
        except UnicodeDecodeError as err:
            return start + err.start - len(decoder.getstate()[0])
    return None


def _likelier_single_byte(data: bytes) -> str | None:
    """Pick the single-byte encoding in which the non-ASCII bytes read as letters in words."""
    scores: dict[str, int] = {}
    for name in _SINGLE_BYTE:
        try:
            data.decode(name)
        except UnicodeDecodeError:
            continue
        scores[name] = 0
        for match in list(_HIGH_BYTE.finditer(data))[:20_000]:
            char = bytes([data[match.start()]]).decode(name)
            before = data[match.start() - 1 : match.start()].isalpha()
            after = data[match.end() : match.end() + 1].isalpha()
            if char.islower():
                scores[name] += 2 if before else 1
            elif not char.isalpha() and before and after:
                scores[name] -= 2  # a symbol in the middle of a word: the wrong table
        if name == "cp1252":
            scores[name] += data.count(b"\x80 ") + data.count(b"\x80\xa0")  # "€ 12,50"
    return max(scores, key=lambda name: scores[name]) if scores else None


def _decode_sample(data: bytes, encoding: str, path: Path) -> str:
    """Decode the first records (whole lines only) for the separator and the header."""
    head = data[:_SAMPLE_BYTES]
    if len(data) > _SAMPLE_BYTES and head.rfind(b"\n") > 0:
        head = head[: head.rfind(b"\n") + 1]
    try:
        return codecs.getincrementaldecoder(encoding)(errors="strict").decode(head)
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise RecipientsFileError(
            f"{path}: line {line} is not valid {encoding}; pass the right encoding=...",
            path=path,
        ) from err


def _detect_separator(text: str) -> str:
    """Pick the separator that splits the rows widest and most consistently."""

    def score(delimiter: str) -> tuple[bool, float, int]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            rows = [row for _, row in zip(range(_SAMPLE_RECORDS), reader, strict=False) if row]
        except csv.Error:
            return (False, 0.0, 0)
        if not rows:
            return (False, 0.0, 0)
        widths = sorted(len(row) for row in rows)
        typical = widths[len(widths) // 2]
        consistent = sum(len(row) == typical for row in rows) / len(rows)
        return (typical > 1, consistent, typical)

    return max(SEPARATORS, key=score)


def _sample_records(
    text: str, separator: str, path: Path, limits: ReadLimits, *, first: int
) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    records: list[tuple[int, list[str]]] = []
    try:
        for number, values in zip(range(first, first + _SAMPLE_RECORDS), reader, strict=False):
            if len(values) > limits.max_columns:
                raise RecipientsFileError(
                    f"{path}: row {number} has {len(values):,} columns; "
                    f"{limits.advice('max_columns')}",
                    path=path,
                )
            records.append((number, [unmark(value) for value in values]))
    except csv.Error as err:
        raise RecipientsFileError(
            f"{path}: not readable as CSV near row {first + len(records)}: {err}", path=path
        ) from err
    return records


def _unmarked(column: pd.Series) -> pd.Series:
    """Take out the apostrophe that marks a formula-like text as text, column at a time."""
    column = column.astype("str")
    marked = column.str.startswith("'").fillna(False).astype(bool)
    if marked.any():
        column = column.copy()
        column[marked] = column[marked].map(unmark)
    return column


def _parser_message(path: Path, err: Exception) -> str:
    found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(err))
    if found is None:
        return f"{path}: not readable as CSV: {err}"
    expected, row, seen = found.groups()
    return (
        f"{path}: row {row} has {seen} values but the header names {expected} columns; "
        "is the separator right, or a value unquoted?"
    )
