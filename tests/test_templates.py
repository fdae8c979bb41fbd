"""Templates render what a person expects, refuse anything but column names, and never guess."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import smsbatch
from smsbatch.exceptions import TemplateError
from smsbatch.preparation.templates import Template, format_value


def render(source: str, frame: pd.DataFrame) -> tuple[list[str], list[str]]:
    text, error = Template(source, frame.columns).render(frame)
    return text.tolist(), error.tolist()


def one(source: str, **columns: object) -> str:
    frame = pd.DataFrame({name: [value] for name, value in columns.items()})
    (text,), (error,) = render(source, frame)
    assert error == ""
    return text


@pytest.mark.parametrize(
    ("source", "columns", "expected"),
    [
        ("Beste {voornaam}", {"voornaam": "Anna"}, "Beste Anna"),
        ("Hoi {First name}!", {"First name": "Jan"}, "Hoi Jan!"),
        ("{message}", {"message": "Alles {klaar}?"}, "Alles {klaar}?"),
        ("{{niet}} {x}", {"x": "wel"}, "{niet} wel"),
        ("nr {huisnummer}", {"huisnummer": 12.0}, "nr 12"),
        ("{bedrag}", {"bedrag": 12.5}, "12.5"),
        ("{bedrag:.2f}", {"bedrag": 12.5}, "12.50"),
        ("{nr:03d}", {"nr": 7.0}, "007"),
        ("{n}", {"n": np.int64(31612345678)}, "31612345678"),
        ("{d:%d-%m}", {"d": pd.Timestamp("2026-05-04")}, "04-05"),
        ("{d}", {"d": pd.Timestamp("2026-05-04")}, "2026-05-04"),
        ("{d}", {"d": pd.Timestamp("2026-05-04 09:30")}, "2026-05-04 09:30"),
        ("{d:%d %B}", {"d": dt.date(2026, 5, 4)}, "04 May"),
        ("{naam:>5}|", {"naam": "Jan"}, "  Jan|"),
        ("{a} en {a}", {"a": "x"}, "x en x"),
        ("vast", {"a": "x"}, "vast"),
    ],
    ids=[
        "plain",
        "column-with-space",
        "braces-in-value-are-text",
        "escaped-braces",
        "whole-float-loses-.0",
        "fraction-float",
        "float-spec",
        "int-spec-on-whole-float",
        "numpy-int",
        "date-spec",
        "midnight-is-a-date",
        "datetime-minutes",
        "python-date-spec",
        "string-spec",
        "repeated",
        "no-placeholder",
    ],
)
def test_renders_values_the_way_a_person_expects(source, columns, expected):
    assert one(source, **columns) == expected


@pytest.mark.parametrize(
    "missing",
    [None, float("nan"), pd.NaT, pd.NA, "", "   "],
    ids=["none", "nan", "nat", "na", "empty", "blank"],
)
def test_missing_or_blank_value_invalidates_the_row_naming_the_column(missing):
    frame = pd.DataFrame({"voornaam": ["Anna", missing]}, dtype=object)
    texts, errors = render("Beste {voornaam}", frame)
    assert texts == ["Beste Anna", ""]
    assert errors == ["", "column 'voornaam' is empty"]


def test_never_renders_nan_nat_or_none():
    frame = pd.DataFrame(
        {
            "f": [1.5, np.nan],
            "d": pd.to_datetime(["2026-01-01", None]),
            "s": pd.Series(["a", None], dtype="str"),
            "i": pd.array([1, None], dtype="Int64"),
        }
    )
    texts, errors = render("{f} {d} {s} {i}", frame)
    assert texts == ["1.5 2026-01-01 a 1", ""]
    assert all(word in errors[1] for word in ("'f'", "'d'", "'s'", "'i'"))


def test_column_used_twice_is_reported_once_per_row():
    frame = pd.DataFrame({"d": pd.to_datetime([None])})
    _, errors = render("{d} {d:%d-%m}", frame)
    assert errors == ["column 'd' is empty"]


def test_value_that_refuses_the_spec_invalidates_the_row():
    frame = pd.DataFrame({"bedrag": ["12,50", "3"]})
    texts, errors = render("{bedrag:.2f}", frame)
    assert texts == ["", ""]
    assert errors[0].startswith("column 'bedrag': cannot format '12,50' with {bedrag:.2f}")


def test_unknown_placeholder_names_it_the_columns_and_a_close_match():
    with pytest.raises(TemplateError) as caught:
        Template("Beste {voornam}", ["voornaam", "phone"])
    message = str(caught.value)
    assert "{voornam}" in message
    assert "Did you mean {voornaam}?" in message
    assert "'voornaam', 'phone'" in message
    assert caught.value.column == "voornam"


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("{voornaam.__class__}", "attribute or index access"),
        ("{voornaam[0]}", "attribute or index access"),
        ("{}", "positional"),
        ("{0}", "positional"),
        ("{voornaam!r}", "conversion"),
        ("{voornaam:{breedte}}", "nests a placeholder"),
        ("Beste {voornaam", "not valid format syntax"),
        ("Beste voornaam}", "not valid format syntax"),
    ],
    ids=["attribute", "index", "empty", "positional", "conversion", "nested", "open", "close"],
)
def test_anything_but_a_column_name_is_refused(source, fragment):
    with pytest.raises(TemplateError, match=fragment):
        Template(source, ["voornaam", "breedte"])


def test_column_whose_name_looks_like_access_is_still_a_column():
    assert one("{adres.straat}", **{"adres.straat": "Dorpsstraat"}) == "Dorpsstraat"


def test_template_must_be_text():
    with pytest.raises(TemplateError, match="must be a string"):
        Template(["{a}"], ["a"])  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(allow_nan=True), st.text()), min_size=1))
def test_vectorised_render_equals_per_value_formatting(values):
    frame = pd.DataFrame({"v": pd.Series(values, dtype=object)})
    texts, errors = render("<{v}>", frame)
    for value, text, error in zip(values, texts, errors, strict=True):
        expected = format_value(value)
        assert (text, error == "") == (("", False) if expected is None else (f"<{expected}>", True))


@pytest.mark.parametrize(
    ("spec", "expected"),
    [("", "12"), ("05", "00012"), (">4", "  12"), (",", "12"), ("d", "12"), (".2f", "12.00")],
    ids=["plain", "zero-padded", "aligned", "thousands", "integer", "explicit-float"],
)
def test_a_whole_float_renders_as_the_integer_a_person_wrote_whatever_the_spec(spec, expected):
    assert format_value(12.0, spec) == expected


def test_a_column_with_a_colon_in_its_name_gets_a_hint_to_rename_it():
    with pytest.raises(TemplateError, match="rename the column 'Tijd: start'"):
        Template("{Tijd: start}", ["phone", "Tijd: start"])


def test_a_date_typed_as_text_under_a_date_spec_says_what_to_do():
    frame = pd.DataFrame({"datum": ["03-12-2026"]})
    text, error = Template("tot {datum:%d-%m}", frame.columns).render(frame)
    assert list(text) == [""]
    assert "'03-12-2026' is text, not a date" in error[0]
    assert "use {datum} to send it as written" in error[0]


# --- every row from its own value ----------------------------------------------------------


AMSTERDAM = pd.Timestamp("2026-05-04 10:00", tz="Europe/Amsterdam")
UTC = pd.Timestamp("2026-05-04 08:00", tz="UTC")  # the same instant: == says equal


@pytest.mark.parametrize(
    ("values", "source", "expected"),
    [
        ([True, 1], "{v}", ["True", "1"]),
        ([1, True], "{v}", ["1", "True"]),
        ([Decimal("2.50"), 2.5], "{v}", ["2.50", "2.5"]),
        ([2.5, Decimal("2.50")], "{v}", ["2.5", "2.50"]),
        ([AMSTERDAM, UTC], "{v:%H:%M %Z}", ["10:00 CEST", "08:00 UTC"]),
        ([0.0, -0.0], "{v:.1f}", ["0.0", "-0.0"]),
    ],
    ids=["bool-int", "int-bool", "decimal-float", "float-decimal", "time-zones", "signed-zero"],
)
def test_values_that_compare_equal_are_each_rendered_from_their_own_value(values, source,
                                                                          expected):
    frame = pd.DataFrame({"v": pd.Series(values, dtype=object)})
    assert render(source, frame) == (expected, ["", ""])


def test_a_float_column_with_a_negative_zero_keeps_its_sign():
    assert render("{v:+.1f}", pd.DataFrame({"v": [0.0, -0.0]}))[0] == ["+0.0", "-0.0"]


@pytest.mark.parametrize(
    "cell", [[1, 2], {"a": 1}, Decimal("sNaN")], ids=["list", "dict", "signalling-nan"]
)
def test_a_cell_that_is_not_a_single_value_invalidates_its_row_only(cell):
    frame = pd.DataFrame({"v": pd.Series(["Jan", cell, "Piet"], dtype=object)})
    text, error = render("Hoi {v}", frame)
    assert text == ["Hoi Jan", "", "Hoi Piet"]
    assert error[0] == error[2] == ""
    assert error[1].startswith("column 'v' holds") and "not a single value" in error[1]


def test_a_lone_surrogate_invalidates_the_row_and_a_template_with_one_is_refused():
    frame = pd.DataFrame({"v": pd.Series(["Jos\udce9", "José"], dtype=object)})
    text, error = render("Hoi {v}", frame)
    assert text == ["", "Hoi José"]
    assert "U+DCE9" in error[0] and "lone surrogate" in error[0] and error[1] == ""
    with pytest.raises(TemplateError, match="lone surrogate"):
        Template("Hoi \ud800{v}", frame.columns)


# Values whose rendering is Python's own format (whole floats are excluded: a person wrote 12,
# not 12.0, so those render as integers on purpose; blank text is "empty", not a value).
MIXED = st.one_of(
    st.integers(min_value=-10**6, max_value=10**6),
    st.booleans(),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-1000,
                max_value=1000),
    st.floats(allow_nan=False, allow_infinity=False, width=32).filter(
        lambda f: not f.is_integer()
    ),
    st.text(min_size=1, max_size=5).filter(lambda t: t.strip() != ""),
    st.datetimes(
        min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2040, 1, 1),
        timezones=st.sampled_from([dt.UTC, ZoneInfo("Europe/Amsterdam"),
                                   ZoneInfo("America/New_York")]),
    ),
)


def python_format(value: object, spec: str) -> str | None:
    try:
        return format(value, spec)
    except (ValueError, TypeError):
        return None


@settings(max_examples=200, deadline=None)
@given(values=st.lists(MIXED, min_size=1, max_size=12),
       spec=st.sampled_from(["", ">9", "%H:%M %Z", "%d-%m-%Y"]))
def test_mixed_columns_render_each_cell_as_pythons_own_format(values, spec):
    source = "<{v:" + spec + "}>" if spec else "<{v}>"
    frame = pd.DataFrame({"v": pd.Series(values, dtype=object)})
    text, error = render(source, frame)
    for value, got, problem in zip(values, text, error, strict=True):
        if isinstance(value, dt.datetime) and not spec:
            continue  # a datetime without a spec renders as a person writes it, by design
        expected = python_format(value, spec)
        if expected is None or expected.strip() == "":
            assert problem != "" and got == "", (value, spec)
        else:
            assert (got, problem) == (f"<{expected}>", ""), (value, spec)
# --- day and month names in the region's language, whatever the machine's locale ---------------


@pytest.mark.parametrize(
    ("region", "expected"),
    [
        pytest.param("NL", "zaterdag 19 december (za 19 dec)", id="nl"),
        pytest.param("BE", "zaterdag 19 december (za 19 dec)", id="be-dutch"),
        pytest.param("US", "Saturday 19 December (Sat 19 Dec)", id="en"),
        pytest.param("DE", "Samstag 19 Dezember (Sa 19 Dez.)", id="de"),
        pytest.param("FR", "samedi 19 décembre (sam. 19 déc.)", id="fr"),
    ],
)
def test_day_and_month_names_follow_the_region(region, expected):
    df = pd.DataFrame({"phone": ["+31612345678"], "datum": [pd.Timestamp("2026-12-19 14:30")]})
    prepared = smsbatch.preview(df, to="phone", text="{datum:%A %d %B (%a %d %b)}", region=region)
    assert prepared.loc[0, "sms_text"] == expected


def test_day_names_leave_other_directives_and_a_literal_percent_alone():
    from smsbatch.preparation.templates import date_region

    token = date_region.set("NL")
    try:
        value = dt.date(2026, 12, 20)
        assert format_value(value, "%A %%A %d-%m-%Y %H:%M %j") == "zondag %A 20-12-2026 00:00 354"
        assert format_value(pd.Timestamp("2026-05-04 09:05"), "%a %-d %b") == "ma 4 mei"
    finally:
        date_region.reset(token)
    assert format_value(value, "%A") == "Sunday"  # outside prepare: strftime's own names


def test_every_language_has_seven_days_and_twelve_months():
    from smsbatch.preparation import templates

    for table in (templates._NAMES, templates._ABBREVIATED):
        for days, months in table.values():
            assert (len(days.split(" ")), len(months.split(" "))) == (7, 12)
