"""Make the workbook and CSV fixtures in tests/testdata/ (needs LibreOffice's soffice).

Run from the repository root: ``python tests/testdata/sources/make_fixtures.py``. openpyxl
writes the source workbook (a hidden old sheet, an empty sheet, a title above the header, a
duplicate header, a note beside the table, a hidden and a filtered-out row, date cells, a phone
number that lost its leading zero); LibreOffice headless then opens it and saves it as
``.xlsx``, ``.ods`` and ``.xls``, and exports CSVs in Mac Roman and UTF-16, as a user would.
The committed files are those outputs; the tests never need LibreOffice to read them.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from pathlib import Path

import openpyxl

TESTDATA = Path(__file__).resolve().parent.parent
CSV_FILTER = "csv:Text - txt - csv (StarCalc):{separator},34,{charset},1"
CHARSETS = {"macroman": 2, "utf16": 65535}  # rtl_TextEncoding numbers: Apple Roman, UCS-2


def source_workbook(path: Path) -> None:
    workbook = openpyxl.Workbook()
    old = workbook.active
    old.title = "Oud"
    old.append(["telefoon", "voornaam"])
    old.append(["0612340000", "Oude Lijst"])
    old.sheet_state = "hidden"
    workbook.create_sheet("Leeg")
    sheet = workbook.create_sheet("Klanten")
    sheet.append(["Klantenlijst Tandarts Smit, december 2026"])
    sheet.append([])
    sheet.append(["telefoon", "voornaam", "Mobile", "Mobile", "datum"])
    sheet.append(["0612345601", "Zoë", "0612345601", None, dt.datetime(2026, 12, 19)])
    sheet["G4"] = "Let op: Zoë belt terug"
    sheet.append([612345602, "René", None, "0612345602", dt.datetime(2026, 12, 20)])
    sheet.append(["0612345603", "Verborgen", None, None, dt.datetime(2026, 12, 21)])
    sheet.append(["0612345604", "Gefilterd", None, None, dt.datetime(2026, 12, 22)])
    sheet.append(["0612345605", "Emma", None, None, dt.datetime(2026, 12, 23)])
    sheet.row_dimensions[6].hidden = True
    sheet.row_dimensions[7].hidden = True
    for row in range(4, 9):
        sheet.cell(row, 5).number_format = "dd-mm-yyyy"
    workbook.active = 2
    workbook.save(path)


def soffice(*arguments: str) -> None:
    subprocess.run(["soffice", "--headless", *arguments], check=True, capture_output=True)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "klanten.xlsx"
        source_workbook(source)
        out = Path(folder) / "out"
        for kind in ("xlsx", "ods", "xls"):
            soffice("--convert-to", kind, "--outdir", str(out), str(source))
            shutil.copy(out / f"klanten.{kind}", TESTDATA / f"libreoffice_klanten.{kind}")
        simple = Path(folder) / "lijst.xlsx"
        simple_workbook = openpyxl.Workbook()
        for row in (["telefoon", "naam", "plaats"], ["0612345601", "Zoë", "Düsseldorf"],
                    ["0612345602", "René Ørsted", "Köln"]):
            simple_workbook.active.append(row)
        simple_workbook.save(simple)
        for name, charset in CHARSETS.items():
            separator = 9 if name == "utf16" else 59
            options = CSV_FILTER.format(separator=separator, charset=charset)
            soffice("--convert-to", options, "--outdir", str(out), str(simple))
            shutil.copy(out / "lijst.csv", TESTDATA / f"libreoffice_{name}.csv")


if __name__ == "__main__":
    main()
