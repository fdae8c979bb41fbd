"""An opt-out list excludes its numbers whatever format they are written in."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from smsbatch.exceptions import PreparationError, RecipientsFileError
from smsbatch.preparation.exclusions import read_exclude

NUMBERS = frozenset({"31612345678", "31687654321"})


@pytest.mark.parametrize(
    "exclude",
    [
        ["06-1234 5678", "+31 6 87654321"],
        (612345678, 31687654321.0),
        {"0031612345678", "0687654321"},
        pd.Series(["06 12345678", "06.87.65.43.21", None]),
        pd.DataFrame({"naam": ["a", "b"], "Mobiel nummer": ["0612345678", "0687654321"]}),
    ],
    ids=["list", "spreadsheet-numbers", "set", "series-with-gap", "frame-phone-column"],
)
def test_in_memory_lists(exclude):
    assert read_exclude(exclude, "NL") == NUMBERS


@pytest.mark.parametrize(
    "content",
    [
        "telefoon\n06-12345678\n+31687654321\n",
        "naam;telefoonnummer\nAnna;06 12345678\nBert;0687654321\n",
        "naam\tphone\nAnna\t0612345678\nBert\t0687654321\n",
        "\ufeffnumber,name\n0612345678,Anna\n0687654321,Bert\n",
    ],
    ids=["header", "semicolons", "tabs", "utf8-bom"],
)
def test_csv_files(tmp_path, content):
    path = tmp_path / "optout.csv"
    path.write_text(content, encoding="utf-8")
    assert read_exclude(path, "NL") == NUMBERS
    assert read_exclude(str(path), "NL") == NUMBERS


def test_excel_file(tmp_path):
    path = tmp_path / "optout.xlsx"
    pd.DataFrame({"naam": ["Anna", "Bert"], "Mobiel": [612345678, "06-87654321"]}).to_excel(
        path, index=False
    )
    assert read_exclude(path, "NL") == NUMBERS


def test_the_sample_opt_out_file_excludes_its_numbers():
    numbers = read_exclude(Path(__file__).parent.parent / "sample_data" / "optouts.csv", "NL")
    assert "31650123456" in numbers


def test_file_without_header_is_refused_rather_than_guessed(tmp_path):
    path = tmp_path / "bare.csv"
    path.write_text("0612345678\n0687654321\n")
    with pytest.raises(RecipientsFileError, match="add a header row"):
        read_exclude(path, "NL")


def test_entries_that_match_no_one_are_reported():
    with pytest.warns(UserWarning, match=r"2 exclude-list entries are .*'020 1234567' \(landline"):
        assert read_exclude(["0612345678", "020 1234567", "06-123"], "NL") == {"31612345678"}


def test_unreadable_file_names_the_path(tmp_path):
    missing = tmp_path / "missing.csv"
    with pytest.raises(RecipientsFileError) as caught:
        read_exclude(missing, "NL")
    assert caught.value.path == missing


def test_something_that_is_no_list_is_refused():
    with pytest.raises(PreparationError, match="exclude= takes numbers"):
        read_exclude(42, "NL")
