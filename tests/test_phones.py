"""Phone numbers in every format people and spreadsheets write come out as gateway digits."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from smsbatch.preparation.phones import (
    _fast_path,
    _parse,
    cell_text,
    normalise_number,
    normalise_numbers,
)


@pytest.mark.parametrize(
    "value",
    [
        "0612345678",
        "06-1234 5678",
        "06 12 34 56 78",
        "06.12.34.56.78",
        "+31 (0)6 12345678",
        "+31612345678",
        "0031612345678",
        "0031 (0)6 1234 5678",
        "31612345678",
        "612345678",
        612345678,
        31612345678,
        31612345678.0,
        np.float64(612345678.0),
        "31612345678.0",
        "612345678.0",
        " 06\u00a012345678 ",
        "(06) 12345678",
        "tel:+31-6-12345678",
        "TEL:0612345678",
        "\u202f06\u00a012345678",
        "06\u201312345678",
        "06\u201112345678",
        "06\u201012345678",
        "+31\u22126\u221212345678",
    ],
    ids=lambda v: f"{type(v).__name__}:{v!r}",
)
def test_dutch_mobile_formats_normalise_to_international_digits(value):
    assert normalise_number(value, "NL") == ("31612345678", "")


@pytest.mark.parametrize(
    ("value", "digits"),
    [
        ("+4915112345678", "4915112345678"),
        ("004915112345678", "4915112345678"),
        ("+32 470 12 34 56", "32470123456"),
        ("+1 212 555 0100", "12125550100"),
        ("097012345678", "3197012345678"),
    ],
    ids=["de-plus", "de-00", "be", "us-fixed-or-mobile", "nl-m2m-970"],
)
def test_foreign_and_special_mobile_numbers(value, digits):
    assert normalise_number(value, "NL") == (digits, "")


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("020 123 4567", "landline number, cannot receive SMS"),
        ("0800 1234567", "toll-free number, cannot receive SMS"),
        ("0900 1234567", "premium-rate number, cannot receive SMS"),
        ("066 1234567", "pager number, cannot receive SMS"),
        ("085 1234567", "internet (VoIP) number, usually cannot receive SMS"),
        ("0612345", "not a valid number in NL (+31)"),
        ("061234567890123456789", "too long"),
        ("+999 612345678", "unknown country code"),
        ("", "no phone number"),
        (None, "no phone number"),
        (float("nan"), "no phone number"),
        ("06-CALL-ME", "contains 'C', which is not part of a phone number"),
        ("06 1234, 0612", "contains ',', which is not part of a phone number"),
        ("3.16123E+10", "written in scientific notation"),
        (612345678.5, "not a phone number"),
        (True, "not a phone number"),
    ],
    ids=[
        "landline",
        "toll-free",
        "premium",
        "pager",
        "voip",
        "too-short",
        "too-long",
        "bad-country",
        "empty",
        "none",
        "nan",
        "letters",
        "comma-not-between-numbers",
        "scientific",
        "fraction",
        "bool",
    ],
)
def test_unusable_numbers_get_a_reason_a_person_understands(value, reason):
    digits, why = normalise_number(value, "NL")
    assert digits == ""
    assert why.startswith(reason)


def test_region_decides_numbers_without_country_code():
    assert normalise_number("0470 12 34 56", "BE") == ("32470123456", "")
    assert normalise_number("0470 12 34 56", "NL")[0] == ""


def test_column_normalises_each_row_and_keeps_order():
    values = pd.Series(["0612345678", None, "020 1234567", 612345678, "0612345678"])
    digits, reasons = normalise_numbers(values, "NL")
    assert digits.tolist() == ["31612345678", "", "", "31612345678", "31612345678"]
    assert [bool(r) for r in reasons] == [False, True, True, False, False]


_SEPARATOR = st.sampled_from(["", "", "", " ", "-", ".", "/", "  "])


@st.composite
def written_numbers(draw: st.DrawFn) -> str:
    """Numbers as people write them: a prefix, digits, separators sprinkled in."""
    prefix = draw(st.sampled_from(["", "0", "00", "+", "+31", "0031", "31", "+31(0)", "(0)"]))
    digits = draw(st.text("0123456789", min_size=0, max_size=13))
    if draw(st.booleans()):
        digits = "6" + digits[:8]
    out = prefix
    for ch in digits:
        out += draw(_SEPARATOR) + ch
    return out + draw(st.sampled_from(["", "", ".0", " ", "-"]))


def reference(value: object) -> tuple[str, str]:
    """The slow path alone: what phonenumbers says, with no shortcut."""
    text, reason = cell_text(value)
    return ("", reason) if reason else _parse(text, "NL")


@settings(max_examples=300, deadline=None)
@given(
    written_numbers()
    | st.text("0123456789 +-./()\u00a0\u202f\u2010\u2011\u2013\u2212\taEtel:", max_size=18)
    | st.builds("tel:{}".format, written_numbers())
    | st.integers(min_value=0, max_value=10**14)
)
@example("0612345678")
@example("31612345678")
@example("+31(0)612345678")
@example("06123456/78901234")
@example("3161234567")
@example("316612345678")
@example("61234567.0")
@example("0612345678\n")
@example("0661234567")
@example("15123456789")
@example("tel:+31-6-12345678")
@example("06\u201312345678")
def test_fast_path_agrees_with_phonenumbers(value):
    assert normalise_number(value, "NL") == reference(value)


@st.composite
def hard_numbers(draw: st.DrawFn) -> str:
    """The independent check's list: "06" and 8 random digits, written four ways.

    About 30% are 060..., 067..., 069...: plausible, but no Dutch mobile numbers.
    """
    eight = draw(st.text("0123456789", min_size=8, max_size=8))
    form = draw(st.sampled_from(["06{}", "+316{}", "06-{}", "0031 6 {}"]))
    return form.format(eight)


@settings(max_examples=300, deadline=None)
@given(hard_numbers())
@example("0601234567")
@example("+31671234567")
@example("06-91234567")
@example("0031 6 01234567")
@example("0661234567")
def test_fast_path_decides_plausible_numbers_that_are_not_mobiles_as_phonenumbers_does(value):
    # Decided by the metadata's own patterns: nothing in this list reaches phonenumbers.parse.
    assert _fast_path("NL")(value) == reference(value)


@pytest.mark.parametrize(("region", "cc"), [("NL", "31"), ("BE", "32"), ("DE", "49")])
@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        written_numbers()
        | hard_numbers()
        | st.text("0123456789 +-./()\u00a0\u202f\t", max_size=18)
        | st.integers(min_value=0, max_value=10**12),
        min_size=1,
        max_size=30,
    )
)
@example(["+31 (0) 6 12", "+31(0)10 1234567", "0612", "+31 0 6 1234567", "0661234567", "06-1"])
def test_a_column_is_decided_as_each_of_its_numbers_alone(region, cc, values):
    # A column is decided all at once (pandas string operations); a number alone by the
    # per-text fast path or phonenumbers. Both must give every row the same answer.
    values = [v.replace("31", cc) if isinstance(v, str) else v for v in values]
    digits, reasons = normalise_numbers(pd.Series(values, dtype=object), region)
    for value, got in zip(values, zip(digits, reasons, strict=True), strict=True):
        written, reason = cell_text(value)
        expected = ("", reason) if reason else _parse(written, region)
        assert got == normalise_number(value, region) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("0601234567", "not a valid number in NL (+31); " + "write foreign"),
        ("+31 6 71234567", "not a valid number in NL (+31)"),
        ("0031 6 91234567", "not a valid number in NL (+31)"),
        ("0661234567", "pager number"),
        ("+31 6 12", "too few digits for a number in NL (+31)"),
        ("06 1234 5678 9012", "too many digits for a number in NL (+31); " + "write foreign"),
        ("020-1234567", "landline number"),
    ],
    ids=["trunk-060", "plus-067", "00-069", "pager", "short", "long", "landline"],
)
def test_fast_path_gives_the_reasons_of_the_slow_path(value, reason):
    answer = _fast_path("NL")(value)
    assert answer == reference(value)
    assert answer is not None and answer[1].startswith(reason)


@pytest.mark.parametrize(
    "value",
    ["0612", "06", "+31 (0) 6 12", "+31 0 6 1234567", "(06) 01234567"],
    ids=["trunk-kept-short", "one-digit", "paren-trunk-short", "second-0", "parenthesised"],
)
def test_fast_path_leaves_the_readings_it_cannot_be_sure_of_to_phonenumbers(value):
    # A trunk 0 that phonenumbers would keep, or shapes outside the fast path's regex.
    assert _fast_path("NL")(value) is None
    assert normalise_number(value, "NL") == reference(value)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=10_000_000, max_value=99_999_999))
def test_numeric_cells_match_their_text(number):
    as_int = normalise_number(600_000_000 + number % 100_000_000, "NL")
    assert as_int == normalise_number(float(600_000_000 + number % 100_000_000), "NL")
    assert as_int == normalise_number("0" + str(600_000_000 + number % 100_000_000), "NL")


@pytest.mark.parametrize("region", ["NL", "BE", "DE", "FR", "US", "GB"])
def test_fast_path_is_only_built_for_simple_numbering_plans(region):
    fast = _fast_path(region)
    if region in {"US", "GB"}:  # shared country codes
        assert fast is None
    elif fast is not None:
        mobile = {"NL": "0612345678", "BE": "0470123456", "DE": "015112345678"}.get(region)
        if mobile:
            assert fast(mobile) == _parse(mobile, region)


FOREIGN_HINT = "write foreign numbers with + and the country code"


@pytest.mark.parametrize(
    ("region", "value"),
    [
        ("NL", "15123456789"),  # German 0151... without its 0: not +1 512...
        ("NL", 15123456789.0),
        ("NL", "4915123456789"),  # German mobile that lost its +
        ("NL", 447911123456.0),
        ("NL", 12125551234),
        ("BE", "31612345678"),
        ("DE", "12125551234"),
    ],
    ids=[
        "nl-de-lost-0",
        "nl-de-lost-0-float",
        "nl-de-lost-plus",
        "nl-gb-float",
        "nl-us-int",
        "be-nl-lost-plus",
        "de-us-lost-plus",
    ],
)
def test_digits_without_plus_are_only_read_in_the_campaign_region(region, value):
    digits, reason = normalise_number(value, region)
    assert digits == ""
    assert reason.endswith(FOREIGN_HINT)


@pytest.mark.parametrize(
    ("region", "value", "digits"),
    [
        ("NL", "31612345678", "31612345678"),
        ("NL", "31612345678.0", "31612345678"),
        ("NL", 612345678.0, "31612345678"),
        ("DE", "15123456789", "4915123456789"),
        ("BE", 470123456, "32470123456"),
        ("NL", "+4915123456789", "4915123456789"),
        ("NL", "004915123456789", "4915123456789"),
    ],
    ids=[
        "nl-cc",
        "nl-cc-float",
        "nl-lost-0",
        "de-lost-0",
        "be-lost-0",
        "nl-plus-de",
        "nl-00-de",
    ],
)
def test_region_readings_and_international_prefixes(region, value, digits):
    assert normalise_number(value, region)[0] == digits


def test_numbers_with_a_trunk_0_that_are_not_valid_also_say_how_to_write_foreign_ones():
    assert normalise_number("015123456789", "NL")[1].endswith(FOREIGN_HINT)
    assert not normalise_number("+49 151 234", "NL")[1].endswith(FOREIGN_HINT)
    assert normalise_number("010-1234567", "NL")[1] == "landline number, cannot receive SMS"


@pytest.mark.parametrize(("region", "cc"), [("BE", "32"), ("DE", "49")])
@settings(max_examples=100, deadline=None)
@given(
    prefix=st.sampled_from(["", "0", "00", "+", "+{cc}", "00{cc}", "{cc}", "+{cc}(0)"]),
    digits=st.text("0123456789", min_size=4, max_size=12),
    separator=st.sampled_from(["", " ", "-"]),
)
def test_fast_path_agrees_in_other_simple_regions(region, cc, prefix, digits, separator):
    text = prefix.format(cc=cc) + separator.join([digits[:3], digits[3:]])
    written, reason = cell_text(text)
    expected = ("", reason) if reason else _parse(written, region)
    assert normalise_number(text, region) == expected


def test_short_digits_are_never_read_as_international():
    # +672 14 0000 would be Norfolk Island; nine digits in a Dutch list lost their 0.
    assert normalise_number(672140000, "NL") == (
        "",
        f"not a valid number in NL (+31); {FOREIGN_HINT}",
    )


# --- every row from its own value, whatever the order --------------------------------------


@pytest.mark.parametrize("order", [1, -1], ids=["int-first", "decimal-first"])
def test_equal_values_of_another_type_are_each_checked_on_their_own(order):
    values = [31612345678, Decimal("31612345678")][::order]
    digits, reasons = normalise_numbers(pd.Series(values, dtype=object))
    by_type = dict(zip(map(type, values), zip(digits, reasons, strict=True), strict=True))
    assert by_type[int] == ("31612345678", "")
    assert by_type[Decimal] == ("", "not a phone number")


@pytest.mark.parametrize("cell", [["0612345678"], {"nr": 1}, Decimal("sNaN")],
                         ids=["list", "dict", "signalling-nan"])
def test_a_cell_that_is_not_a_single_value_is_not_a_phone_number(cell):
    digits, reasons = normalise_numbers(pd.Series(["0612345678", cell], dtype=object))
    assert digits.tolist() == ["31612345678", ""]
    assert reasons.tolist() == ["", "not a phone number"]


CELLS = st.one_of(
    st.sampled_from(["0612345678", "+31 6 12345678", "020 123 4567", "", "tel:0612345678"]),
    st.sampled_from([31612345678, 612345678, 31612345678.0, -0.0, 0.0, True, 1]),
    st.just(Decimal("31612345678")),
    st.just(np.float64(612345678.0)),
    st.none(),
    st.text(alphabet="0123456789 +-", max_size=14),
)


@settings(max_examples=200, deadline=None)
@given(values=st.lists(CELLS, min_size=1, max_size=10), data=st.data())
def test_each_rows_result_is_independent_of_row_order(values, data):
    order = data.draw(st.permutations(range(len(values))))
    digits, reasons = normalise_numbers(pd.Series(values, dtype=object))
    shuffled = normalise_numbers(pd.Series([values[i] for i in order], dtype=object))
    for position, original in enumerate(order):
        assert (shuffled[0][position], shuffled[1][position]) == (
            digits[original], reasons[original]
        )
    for value, got in zip(values, zip(digits, reasons, strict=True), strict=True):
        assert got == normalise_number(value)  # and each row is its own value, alone


@pytest.mark.parametrize(
    ("cell", "numbers"),
    [
        ("+31 6 1234 5678 ::: +31 6 8765 4321", "+31 6 1234 5678 and +31 6 8765 4321"),
        ("0612345678 / 0687654321", "0612345678 and 0687654321"),
        ("0612345678/0687654321", "0612345678 and 0687654321"),
        (
            "06-12345678; 06-87654321, +49 151 23456789",
            "06-12345678, 06-87654321 and +49 151 23456789",
        ),
        ("0612345678\n0687654321", "0612345678 and 0687654321"),
        ("\u00a00612345678 | 0687654321 ", "0612345678 and 0687654321"),
    ],
    ids=["google", "slash", "slash-tight", "three", "line-break", "bar"],
)
def test_a_cell_with_several_numbers_says_so_and_lists_them(cell, numbers):
    count = numbers.count(",") + 2
    reason = f"holds {count} phone numbers ({numbers}); keep one number per cell"
    assert normalise_number(cell, "NL") == ("", reason)
    digits, reasons = normalise_numbers(pd.Series([cell, "0612345678"]), "NL")
    assert list(digits) == ["", "31612345678"] and reasons[0] == reason


@pytest.mark.parametrize(
    "cell",
    ["020/1234567", "06/12345678", "+31 (0)6/12345678"],
    ids=["area-code", "mobile-prefix", "international"],
)
def test_a_slash_inside_one_number_is_still_one_number(cell):
    assert not normalise_number(cell, "NL")[1].startswith("holds")
