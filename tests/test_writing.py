"""write_results: atomic, formula-free files that read_recipients reads back as the same frame."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os

import openpyxl
import pandas as pd
import pytest
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
    def half_save(self, stream):
        stream.write(b"PK\x03\x04 half a workbook")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(openpyxl.Workbook, "save", half_save)
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
