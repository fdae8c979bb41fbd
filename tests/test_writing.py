"""write_results: atomic, formula-free files that read_recipients reads back as the same frame."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shutil
import subprocess
import zipfile

import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import smsbatch
from smsbatch.spreadsheets import read_recipients, write_results


def results_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "telefoon": ["0612345601", "+31 6 12345602", "0031612345603"],
            "naam": ["Zoë", '=HYPERLINK("http://x","klik")', "@SUM(A1)"],
            "sms_text": ["+ korting", "-50% vandaag", "=== Actie ==="],
            "sms_error": ["#N/A", None, "601: rejected"],
            "datum": pd.to_datetime(["2026-12-03", "2026-12-04", None]),
            "sms_segments": [1, 2, 1],
        }
    )


def test_xlsx_keeps_phone_numbers_as_text_and_never_writes_a_formula(tmp_path):
    path = write_results(results_frame(), tmp_path / "uit.xlsx")
    sheet = openpyxl.load_workbook(path).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type in ("f", "e")]
    assert [cell.value for cell in sheet["A"]][1:] == [
        "0612345601",
        "+31 6 12345602",
        "0031612345603",
    ]
    assert all(cell.data_type == "s" for cell in sheet["A"])
    assert sheet["B3"].value == '=HYPERLINK("http://x","klik")'
    assert sheet["E2"].is_date and sheet["E2"].value == dt.datetime(2026, 12, 3)
    assert sheet["E2"].number_format == "yyyy-mm-dd"
    assert sheet["F3"].value == 2 and sheet["F3"].data_type == "n"
    # The stored size lets readers stream the sheet once instead of scanning it first.
    streamed = openpyxl.load_workbook(path, read_only=True)
    assert streamed.active.calculate_dimension() == "A1:F4"
    streamed.close()


def test_csv_is_utf8_with_bom_semicolon_separated_for_dutch_excel(tmp_path):
    path = write_results(results_frame(), tmp_path / "uit.csv")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbftelefoon;naam;sms_text;")
    assert "Zoë".encode() in data
    assert b"\r\n0612345601;" in data


def test_csv_separator_can_be_chosen_and_tsv_is_tab(tmp_path):
    frame = pd.DataFrame({"a": ["1"], "b": ["2"]})
    assert b"a,b" in write_results(frame, tmp_path / "uit.csv", sep=",").read_bytes()
    assert b"a\tb" in write_results(frame, tmp_path / "uit.tsv").read_bytes()


FORMULA_LIKE = [
    '=HYPERLINK("http://x","klik")',
    "+31 6 bel",
    "-5 korting",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "'=1+1",
    "''",
]


def test_csv_never_starts_a_text_cell_with_a_formula_character(tmp_path):
    frame = pd.DataFrame(
        {
            "telefoon": ["+31612345678"] * len(FORMULA_LIKE),
            "tekst": FORMULA_LIKE,
            "korting": [-5.0] + [1.5] * (len(FORMULA_LIKE) - 1),
        }
    )
    path = write_results(frame, tmp_path / "uit.csv")
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8-sig"), newline=""), delimiter=";"))
    texts = [cell for row in rows for cell in row[:2]]
    assert [cell for cell in texts if cell[:1] in {"=", "+", "-", "@", "\t", "\r"}] == []
    assert [row[0] for row in rows[1:3]] == ["'+31612345678", "'+31612345678"]
    assert rows[1][2] == "-5"  # a real number stays a number for Excel
    back = read_recipients(path)
    assert back["tekst"].tolist() == FORMULA_LIKE
    assert back["telefoon"].tolist() == ["+31612345678"] * len(FORMULA_LIKE)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_results_round_trip_through_read_recipients(tmp_path, suffix):
    frame = results_frame()
    back = read_recipients(write_results(frame, tmp_path / f"uit{suffix}"))
    expected = frame.assign(sms_segments=frame["sms_segments"].astype("str"))
    pd.testing.assert_frame_equal(back, expected, check_dtype=False)
    assert back["datum"].dtype.kind == "M"
    assert str(back["telefoon"].dtype) == "str"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_timezone_aware_times_round_trip_as_the_same_instant(tmp_path, suffix):
    sent = pd.to_datetime(
        ["2026-12-03 14:30:05", "2026-07-01 09:00"], format="ISO8601"
    ).tz_localize("Europe/Amsterdam")
    frame = pd.DataFrame({"sms_sent_at": sent, "when": pd.to_datetime(["2026-12-03 14:30", None])})
    back = read_recipients(write_results(frame, tmp_path / f"uit{suffix}"))
    assert back["sms_sent_at"].tolist() == list(sent)
    assert back.loc[0, "when"] == pd.Timestamp("2026-12-03 14:30")


def test_named_index_is_written_as_a_column(tmp_path):
    frame = pd.DataFrame({"telefoon": ["0612345601"]}, index=pd.Index(["k17"], name="klant"))
    back = read_recipients(write_results(frame, tmp_path / "uit.xlsx"))
    assert back.to_dict("list") == {"klant": ["k17"], "telefoon": ["0612345601"]}


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_existing_file_is_never_silently_overwritten(tmp_path, suffix):
    path = tmp_path / f"uit{suffix}"
    path.write_bytes(b"yesterday")
    with pytest.raises(smsbatch.ResultsFileExistsError, match="overwrite=True") as caught:
        write_results(results_frame(), path)
    assert isinstance(caught.value, FileExistsError)
    assert isinstance(caught.value, smsbatch.SmsBatchError)
    assert path.read_bytes() == b"yesterday"
    write_results(results_frame(), path, overwrite=True)
    assert read_recipients(path)["naam"].tolist()[0] == "Zoë"
    assert sorted(os.listdir(tmp_path)) == [path.name]


class Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("cannot serialise")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_value_that_cannot_be_written_leaves_the_old_file_and_no_temporary(tmp_path, suffix):
    path = tmp_path / f"uit{suffix}"
    path.write_bytes(b"yesterday")
    frame = pd.DataFrame({"telefoon": [f"06123456{i:02}" for i in range(50)] + ["x"]})
    frame["obj"] = [None] * 50 + [Unprintable()]
    with pytest.raises(RuntimeError, match="cannot serialise"):
        write_results(frame, path, overwrite=True)
    assert path.read_bytes() == b"yesterday"
    assert os.listdir(tmp_path) == [path.name]


def test_disk_full_during_save_is_a_results_file_error_and_keeps_the_old_file(
    tmp_path, monkeypatch
):
    def half_save(self):
        self.filename.write(b"PK\x03\x04 half a workbook")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(xlsxwriter.Workbook, "close", half_save)
    path = tmp_path / "uit.xlsx"
    path.write_bytes(b"yesterday")
    with pytest.raises(smsbatch.ResultsFileError, match="No space left") as caught:
        write_results(results_frame(), path, overwrite=True)
    assert isinstance(caught.value.__cause__, OSError)
    assert path.read_bytes() == b"yesterday"
    assert os.listdir(tmp_path) == [path.name]


def test_unknown_extension_and_missing_folder_are_results_file_errors(tmp_path):
    with pytest.raises(smsbatch.ResultsFileError, match="unknown file type '.json'"):
        write_results(results_frame(), tmp_path / "uit.json")
    with pytest.raises(smsbatch.ResultsFileError, match="cannot write in"):
        write_results(results_frame(), tmp_path / "nope" / "uit.csv")


def test_a_text_too_long_for_excel_is_refused_not_truncated(tmp_path):
    frame = pd.DataFrame({"telefoon": ["0612345601"], "sms_text": ["x" * 40000]})
    with pytest.raises(smsbatch.ResultsFileError, match="row 0, column 'sms_text'.*40000"):
        write_results(frame, tmp_path / "uit.xlsx")
    assert os.listdir(tmp_path) == []
    assert (
        read_recipients(write_results(frame, tmp_path / "uit.csv")).loc[0, "sms_text"]
        == "x" * 40000
    )


def test_control_characters_survive_csv_and_become_replacement_in_xlsx(tmp_path):
    frame = pd.DataFrame({"id": ["a"], "tekst": ["bel\x07 mij\x1b\ttab\x00"]})
    assert read_recipients(write_results(frame, tmp_path / "uit.csv")).loc[0, "tekst"] == (
        "bel\x07 mij\x1b\ttab\ufffd"
    )
    assert read_recipients(write_results(frame, tmp_path / "uit.xlsx")).loc[0, "tekst"] == (
        "bel\ufffd mij\ufffd\ttab\ufffd"
    )


# --- round trips of arbitrary text --------------------------------------------------------------

XML_ILLEGAL = {chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF]}


def expected_text(value: str, suffix: str) -> str | None:
    if suffix == ".xlsx":
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        value = "".join("\ufffd" if char in XML_ILLEGAL else char for char in value)
    else:
        value = value.replace("\x00", "\ufffd")
    return value or None


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    values=st.lists(
        st.tuples(
            st.sampled_from(["", "", "'", "''", "=", "+", "-", "@", "\t", "\r"]),
            st.text(max_size=30),
        ).map("".join),
        min_size=1,
        max_size=5,
    )
)
def test_arbitrary_text_round_trips(tmp_path, suffix, values):
    frame = pd.DataFrame({"id": [f"r{i}" for i in range(len(values))], "tekst": values})
    back = read_recipients(write_results(frame, tmp_path / f"uit{suffix}", overwrite=True))
    got = [None if pd.isna(value) else value for value in back["tekst"].tolist()]
    expected = [expected_text(value, suffix) for value in values]
    if back["tekst"].dtype.kind == "M":  # every value was an ISO date: read as dates by design
        return
    assert back["id"].tolist() == frame["id"].tolist()
    assert got == expected


def test_new_results_are_private_and_a_replaced_file_keeps_its_permissions(tmp_path):
    fresh = write_results(results_frame(), tmp_path / "nieuw.csv")
    assert fresh.stat().st_mode & 0o777 == 0o600
    shared = tmp_path / "gedeeld.csv"
    shared.write_bytes(b"yesterday")
    shared.chmod(0o664)
    write_results(results_frame(), shared, overwrite=True)
    assert shared.stat().st_mode & 0o777 == 0o664


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_failure_after_all_bytes_are_written_keeps_the_old_file(tmp_path, monkeypatch, suffix):
    def failing_fsync(descriptor):
        assert os.fstat(descriptor).st_size > 0  # the new content is really in the temporary
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    path = tmp_path / f"uit{suffix}"
    path.write_bytes(b"yesterday")
    with pytest.raises(smsbatch.ResultsFileError, match="Input/output error"):
        write_results(results_frame(), path, overwrite=True)
    assert path.read_bytes() == b"yesterday"
    assert os.listdir(tmp_path) == [path.name]


# --- an .xlsx an office manager can act on ------------------------------------------------------

SENT_AT = pd.to_datetime(
    ["2026-12-01 04:22:12.429832220", None, "2026-07-01 12:00:59.999", None, None], utc=True
)


def send_result() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "telefoon": ["0612345601", "0612345602", "0612345603", "0612", "0612345605"],
            "datum": [dt.date(2026, 12, 3), dt.date(2026, 12, 4), None, None, None],
            "tijd": [dt.time(9, 30), dt.time(14, 0, 5), None, None, None],
            "sms_to": ["31612345601", "31612345602", "31612345603", "", "31612345605"],
            "sms_status": ["sent", "failed", "sent", "invalid", "not_sent"],
            "sms_segments": [1, 1, 2, 0, 1],
            "sms_response_code": pd.array([200, 601, 200, None, None], dtype="Int64"),
            "sms_sent_at": SENT_AT,
        }
    )
    frame.attrs["smsbatch_price_per_segment"] = 0.07
    return frame


def test_xlsx_results_have_local_date_cells_a_frozen_bold_filtered_header_and_coloured_status(
    tmp_path,
):
    path = write_results(send_result(), tmp_path / "uit.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["results", "Summary"] and book.active.title == "results"
    sheet = book["results"]
    header = [cell.value for cell in sheet[1]]
    assert header[-1] == "sms_sent_at (Europe/Amsterdam)"
    sent = sheet.cell(2, len(header))
    # 04:22:12.43 UTC in December is 05:22:12 in Amsterdam; in July 12:00:59.999 is 14:00:59.
    assert sent.is_date and sent.value == dt.datetime(2026, 12, 1, 5, 22, 12)
    assert sent.number_format == "yyyy-mm-dd hh:mm:ss"
    assert sheet.cell(4, len(header)).value == dt.datetime(2026, 7, 1, 14, 0, 59)
    assert sheet["B2"].is_date and sheet["B2"].number_format == "yyyy-mm-dd"
    assert sheet["C3"].value == dt.time(14, 0, 5) and sheet["C3"].number_format == "hh:mm:ss"
    assert sheet["A2"].data_type == "s" and sheet["A2"].value == "0612345601"
    assert sheet["F2"].data_type == "n"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:H6"
    assert all(cell.font.b for cell in sheet[1])
    # Wide enough that a date-time never shows as ###, narrow enough for a screen.
    widths = {column: sheet.column_dimensions[column].width for column in "ABH"}
    assert widths["H"] >= 20 and widths["B"] >= 10 and widths["A"] < 20
    fills = {sheet.cell(row, 5).value: sheet.cell(row, 5).fill.fgColor.rgb for row in range(2, 7)}
    assert fills == {
        "sent": "FFC6EFCE",
        "failed": "FFFFC7CE",
        "invalid": "FFFFC7CE",
        "not_sent": "FFE7E6E6",
    }


def test_unknown_status_is_orange(tmp_path):
    frame = send_result().assign(sms_status=["unknown", "sent", "sent", "sent", "duplicate"])
    sheet = openpyxl.load_workbook(write_results(frame, tmp_path / "uit.xlsx"))["results"]
    assert sheet["E2"].fill.fgColor.rgb == "FFFFD8A8"
    assert sheet["E6"].fill.fgColor.rgb == "FFE7E6E6"


def test_summary_sheet_counts_cost_period_sender_journal_and_a_chart(tmp_path):
    path = write_results(
        send_result(), tmp_path / "uit.xlsx", sender="TandartsSm", journal=tmp_path / "j.db"
    )
    sheet = openpyxl.load_workbook(path)["Summary"]
    rows = {row[0]: row[1:] for row in sheet.iter_rows(values_only=True) if row[0]}
    assert [row[0] for row in sheet.iter_rows(min_row=2, max_row=5, values_only=True)] == [
        "sent",
        "failed",
        "not_sent",
        "invalid",
    ]
    assert rows["sent"][0] == 2 and rows["failed"][0] == 1 and rows["total"][0] == 5
    assert rows["SMS parts sent"][0] == 3
    assert rows["estimated cost"][0] == pytest.approx(0.21)
    assert rows["first sent (Europe/Amsterdam)"][0] == dt.datetime(2026, 7, 1, 14, 0, 59)
    assert rows["last sent (Europe/Amsterdam)"][0] == dt.datetime(2026, 12, 1, 5, 22, 12)
    assert rows["sender"][0] == "TandartsSm"
    assert rows["journal"][0] == str(tmp_path / "j.db")
    assert "sms_response_text" in rows["failed"][1]
    assert sheet["A2"].fill.fgColor.rgb == "FFC6EFCE"
    (chart,) = sheet._charts
    assert chart.tagname == "barChart"
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type in ("f", "e")]


def test_summary_without_price_sender_or_journal_leaves_them_out(tmp_path):
    frame = send_result()
    frame.attrs.clear()
    sheet = openpyxl.load_workbook(write_results(frame, tmp_path / "uit.xlsx"))["Summary"]
    labels = {row[0] for row in sheet.iter_rows(values_only=True)}
    assert not labels & {"estimated cost", "sender", "journal"}


def test_a_frame_without_sms_status_gets_no_summary_sheet(tmp_path):
    book = openpyxl.load_workbook(write_results(results_frame(), tmp_path / "uit.xlsx"))
    assert book.sheetnames == ["results"]


def test_the_summary_reads_the_price_where_prepare_leaves_it():
    from smsbatch.preparation.summary import PRICE_ATTR
    from smsbatch.spreadsheets._summary_sheet import PRICE_ATTR as WRITTEN

    assert WRITTEN == PRICE_ATTR


@pytest.mark.filterwarnings("error")  # its own Summary sheet is no reason to warn
def test_a_send_result_reads_back_as_the_same_table_to_the_second(tmp_path):
    frame = send_result()
    back = read_recipients(write_results(frame, tmp_path / "uit.xlsx"))
    assert list(back.columns) == list(frame.columns)
    assert str(back["sms_sent_at"].dt.tz) == "Europe/Amsterdam"
    assert back["sms_sent_at"].tolist() == frame["sms_sent_at"].dt.floor("s").tolist()
    assert back["sms_status"].tolist() == frame["sms_status"].tolist()
    assert back["telefoon"].tolist() == frame["telefoon"].tolist()


def test_a_summary_sheet_of_the_users_own_is_still_named_when_the_first_sheet_is_read(tmp_path):
    path = tmp_path / "lijst.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Klanten"
    book.active.append(["telefoon", "naam"])
    book.active.append(["0612345678", "An"])
    book.create_sheet("Summary").append(["totaal", 1])
    book.save(path)
    with pytest.warns(UserWarning, match="read sheet 'Klanten'; the workbook also has 'Summary'"):
        read_recipients(path)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_tz_chooses_the_zone_of_the_times_and_the_header_says_it(tmp_path, suffix):
    frame = send_result()[["telefoon", "sms_sent_at"]]
    path = write_results(frame, tmp_path / f"uit{suffix}", tz="UTC")
    back = read_recipients(path)
    assert list(back.columns) == ["telefoon", "sms_sent_at"]
    assert back.loc[0, "sms_sent_at"] == pd.Timestamp("2026-12-01 04:22:12", tz="UTC")
    if suffix == ".csv":
        assert b";sms_sent_at (UTC)\r\n0612345601;2026-12-01 04:22:12\r\n" in path.read_bytes()


def test_an_unknown_time_zone_writes_nothing(tmp_path):
    with pytest.raises(smsbatch.ResultsFileError, match="unknown time zone 'Europe/Amsterdm'"):
        write_results(send_result(), tmp_path / "uit.xlsx", tz="Europe/Amsterdm")
    assert os.listdir(tmp_path) == []


def test_a_zone_in_a_header_of_ones_own_dates_makes_them_aware_unless_the_name_is_taken(tmp_path):
    frame = pd.DataFrame(
        {
            "afspraak (Europe/Amsterdam)": pd.to_datetime(["2026-10-25 02:30"]),
            "wanneer": pd.to_datetime(["2026-10-25 02:30"]),
            "wanneer (Europe/Amsterdam)": pd.to_datetime(["2026-10-25 02:30"]),
            "tekst (Europe/Amsterdam)": ["geen datum"],
        }
    )
    back = read_recipients(write_results(frame, tmp_path / "uit.csv"))
    assert list(back.columns) == [
        "afspraak",
        "wanneer",
        "wanneer (Europe/Amsterdam)",
        "tekst (Europe/Amsterdam)",
    ]
    # 02:30 happens twice that night: the file cannot say which, the first (summer time) is read.
    assert back.loc[0, "afspraak"] == pd.Timestamp("2026-10-25 02:30+02:00")


def test_a_whole_number_longer_than_excel_keeps_stays_exact_as_text(tmp_path):
    frame = pd.DataFrame({"id": [12345678901234567890 // 1000, 7]}, dtype=object)
    sheet = openpyxl.load_workbook(write_results(frame, tmp_path / "uit.xlsx")).active
    assert sheet["A2"].value == "12345678901234567" and sheet["A2"].data_type == "s"
    assert sheet["A3"].value == 7 and sheet["A3"].data_type == "n"


def test_ooxml_escapes_in_a_text_stay_that_text(tmp_path):
    frame = pd.DataFrame({"tekst": ["_x0041_", "a_x000D_b", "_x005F_"]})
    back = read_recipients(write_results(frame, tmp_path / "uit.xlsx"))
    assert back["tekst"].tolist() == ["_x0041_", "a_x000D_b", "_x005F_"]


# --- what LibreOffice makes of the files (CI has no LibreOffice: these skip there) --------------

SOFFICE = shutil.which("soffice")
needs_libreoffice = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) is not installed"
)


def libreoffice(tmp_path, source, target: str, *options: str):
    """Convert ``source`` with LibreOffice headless, in a profile of its own (no lock clashes)."""
    out = tmp_path / "converted"
    done = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            *options,
            "--convert-to",
            target,
            "--outdir",
            str(out),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    converted = out / f"{source.stem}.{target.split(':')[0]}"
    assert converted.exists(), done.stderr
    return converted


@needs_libreoffice
def test_libreoffice_prints_the_results_and_the_summary_to_pdf(tmp_path):
    path = write_results(send_result(), tmp_path / "uit.xlsx", sender="TandartsSm")
    pdf = libreoffice(tmp_path, path, "pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    pages = max(int(n) for n in re.findall(rb"/Count\s*(\d+)", pdf))
    assert pages >= 2  # the results and the Summary sheet


@needs_libreoffice
def test_libreoffice_opens_the_xlsx_with_its_dates_summary_and_chart(tmp_path):
    path = write_results(send_result(), tmp_path / "uit.xlsx")
    ods = libreoffice(tmp_path, path, "ods")
    with zipfile.ZipFile(ods) as archive:
        content = archive.read("content.xml").decode()
    assert 'table:name="Summary"' in content
    assert "Summary.B2:Summary.B5" in content  # the chart, over the counts
    assert 'office:date-value="2026-12-01T05:22:12"' in content


@needs_libreoffice
def test_libreoffice_opens_a_results_csv_losing_leading_zeros_and_showing_apostrophes(tmp_path):
    # What the README says a CSV cannot do, as LibreOffice's Text Import proposes it on a
    # double-click: ";" separated, UTF-8, quoted fields not forced to text, no special numbers.
    frame = pd.DataFrame({"telefoon": ["0612345601", "+31612345602"], "naam": ["Zoë", "Ab"]})
    with pytest.warns(UserWarning, match="'0612345601' as a number") as caught:
        path = write_results(frame, tmp_path / "uit.csv")
    assert len(caught) == 1
    sheet = openpyxl.load_workbook(
        libreoffice(tmp_path, path, "xlsx", "--infilter=CSV:59,34,76,1")
    ).active
    assert sheet["A2"].value == 612345601  # the leading 0 is gone
    assert sheet["A3"].value == "'+31612345602"  # the protective apostrophe shows
    assert sheet["B2"].value == "Zoë"


@needs_libreoffice
def test_no_csv_convention_keeps_a_leading_zero_in_libreoffice_without_a_formula_or_a_mark(
    tmp_path,
):
    # The conventions the README weighs, as LibreOffice opens them on a double-click.
    path = tmp_path / "conventions.csv"
    path.write_bytes(
        "\ufeffplain;quoted;apostrophe;formula\r\n"
        "0612345601;\"0612345601\";'0612345601;=\"0612345601\"\r\n".encode()
    )
    converted = libreoffice(tmp_path, path, "xlsx", "--infilter=CSV:59,34,76,1")
    cells = openpyxl.load_workbook(converted).active[2]
    assert [(cell.value, cell.data_type) for cell in cells] == [
        (612345601, "n"),
        (612345601, "n"),
        ("'0612345601", "s"),
        ('="0612345601"', "f"),
    ]
