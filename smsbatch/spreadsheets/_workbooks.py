"""Read one sheet of a workbook: ``.xlsx``/``.xlsm`` with openpyxl, ``.xls``/``.ods`` with calamine.

openpyxl sees what the sheet shows: a phone column's ``0000000000`` number format, the active
sheet, and (read from the sheet's XML here) the rows that are hidden or filtered out. calamine
reads the older Excel format and LibreOffice's, which openpyxl cannot.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from defusedxml import ElementTree

from smsbatch.exceptions import RecipientsFileError
from smsbatch.spreadsheets._cells import number_text
from smsbatch.spreadsheets._limits import ReadLimits
from smsbatch.spreadsheets._summary_sheet import RESULT_STATUS, SUMMARY_SHEET

__all__ = ["WORKBOOK_SUFFIXES", "Sheet", "read_sheet"]

WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods"})
_ODS_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_ODS_TABLE = f"{{{_ODS_TABLE_NS}}}table"
_ODS_ROW = f"{{{_ODS_TABLE_NS}}}table-row"
_ODS_ACTIVE = re.compile(rb'config:name="ActiveTable"[^>]*>([^<]+)<')
# Rows a title may take above the header, on top of max_rows.
_TITLE_ROWS = 30
_CALAMINE_STATES = {"Visible": "visible", "Hidden": "hidden"}
_ROW_TAG = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}row"
# OOXML's escape for a character in a text (ST_Xstring): "_x000D_" is a carriage return and
# "_x005F_x000D_" the literal text "_x000D_". Excel reads them so; openpyxl leaves them as written.
_OOXML_ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")


@dataclass
class Sheet:
    """The rows of the sheet that was read, numbered as the spreadsheet numbers them."""

    name: str
    records: list[tuple[int, list[Any]]]
    hidden_rows: frozenset[int] = frozenset()
    warnings: list[str] = field(default_factory=list)
    listing: str = ""


@dataclass
class _Entry:
    name: str
    state: str  # "visible", "hidden" or "veryHidden"
    chart: bool

    def describe(self) -> str:
        kind = " (chart)" if self.chart else "" if self.state == "visible" else " (hidden)"
        return f"{self.name!r}{kind}"


def read_sheet(path: Path, *, sheet: str | int | None, limits: ReadLimits) -> Sheet:
    """Read the chosen sheet (default: the active visible one) of any workbook format."""
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        return _read_xlsx(path, sheet, limits)
    return _read_calamine(path, sheet, limits)


def _choose(entries: list[_Entry], active: int, sheet: str | int | None, path: Path) -> _Entry:
    listing = _listing(entries)
    if sheet is None:
        usable = [e for e in entries if e.state == "visible" and not e.chart]
        if 0 <= active < len(entries) and entries[active] in usable:
            return entries[active]
        if not usable:
            raise RecipientsFileError(
                f"{path}: no visible sheet with a table; {listing}", path=path
            )
        return usable[0]
    if isinstance(sheet, bool) or not isinstance(sheet, int | str):
        raise RecipientsFileError(f"{path}: sheet must be a name or a number; {listing}", path=path)
    if isinstance(sheet, int):
        if not 0 <= sheet < len(entries):
            raise RecipientsFileError(
                f"{path}: no sheet {sheet} (counting from 0); {listing}", path=path
            )
        chosen = entries[sheet]
        if chosen.state != "visible":
            raise RecipientsFileError(
                f"{path}: sheet {sheet} ({chosen.name!r}) is hidden; to read it anyway, name "
                f"it: sheet={chosen.name!r}",
                path=path,
            )
    else:
        found = [entry for entry in entries if entry.name == sheet]
        if not found:
            raise RecipientsFileError(f"{path}: no sheet {sheet!r}; {listing}", path=path)
        chosen = found[0]
    if chosen.chart:
        raise RecipientsFileError(
            f"{path}: sheet {chosen.name!r} is a chart, not a table; {listing}", path=path
        )
    return chosen


def _listing(entries: list[_Entry]) -> str:
    return f"the workbook has {', '.join(entry.describe() for entry in entries)}"


def _which(
    chosen: _Entry, entries: list[_Entry], sheet: str | int | None, records: list[Any]
) -> list[str]:
    """Name the sheet that was read when the workbook has others, unless it is a results
    workbook as ``write_results`` makes it (its Summary beside it is no recipients list)."""
    others = [entry.describe() for entry in entries if entry is not chosen]
    if not others or sheet is not None or _our_results(chosen, entries, records):
        return []
    return [f"read sheet {chosen.name!r}; the workbook also has {', '.join(others)} (sheet=...)"]


def _our_results(chosen: _Entry, entries: list[_Entry], records: list[Any]) -> bool:
    """True for the first sheet of a results workbook: a status column, then our Summary."""
    names = [entry.name for entry in entries]
    header = records[0][1] if records else []
    return names == [chosen.name, SUMMARY_SHEET] and RESULT_STATUS in header


def _check_unpacked_size(path: Path, limits: ReadLimits) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            size = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return  # the reader says what is wrong with it
    if size > limits.max_bytes:
        raise RecipientsFileError(
            f"{path}: the workbook unpacks to {size:,} bytes; {limits.advice('max_bytes')}",
            path=path,
        )


def _read_xlsx(path: Path, sheet: str | int | None, limits: ReadLimits) -> Sheet:
    _check_unpacked_size(path, limits)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError as err:
        raise RecipientsFileError(f"{path}: no such file", path=path) from err
    except zipfile.BadZipFile as err:
        raise RecipientsFileError(
            f"{path}: not an .xlsx workbook (damaged, password-protected, or another format)",
            path=path,
        ) from err
    except Exception as err:  # openpyxl raises many types for broken workbooks
        raise RecipientsFileError(f"{path}: cannot read the workbook: {err}", path=path) from err
    try:
        charts = {chart.title for chart in workbook.chartsheets}
        entries = [
            _Entry(name, getattr(workbook[name], "sheet_state", "visible"), name in charts)
            for name in workbook.sheetnames
        ]
        active = workbook.index(workbook.active) if workbook.active is not None else 0
        chosen = _choose(entries, active, sheet, path)
        worksheet: Any = workbook[chosen.name]
        worksheet.reset_dimensions()  # some exporters write a wrong size; read what is there
        records = _bounded(
            (
                (n, [_excel_value(c) for c in cells])
                for n, cells in enumerate(worksheet.iter_rows(min_row=1), start=1)
            ),
            path,
            limits,
        )
        hidden = _hidden_xlsx_rows(workbook, worksheet)
    finally:
        workbook.close()
    notes = _which(chosen, entries, sheet, records)
    return Sheet(chosen.name, records, hidden, notes, _listing(entries))


def _hidden_xlsx_rows(workbook: Any, worksheet: Any) -> frozenset[int]:
    """Rows the sheet hides (by hand or by a filter), from the row elements of its XML."""
    hidden = set()
    number = 0
    with workbook._archive.open(worksheet._worksheet_path) as source:
        for _, element in ElementTree.iterparse(source):
            if element.tag != _ROW_TAG:
                continue
            number = int(element.get("r", number + 1))
            if element.get("hidden") in {"1", "true"}:
                hidden.add(number)
            element.clear()
    return frozenset(hidden)


def _read_calamine(path: Path, sheet: str | int | None, limits: ReadLimits) -> Sheet:
    import python_calamine  # only .xls and .ods need it

    if path.suffix.lower() == ".ods":
        _check_unpacked_size(path, limits)
    elif path.exists() and path.stat().st_size > limits.max_bytes:
        raise RecipientsFileError(
            f"{path}: the file is {path.stat().st_size:,} bytes; {limits.advice('max_bytes')}",
            path=path,
        )
    try:
        workbook = python_calamine.load_workbook(path)
    except FileNotFoundError as err:
        raise RecipientsFileError(f"{path}: no such file", path=path) from err
    except Exception as err:  # calamine's errors are not one hierarchy
        raise RecipientsFileError(
            f"{path}: not a readable {path.suffix} workbook (damaged, password-protected, or "
            f"another format): {err}",
            path=path,
        ) from err
    with workbook:
        entries = [
            _Entry(
                meta.name,
                _CALAMINE_STATES.get(str(meta.visible).rsplit(".", 1)[-1], "veryHidden"),
                str(meta.typ).endswith("ChartSheet"),
            )
            for meta in workbook.sheets_metadata
        ]
        active = _active_calamine_sheet(workbook, entries, path)
        chosen = _choose(entries, active, sheet, path)
        data = workbook.get_sheet_by_name(chosen.name)
        if data.total_height > limits.max_rows + _TITLE_ROWS:
            raise RecipientsFileError(
                f"{path}: more than {limits.max_rows:,} rows; {limits.advice('max_rows')}",
                path=path,
            )
        rows = data.to_python(skip_empty_area=False)
    records = _bounded(
        ((n, [_calamine_value(v) for v in values]) for n, values in enumerate(rows, start=1)),
        path,
        limits,
    )
    notes = _which(chosen, entries, sheet, records)
    if path.suffix.lower() == ".ods":
        hidden = _hidden_ods_rows(path, chosen.name)
    else:
        hidden = frozenset()
        notes.append(
            "an .xls file does not say which rows are hidden or filtered out: every row "
            "was read (save it as .xlsx to leave hidden rows out)"
        )
    return Sheet(chosen.name, records, hidden, notes, _listing(entries))


def _active_calamine_sheet(workbook: Any, entries: list[_Entry], path: Path) -> int:
    """The sheet LibreOffice shows on opening (.ods), else the first visible one with data."""
    if path.suffix.lower() == ".ods":
        with contextlib.suppress(Exception), zipfile.ZipFile(path) as archive:
            found = _ODS_ACTIVE.search(archive.read("settings.xml"))
            names = [entry.name for entry in entries]
            if found and found.group(1).decode() in names:
                return names.index(found.group(1).decode())
    for index, entry in enumerate(entries):
        if entry.state == "visible" and not entry.chart:
            with contextlib.suppress(Exception):
                if workbook.get_sheet_by_name(entry.name).height:
                    return index
    return 0


def _hidden_ods_rows(path: Path, name: str) -> frozenset[int]:
    """Rows of one .ods table that are hidden (collapse) or filtered out (filter)."""
    hidden: set[int] = set()
    number, inside = 0, False
    with zipfile.ZipFile(path) as archive, archive.open("content.xml") as source:
        for event, element in ElementTree.iterparse(source, events=("start", "end")):
            if element.tag == _ODS_TABLE:
                inside = event == "start" and element.get(f"{{{_ODS_TABLE_NS}}}name") == name
            elif inside and event == "end" and element.tag == _ODS_ROW:
                repeat = int(element.get(f"{{{_ODS_TABLE_NS}}}number-rows-repeated", "1"))
                if element.get(f"{{{_ODS_TABLE_NS}}}visibility", "visible") != "visible":
                    hidden.update(range(number + 1, number + 1 + min(repeat, 1_000_000)))
                number += repeat
            if event == "end" and element.tag != _ODS_TABLE and not inside:
                element.clear()
    return frozenset(hidden)


def _bounded(
    records: Iterable[tuple[int, list[Any]]], path: Path, limits: ReadLimits
) -> list[tuple[int, list[Any]]]:
    """Collect the rows, failing at the first one past a limit (before reading the rest)."""
    out = []
    for number, values in _trimmed(records):
        if number > limits.max_rows + _TITLE_ROWS:
            raise RecipientsFileError(
                f"{path}: more than {limits.max_rows:,} rows; {limits.advice('max_rows')}",
                path=path,
            )
        if len(values) > limits.max_columns:
            raise RecipientsFileError(
                f"{path}: row {number} has {len(values):,} columns; {limits.advice('max_columns')}",
                path=path,
            )
        for value in values:
            if isinstance(value, str) and len(value) > limits.max_cell_chars:
                raise RecipientsFileError(
                    f"{path}: row {number} has a value of {len(value):,} characters; "
                    f"{limits.advice('max_cell_chars')}",
                    path=path,
                )
        out.append((number, values))
    return out


def _trimmed(records: Iterable[tuple[int, list[Any]]]) -> Iterator[tuple[int, list[Any]]]:
    """Drop the empty cells at the end of each row (formatting reaches far past the data)."""
    for number, values in records:
        end = len(values)
        while end and values[end - 1] is None:
            end -= 1
        yield number, values[:end]


def _excel_value(cell: Any) -> Any:
    """Return a cell as the text Excel shows, or a datetime for a date cell."""
    value = cell.value
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = number_text(value)
        # A phone column formatted "0000000000" shows its leading zero: keep what is shown.
        number_format = getattr(cell, "number_format", "General") or "General"
        if text.isdigit() and set(number_format) == {"0"}:
            text = text.zfill(len(number_format))
        return text
    if isinstance(value, str) and "_x" in value:
        value = _OOXML_ESCAPE.sub(lambda match: chr(int(match[1], 16)), value)
    return _calamine_value(value)


def _calamine_value(value: Any) -> Any:
    if value is None or value == "" or isinstance(value, dt.datetime):
        return value or None
    if isinstance(value, str):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return number_text(value)
    return str(value)
