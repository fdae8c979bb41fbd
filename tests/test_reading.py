"""read_recipients against real files, as users' spreadsheets really are."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import phonenumbers
import pytest
from openpyxl.chart import BarChart, Reference

import smsbatch
from smsbatch.spreadsheets import read_recipients

TESTDATA = Path(__file__).parent / "testdata"
SAMPLE_DATA = Path(__file__).parent.parent / "sample_data"


def write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def make_workbook(
    path: Path, rows: list[list[object]], *, formats: dict[str, str] | None = None
) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Klanten"
    for row in rows:
        sheet.append(row)
    for coordinate, number_format in (formats or {}).items():
        sheet[coordinate].number_format = number_format
    workbook.create_sheet("Leeg")
    workbook.save(path)
    return path


# --- reading CSV ------------------------------------------------------------------------------


def test_cp1252_semicolon_file_keeps_accents_euro_and_leading_zero():
    df = read_recipients(TESTDATA / "cp1252_semicolon.csv")
    assert list(df.columns) == ["voornaam", "achternaam", "telefoon", "plaats", "bedrag"]
    assert df["voornaam"].tolist() == ["Zoë", "René"]
    assert df["plaats"].tolist() == ["Düsseldorf", "'s-Hertogenbosch"]
    assert df["telefoon"].tolist() == ["0612345601", "+31 6 12345602"]
    assert df["bedrag"].tolist() == ["€ 12,50", "€ 7,-"]


def test_utf8_bom_comma_file_has_a_clean_first_column_name():
    df = read_recipients(TESTDATA / "bom_utf8_comma.csv")
    assert list(df.columns) == ["telefoon", "naam", "opmerking"]
    assert df["telefoon"].tolist() == ["0612345601", "0031612345602"]
    assert df["naam"].tolist() == ["Zoë", "Łukasz"]
    assert df.loc[0, "opmerking"] == "Jansen; J."
    assert pd.isna(df.loc[1, "opmerking"])


def test_quoted_fields_keep_their_newlines_and_quotes():
    df = read_recipients(TESTDATA / "quoted_newlines.csv")
    assert df["bericht"].tolist() == ['Regel 1\nRegel 2; met "quotes"', "kort"]
    assert df["telefoon"].tolist() == ["0612345601", "+31612345602"]


def test_spaced_headers_are_stripped_and_empty_rows_and_columns_dropped():
    df = read_recipients(TESTDATA / "spaced_headers.csv")
    assert list(df.columns) == ["voornaam", "telefoon"]
    assert df["voornaam"].tolist() == ["Jan ", "Piet"]  # values stay exactly as written
    assert df["telefoon"].tolist() == ["0612345601", "06-1234 5602"]
    assert list(df.index) == [0, 1]


@pytest.mark.parametrize(
    "separator",
    [
        pytest.param(";", id="semicolon"),
        pytest.param(",", id="comma"),
        pytest.param("\t", id="tab"),
    ],
)
def test_separator_is_detected_even_when_values_contain_the_others(tmp_path, separator):
    lines = [
        ["telefoon", "naam", "notitie"],
        ["0612345601", "Jansen", '"a, b; c\td"'],
        ["+31612345602", "de Vries", "x"],
    ]
    text = "\n".join(separator.join(line) for line in lines) + "\n"
    df = read_recipients(write_bytes(tmp_path / "lijst.csv", text.encode()))
    assert list(df.columns) == ["telefoon", "naam", "notitie"]
    assert df["notitie"].tolist() == ["a, b; c\td", "x"]


def test_excel_unicode_text_export_utf16_tab_is_read(tmp_path):
    text = "telefoon\tnaam\r\n0612345601\tZoë\r\n"
    df = read_recipients(write_bytes(tmp_path / "export.txt", text.encode("utf-16")))
    assert df.to_dict("list") == {"telefoon": ["0612345601"], "naam": ["Zoë"]}


def test_every_column_is_text_never_float(tmp_path):
    text = "telefoon;huisnummer;bedrag\n0612345601;12;1.50\n+31612345602;;3\n"
    df = read_recipients(write_bytes(tmp_path / "a.csv", text.encode()))
    assert all(str(dtype) == "str" for dtype in df.dtypes)
    assert df["huisnummer"].tolist()[0] == "12"
    assert df["bedrag"].tolist() == ["1.50", "3"]
    assert pd.isna(df.loc[1, "huisnummer"])


def test_iso_and_day_first_dates_become_dates(tmp_path):
    text = "iso;nl;tijdstip\n2026-12-03;03-12-2026;2026-12-03 14:30\n2026-12-04;04-12-2026;\n"
    df = read_recipients(write_bytes(tmp_path / "a.csv", text.encode()))
    assert df["iso"].tolist() == [pd.Timestamp("2026-12-03"), pd.Timestamp("2026-12-04")]
    assert df["nl"].tolist() == [pd.Timestamp("2026-12-03"), pd.Timestamp("2026-12-04")]
    assert df.loc[0, "tijdstip"] == pd.Timestamp("2026-12-03 14:30")
    assert pd.isna(df.loc[1, "tijdstip"])


def test_a_date_like_column_with_an_impossible_date_stays_text(tmp_path):
    text = "datum\n2026-12-03\n2026-13-45\n"
    df = read_recipients(write_bytes(tmp_path / "a.csv", text.encode()))
    assert df["datum"].tolist() == ["2026-12-03", "2026-13-45"]


def test_separator_and_encoding_can_be_forced(tmp_path):
    text = "telefoon|naam\n0612345601|Zoë\n"
    df = read_recipients(
        write_bytes(tmp_path / "a.csv", text.encode("latin-1")), sep="|", encoding="latin-1"
    )
    assert df.to_dict("list") == {"telefoon": ["0612345601"], "naam": ["Zoë"]}


def test_header_only_file_gives_an_empty_frame_with_its_columns(tmp_path):
    df = read_recipients(write_bytes(tmp_path / "a.csv", b"telefoon;naam\r\n;;\r\n"))
    assert list(df.columns) == ["telefoon", "naam"]
    assert len(df) == 0


# --- reading Excel ----------------------------------------------------------------------------


def test_excel_numeric_phone_cells_come_back_as_digits(tmp_path):
    path = make_workbook(
        tmp_path / "klanten.xlsx",
        [
            ["telefoon ", "naam", "afspraak", "tijd", "huisnummer"],
            [612345601, "Zoë", dt.datetime(2026, 12, 3), dt.time(14, 30), 12.0],
            [31612345602.0, "Jan", dt.datetime(2026, 12, 4, 9, 15), dt.time(9, 5, 30), 0.1 + 0.2],
            ["0612345603", "Piet", None, None, None],
            [612345604, "Kees", dt.date(2026, 12, 5), dt.time(8, 0), True],
        ],
        formats={"A5": "0000000000"},
    )
    df = read_recipients(path)
    assert df["telefoon"].tolist() == ["612345601", "31612345602", "0612345603", "0612345604"]
    assert df["naam"].tolist() == ["Zoë", "Jan", "Piet", "Kees"]
    assert df["afspraak"].dtype.kind == "M"
    assert df["afspraak"].tolist()[:2] == [
        pd.Timestamp("2026-12-03"),
        pd.Timestamp("2026-12-04 09:15"),
    ]
    assert pd.isna(df.loc[2, "afspraak"])
    assert df["tijd"].tolist()[:2] == ["14:30", "09:05:30"]
    assert df["huisnummer"].fillna("-").tolist() == ["12", "0.3", "-", "True"]


@pytest.mark.parametrize(
    ("sheet", "expected"),
    [
        pytest.param("Lijst", "0612345601", id="by-name"),
        pytest.param(1, "0612345601", id="by-index"),
    ],
)
def test_excel_sheet_can_be_chosen(tmp_path, sheet, expected):
    workbook = openpyxl.Workbook()
    workbook.active.append(["iets anders"])
    workbook.active.append(["x"])
    lijst = workbook.create_sheet("Lijst")
    lijst.append(["telefoon"])
    lijst.append(["0612345601"])
    workbook.save(tmp_path / "a.xlsx")
    assert read_recipients(tmp_path / "a.xlsx", sheet=sheet)["telefoon"].tolist() == [expected]
    assert list(read_recipients(tmp_path / "a.xlsx").columns) == ["iets anders"]


def test_missing_sheet_error_lists_the_sheets(tmp_path):
    path = make_workbook(tmp_path / "a.xlsx", [["telefoon"], ["0612345601"]])
    with pytest.raises(smsbatch.RecipientsFileError, match=r"no sheet 'Blad1'.*'Klanten', 'Leeg'"):
        read_recipients(path, sheet="Blad1")


def test_excel_mixed_date_and_text_column_is_text(tmp_path):
    path = make_workbook(tmp_path / "a.xlsx", [["datum"], [dt.datetime(2026, 12, 3)], ["morgen"]])
    assert read_recipients(path)["datum"].tolist() == ["2026-12-03", "morgen"]


# --- errors -----------------------------------------------------------------------------------


BAD_FILES = {
    "missing": ("nergens.csv", None, "cannot read"),
    "empty": ("leeg.csv", b"", "empty"),
    "only-separators": ("leeg.csv", b";;\r\n  ;\r\n", "empty"),
    "no-header": ("a.csv", b"Jan;0612345601\nPiet;0612345602\n", "looks like data"),
    "no-header-spaced-number": ("a.csv", b"Jan;06-1234 5601\n", r"data.*\(column 2\)"),
    "no-header-xlsx-number": ("a.xlsx", [[612345601, "Jan"]], r"data.*\(column 1\)"),
    "ragged-row": ("a.csv", b"telefoon;naam\n0612345601;Jan;Jansen\n", "row 1 has more values"),
    "binary": ("a.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
    "xlsx-named-csv": ("a.csv", b"PK\x03\x04rest", "rename it to .xlsx"),
    "mixed-encodings": ("a.csv", "naam\nZoë\n".encode() + b"Ren\xe9\n", "line 3 is not UTF-8"),
    "broken-xlsx": ("a.xlsx", b"not a zip at all", "not an .xlsx workbook"),
    "missing-xlsx": ("weg.xlsx", None, "no such file"),
    "broken-xls": ("a.xls", b"\xd0\xcf\x11\xe0", "not a readable .xls workbook"),
    "broken-ods": ("a.ods", b"PK\x03\x04", "not a readable .ods workbook"),
    "unknown-extension": ("a.pdf", b"%PDF", "unknown file type '.pdf'"),
}


@pytest.mark.parametrize(("name", "data", "message"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_files_raise_an_error_naming_file_and_problem(tmp_path, name, data, message):
    path = tmp_path / name
    if isinstance(data, list):
        make_workbook(path, data)
    elif data is not None:
        path.write_bytes(data)
    with pytest.raises(smsbatch.RecipientsFileError, match=message) as caught:
        read_recipients(path)
    assert str(path) in str(caught.value)
    assert caught.value.path == path
    assert isinstance(caught.value, ValueError)


def test_no_header_error_does_not_echo_the_phone_number(tmp_path):
    path = write_bytes(tmp_path / "a.csv", b"0612345601\n0612345602\n")
    with pytest.raises(smsbatch.RecipientsFileError) as caught:
        read_recipients(path)
    assert "0612345601" not in str(caught.value)


def test_unnamed_column_with_values_is_kept_with_a_warning(tmp_path):
    path = write_bytes(tmp_path / "a.csv", b"telefoon;;naam\n0612345601;x;Jan\n")
    with pytest.warns(UserWarning, match="no name"):
        df = read_recipients(path)
    assert list(df.columns) == ["telefoon", "Unnamed: 1", "naam"]


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("'+31612345678", "+31612345678"),
        ("'=SUM(A1)", "=SUM(A1)"),
        ("'-5", "-5"),
        ("''=x", "'=x"),
        ("'s-Hertogenbosch", "'s-Hertogenbosch"),
        ("'0612345678", "'0612345678"),
        ("'", "'"),
    ],
    ids=["plus", "equals", "minus", "double", "place-name", "digit", "lone"],
)
def test_csv_apostrophe_marks_text_only_before_a_formula_character(tmp_path, written, read):
    path = write_bytes(tmp_path / "lijst.csv", f"telefoon;plaats\n0612345601;{written}\n".encode())
    assert read_recipients(path).loc[0, "plaats"] == read


# --- sample_data ------------------------------------------------------------------------------


def test_sample_csv_and_xlsx_read_to_the_same_frame():
    from_csv = read_recipients(SAMPLE_DATA / "recipients.csv")
    from_xlsx = read_recipients(SAMPLE_DATA / "recipients.xlsx")
    pd.testing.assert_frame_equal(from_csv, from_xlsx)
    assert len(from_csv) == 25
    assert from_csv["datum"].dtype.kind == "M"


def test_sample_numbers_have_exactly_the_documented_problems():
    recipients = read_recipients(SAMPLE_DATA / "recipients.csv")
    optouts = read_recipients(SAMPLE_DATA / "optouts.csv")

    def e164(text: str) -> str | None:
        number = phonenumbers.parse(text, "NL")
        if not phonenumbers.is_valid_number(number):
            return None
        kind = phonenumbers.number_type(number)
        prefix = "" if kind == phonenumbers.PhoneNumberType.MOBILE else "landline:"
        return prefix + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    numbers = [None if pd.isna(text) else e164(text) for text in recipients["telefoon"]]
    opted_out = {e164(text) for text in optouts["telefoon"]}
    assert None not in opted_out
    assert [i for i, n in enumerate(numbers) if n is None] == [17, 18, 20]
    assert [i for i, n in enumerate(numbers) if n and n.startswith("landline:")] == [19]
    assert (
        numbers[21] == numbers[0]
        and recipients.loc[21, "telefoon"] != recipients.loc[0, "telefoon"]
    )
    assert [i for i, n in enumerate(numbers) if n in opted_out] == [22]
    assert (numbers[15][:3], numbers[16][:3]) == ("+32", "+49")
    mobiles = {n for n in numbers if n and not n.startswith("landline:")}
    assert len(mobiles - opted_out) == 19


# --- workbooks made by LibreOffice: sheets, title rows, hidden rows, notes, duplicates ---------

LIBREOFFICE = ["libreoffice_klanten.xlsx", "libreoffice_klanten.ods", "libreoffice_klanten.xls"]


@pytest.mark.parametrize("name", LIBREOFFICE, ids=lambda name: name.rsplit(".", 1)[1])
def test_libreoffice_workbook_reads_the_active_visible_sheet_below_its_title(name):
    with pytest.warns(UserWarning) as caught:
        df = read_recipients(TESTDATA / name)
    said = " | ".join(str(warning.message) for warning in caught)
    source = df.attrs["smsbatch_source"]
    assert source["sheet"] == "Klanten" and source["header_row"] == 3
    assert "read sheet 'Klanten'; the workbook also has 'Oud' (hidden), 'Leeg'" in said
    assert "column names are in row 3" in said
    assert list(df.columns) == ["telefoon", "voornaam", "Mobile", "Mobile 2", "datum"]
    assert "renamed D3 → 'Mobile 2'" in said
    assert "in column G" in said and "Let op" not in df.to_string()
    assert df["telefoon"].tolist()[:2] == ["0612345601", "612345602"]
    assert df["voornaam"].tolist()[:2] == ["Zoë", "René"]
    assert df["datum"].tolist()[0] == pd.Timestamp("2026-12-19")
    if name.endswith(".xls"):  # BIFF does not say which rows are hidden: read, and said so
        assert "every row was read" in said
        assert len(df) == 5
    else:
        assert df["voornaam"].tolist() == ["Zoë", "René", "Emma"]
        assert source["hidden_rows_skipped"] == 2
        assert "left out 2 hidden or filtered-out rows" in said


@pytest.mark.parametrize("name", LIBREOFFICE[:2], ids=["xlsx", "ods"])
def test_hidden_rows_can_be_included(name):
    with pytest.warns(UserWarning):
        df = read_recipients(TESTDATA / name, include_hidden=True)
    assert df["voornaam"].tolist() == ["Zoë", "René", "Verborgen", "Gefilterd", "Emma"]
    assert df.attrs["smsbatch_source"]["hidden_rows_skipped"] == 0


@pytest.mark.parametrize("name", LIBREOFFICE, ids=lambda name: name.rsplit(".", 1)[1])
def test_a_hidden_sheet_is_read_only_by_name(name):
    df = read_recipients(TESTDATA / name, sheet="Oud")
    assert df["voornaam"].tolist() == ["Oude Lijst"]
    with pytest.raises(smsbatch.RecipientsFileError, match=r"sheet 0 \('Oud'\) is hidden"):
        read_recipients(TESTDATA / name, sheet=0)


@pytest.mark.parametrize(
    ("sheet", "message"),
    [
        pytest.param(
            "Leeg", r"sheet 'Leeg' is empty; the workbook has 'Oud' \(hidden\)", id="empty"
        ),
        pytest.param(7, r"no sheet 7 \(counting from 0\); the workbook has", id="index-too-big"),
        pytest.param(
            "Blad1",
            r"no sheet 'Blad1'; the workbook has 'Oud' \(hidden\), 'Leeg', 'Klanten'",
            id="missing",
        ),
    ],
)
def test_sheet_errors_list_the_sheets(sheet, message):
    with pytest.raises(smsbatch.RecipientsFileError, match=message):
        read_recipients(TESTDATA / "libreoffice_klanten.xlsx", sheet=sheet)


def test_a_chart_sheet_is_not_a_table(tmp_path):
    workbook = openpyxl.Workbook()
    for row in (["telefoon", "aantal"], ["0612345601", 3]):
        workbook.active.append(row)
    chart = BarChart()
    chart.add_data(
        Reference(workbook.active, min_col=2, min_row=1, max_row=2), titles_from_data=True
    )
    workbook.create_chartsheet("Grafiek").add_chart(chart)
    workbook.save(tmp_path / "a.xlsx")
    with pytest.raises(smsbatch.RecipientsFileError, match=r"'Grafiek' is a chart, not a table"):
        read_recipients(tmp_path / "a.xlsx", sheet="Grafiek")


def test_header_row_can_be_given(tmp_path):
    path = write_bytes(tmp_path / "a.csv", b"Afmeldingen\ntelefoon\n0612345601\n")
    with pytest.warns(UserWarning, match="row 2"):
        assert read_recipients(path, header_row=2)["telefoon"].tolist() == ["0612345601"]
    with pytest.raises(smsbatch.RecipientsFileError, match="header_row=9 is not a row"):
        read_recipients(path, header_row=9)


def test_csv_title_rows_and_a_sep_line_are_skipped(tmp_path):
    text = 'sep=,\nKlantenlijst,,\n,,\ntelefoon,naam,plaats\n0612345601,Jan,"Den Haag, NL"\n'
    with pytest.warns(UserWarning, match="row 4"):
        df = read_recipients(write_bytes(tmp_path / "a.csv", text.encode()))
    assert df.to_dict("list") == {
        "telefoon": ["0612345601"],
        "naam": ["Jan"],
        "plaats": ["Den Haag, NL"],
    }
    assert df.attrs["smsbatch_source"]["separator"] == ","


def test_an_empty_first_sheet_is_passed_over_for_the_table(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.create_sheet("Lijst").append(["telefoon"])
    workbook["Lijst"].append(["0612345601"])
    workbook.active = 1
    workbook.save(tmp_path / "a.xlsx")
    with pytest.warns(UserWarning, match="read sheet 'Lijst'; the workbook also has 'Sheet'"):
        assert read_recipients(tmp_path / "a.xlsx")["telefoon"].tolist() == ["0612345601"]


# --- encodings made by LibreOffice ------------------------------------------------------------


def test_mac_roman_csv_is_decoded_and_said():
    with pytest.warns(UserWarning, match="read it as Mac Roman"):
        df = read_recipients(TESTDATA / "libreoffice_macroman.csv")
    assert df["naam"].tolist() == ["Zoë", "René Ørsted"]
    assert df["plaats"].tolist() == ["Düsseldorf", "Köln"]
    assert df.attrs["smsbatch_source"]["encoding"] == "mac_roman"


def test_utf16_tab_csv_from_libreoffice_is_read():
    df = read_recipients(TESTDATA / "libreoffice_utf16.csv")
    assert df["naam"].tolist() == ["Zoë", "René Ørsted"]


def test_utf16_without_bom_is_read(tmp_path):
    path = write_bytes(tmp_path / "a.csv", "telefoon\tnaam\n0612345601\tZoë\n".encode("utf-16-le"))
    assert read_recipients(path)["naam"].tolist() == ["Zoë"]


def test_cp1252_fallback_is_said():
    with pytest.warns(UserWarning, match="read it as Windows-1252"):
        df = read_recipients(TESTDATA / "cp1252_semicolon.csv")
    assert df.attrs["smsbatch_source"]["encoding"] == "cp1252"


def test_mixed_utf8_and_cp1252_is_an_error_naming_the_line(tmp_path):
    data = "naam;plaats\nJosé;Utrecht\n".encode() + b"Ren\xe9;Delft\n"
    with pytest.raises(smsbatch.RecipientsFileError, match="line 3 is not UTF-8 but other lines"):
        read_recipients(write_bytes(tmp_path / "a.csv", data))


# --- limits ------------------------------------------------------------------------------------


def test_limits_fail_fast_and_say_how_to_lift_them(tmp_path):
    wide = write_bytes(tmp_path / "wide.csv", b";".join([b"k"] * 5000) + b"\n")
    with pytest.raises(smsbatch.RecipientsFileError, match=r"5,000 columns.*max_columns"):
        read_recipients(wide)
    rows = write_bytes(tmp_path / "rows.csv", b"telefoon\n" + b"0612345601\n" * 30)
    with pytest.raises(smsbatch.RecipientsFileError, match=r"more than 20 rows.*max_rows"):
        read_recipients(rows, limits=smsbatch.ReadLimits(max_rows=20))
    assert len(read_recipients(rows, limits=smsbatch.ReadLimits(max_rows=30))) == 30
    long = write_bytes(tmp_path / "long.csv", b"telefoon;tekst\n1;" + b"x" * 500 + b"\n")
    with pytest.raises(smsbatch.RecipientsFileError, match="500 characters.*max_cell_chars"):
        read_recipients(long, limits=smsbatch.ReadLimits(max_cell_chars=100))
    with pytest.raises(smsbatch.RecipientsFileError, match="bytes.*max_bytes"):
        read_recipients(long, limits=smsbatch.ReadLimits(max_bytes=100))


def test_a_workbook_that_unpacks_too_big_fails_before_parsing(tmp_path):
    path = make_workbook(tmp_path / "a.xlsx", [["telefoon"]] + [["0612345601"]] * 50)
    with pytest.raises(smsbatch.RecipientsFileError, match="unpacks to .*max_bytes"):
        read_recipients(path, limits=smsbatch.ReadLimits(max_bytes=2000))
    with pytest.raises(smsbatch.RecipientsFileError, match="more than 10 rows"):
        read_recipients(path, limits=smsbatch.ReadLimits(max_rows=10))


# --- dates written the region's way ------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        pytest.param(["20-12-2026", "3-1-2027"], ["2026-12-20", "2027-01-03"], id="dashes"),
        pytest.param(["20/12/2026", "03/01/2027"], ["2026-12-20", "2027-01-03"], id="slashes"),
        pytest.param(["20.12.2026"], ["2026-12-20"], id="dots"),
        pytest.param(["20-12-26", "03-01-27"], ["2026-12-20", "2027-01-03"], id="two-digit-year"),
        pytest.param(["20-12-2026 14:30"], ["2026-12-20 14:30"], id="with-time"),
    ],
)
def test_day_first_dates_in_a_dutch_csv_become_dates(tmp_path, written, expected):
    path = write_bytes(tmp_path / "a.csv", ("datum\n" + "\n".join(written) + "\n").encode())
    assert read_recipients(path)["datum"].tolist() == [pd.Timestamp(text) for text in expected]


@pytest.mark.parametrize(
    "written",
    [
        pytest.param(["31-02-2026"], id="impossible"),
        pytest.param(["20-12-2026", "morgen"], id="text-among-dates"),
        pytest.param(["20-12-2026", "20/12/2026"], id="two-ways"),
        pytest.param(["14:30", "9:05"], id="times-stay-text"),
    ],
)
def test_columns_that_are_not_all_dates_stay_as_written(tmp_path, written):
    path = write_bytes(tmp_path / "a.csv", ("datum\n" + "\n".join(written) + "\n").encode())
    assert read_recipients(path)["datum"].tolist() == written


def test_month_first_regions_read_month_first(tmp_path):
    path = write_bytes(tmp_path / "a.csv", b"date\n12/20/2026\n")
    assert read_recipients(path, region="US")["date"].tolist() == [pd.Timestamp("2026-12-20")]


def test_a_dutch_csv_date_renders_like_an_xlsx_date(tmp_path):
    path = write_bytes(tmp_path / "a.csv", b"telefoon;datum\n0612345601;19-12-2026\n")
    shown = smsbatch.preview(read_recipients(path), to="telefoon", text="{datum:%A %d-%m}")
    assert shown.loc[0, "sms_text"] == "zaterdag 19-12"
