"""Encoding and segment counting: what a carrier bills, pinned by hand and by properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smsbatch.preparation.encoding import (
    GSM_BASIC,
    GSM_EXTENSION,
    _leftovers,
    analyse,
    encoding_of,
    non_gsm_characters,
    segment_count,
    split_segments,
    transliterate,
)

EURO = "€"
EMOJI = "😀"  # outside the BMP: two UTF-16 code units
ZHE = "ж"  # in the BMP but not GSM: one unit, forces UCS-2


def septets(text: str) -> int:
    return sum(2 if ch in GSM_EXTENSION else 1 for ch in text)


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def size(text: str) -> int:
    return septets(text) if encoding_of(text) == "GSM-7" else units(text)


# --- the tables ---------------------------------------------------------------------------------


def test_basic_table_has_the_128_characters_of_gsm_03_38_minus_escape():
    assert len(GSM_BASIC) == 127
    for ch in "@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà\n\r !\"#%&'()*+,-./:;<=>?":
        assert ch in GSM_BASIC, ch
    assert set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") <= GSM_BASIC


def test_extension_table_is_exactly_the_ten_escaped_characters():
    assert set("^{}\\[~]|€\f") == GSM_EXTENSION
    assert not GSM_BASIC & GSM_EXTENSION


@pytest.mark.parametrize(
    "ch",
    ["`", "ç", "á", "ê", "ë", "ï", "õ", "ú", "œ", "δ", "\t", "\u00a0", "’", "•", EMOJI],
    ids=repr,
)
def test_characters_that_look_ordinary_but_are_not_gsm(ch):
    assert encoding_of(f"Hallo {ch}") == "UCS-2"
    assert non_gsm_characters(f"Hallo {ch}") == [ch]


def test_non_gsm_characters_are_unique_in_first_seen_order():
    assert non_gsm_characters("“Hoi” 😀 ж “Hoi” ж") == ["“", "”", EMOJI, ZHE]
    assert non_gsm_characters("Beste Jan, €5 {ok}") == []


# --- pinned segment counts ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("", 0, id="empty-has-no-segments"),
        pytest.param("a", 1, id="one-char"),
        pytest.param("a" * 160, 1, id="gsm-160"),
        pytest.param("a" * 161, 2, id="gsm-161"),
        pytest.param("a" * 306, 2, id="gsm-306"),
        pytest.param("a" * 307, 3, id="gsm-307"),
        pytest.param(EURO * 80, 1, id="euro-costs-two-80-fits"),
        pytest.param(EURO * 81, 2, id="euro-costs-two-81-overflows"),
        pytest.param("a" * 159 + EURO, 2, id="euro-at-the-end-overflows"),
        pytest.param("a" * 152 + EURO + "a" * 152, 3, id="escape-pair-not-split-at-153"),
        pytest.param("a" * 151 + EURO + "a" * 153, 2, id="escape-pair-fits-exactly"),
        pytest.param(ZHE * 70, 1, id="ucs2-70"),
        pytest.param(ZHE * 71, 2, id="ucs2-71"),
        pytest.param(ZHE * 134, 2, id="ucs2-134"),
        pytest.param(ZHE * 135, 3, id="ucs2-135"),
        pytest.param(EMOJI * 35, 1, id="emoji-costs-two-35-fits"),
        pytest.param(EMOJI * 35 + "a", 2, id="emoji-costs-two-71-units"),
        pytest.param(ZHE * 66 + EMOJI + ZHE * 66, 3, id="surrogate-pair-not-split-at-67"),
        pytest.param(EURO + ZHE * 69, 1, id="euro-costs-one-in-ucs2"),
    ],
)
def test_segment_count(text, expected):
    assert segment_count(text) == expected
    assert len(split_segments(text)) == expected
    assert analyse(pd.Series([text]))["segments"].tolist() == [expected]


def test_split_keeps_the_pair_whole_and_moves_it_to_the_next_part():
    parts = split_segments("a" * 152 + EURO + "b" * 152)
    assert parts == ["a" * 152, EURO + "b" * 151, "b"]
    parts = split_segments(ZHE * 66 + EMOJI + ZHE * 3)
    assert parts == [ZHE * 66, EMOJI + ZHE * 3]


# --- properties ---------------------------------------------------------------------------------

ALPHABETS = {
    "gsm": "abc ",
    "gsm+extension": "ab" + EURO + "{",
    "extension-dense": EURO + "a",
    "ucs2": "a" + ZHE,
    "ucs2+astral": "a" + ZHE + EMOJI + EURO,
    "astral-dense": EMOJI + ZHE,
}
# Character positions where a part boundary falls when there are no pairs, and one either side.
NEAR_BOUNDARIES = sorted(
    {k * part + d for part in (67, 153) for k in (1, 2, 3) for d in (-2, -1, 0, 1)}
    | {k * part // 2 + d for part in (67, 153) for k in (1, 2, 3) for d in (-1, 0)}
)


@st.composite
def boundary_texts(draw: st.DrawFn) -> str:
    """Texts whose size sits at a limit, with pairs placed right on a part boundary."""
    alphabet = ALPHABETS[draw(st.sampled_from(sorted(ALPHABETS)))]
    filler = alphabet[0]
    limit = draw(st.sampled_from([35, 67, 70, 80, 134, 153, 160, 201, 306, 459]))
    length = limit + draw(st.integers(-2, 2))
    chars = [filler] * length
    positions = st.sampled_from(NEAR_BOUNDARIES) | st.integers(0, length)
    for position in draw(st.lists(positions, max_size=6)):
        if position < length:
            chars[position] = draw(st.sampled_from(alphabet))
    return "".join(chars)


any_text = st.text(max_size=400) | boundary_texts()


def assert_well_split(text: str) -> None:
    parts = split_segments(text)
    assert "".join(parts) == text
    assert segment_count(text) == len(parts)
    encoding = encoding_of(text)
    single, part = (160, 153) if encoding == "GSM-7" else (70, 67)
    if len(parts) == 1:
        assert size(text) <= single
    for index, piece in enumerate(parts):
        assert piece, "no empty parts"
        cost = septets(piece) if encoding == "GSM-7" else units(piece)
        if len(parts) > 1:
            assert cost <= part
        if index < len(parts) - 1:
            # Greedy: a part ends early only because the next character did not fit.
            nxt = parts[index + 1][0]
            next_cost = septets(nxt) if encoding == "GSM-7" else units(nxt)
            assert cost + next_cost > part


@settings(max_examples=200, deadline=None)
@given(any_text)
def test_split_rejoins_and_respects_limits(text):
    assert_well_split(text)


@settings(max_examples=200, deadline=None)
@given(boundary_texts())
def test_count_is_bounded_by_the_arithmetic(text):
    total = size(text)
    single, part = (160, 153) if encoding_of(text) == "GSM-7" else (70, 67)
    count = segment_count(text)
    if total <= single:
        assert count == (1 if text else 0)
    else:
        # Each part loses at most one unit to a pair that did not fit.
        assert -(-total // part) <= count <= -(-total // (part - 1))
        if total == len(text):  # no pairs at all: pure arithmetic
            assert count == -(-total // part)


@settings(max_examples=100, deadline=None)
@given(st.lists(any_text | st.none(), max_size=30))
def test_analyse_agrees_with_the_per_text_functions(values):
    series = pd.Series(values, index=[f"r{i}" for i in range(len(values))], dtype=object)
    for texts in (series, series.astype("str")):
        result = analyse(texts)
        assert list(result.index) == list(series.index)
        expected = [
            (encoding_of(v or ""), segment_count(v or ""), "".join(non_gsm_characters(v or "")))
            for v in values
        ]
        assert list(result.itertuples(index=False, name=None)) == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(any_text, max_size=30), st.integers(0, 30))
def test_every_way_of_finding_leftovers_agrees_with_the_definition(values, cut):
    # Text in pyarrow is read as UTF-8 bytes (all of it when most texts are non-basic, else
    # the texts a search finds); other text by a regular expression. A frame built from two
    # pieces holds two pyarrow chunks.
    expected = ["".join(ch for ch in v if ch not in GSM_BASIC) for v in values]
    arrow = pd.Series(values, dtype="str")
    chunked = pd.concat([arrow.iloc[:cut], arrow.iloc[cut:]], ignore_index=True)
    python = pd.Series(values, dtype=pd.StringDtype("python"))
    for texts in (arrow, chunked, python):
        codes, leftovers = _leftovers(texts)
        assert [leftovers[code] for code in codes] == expected


def test_the_basic_table_outside_ascii_takes_two_utf8_bytes():
    # The byte reader decodes only two-byte characters to find basic-table ones.
    assert all(len(ch.encode()) == 2 for ch in GSM_BASIC if not ch.isascii())


def test_analyse_columns_and_dtypes():
    result = analyse(pd.Series(["Hoi", "Hoi 😀", None, np.nan], index=[10, 20, 30, 40]))
    assert list(result.columns) == ["encoding", "segments", "non_gsm"]
    assert result["encoding"].dtype == "str"
    assert result["non_gsm"].dtype == "str"
    assert result["segments"].dtype == np.int64
    assert result.to_dict("list") == {
        "encoding": ["GSM-7", "UCS-2", "GSM-7", "GSM-7"],
        "segments": [1, 1, 0, 0],
        "non_gsm": ["", EMOJI, "", ""],
    }
    assert list(result.index) == [10, 20, 30, 40]


@pytest.mark.parametrize("dtype", ["str", "string", object], ids=["str", "string-NA", "object"])
def test_analyse_accepts_every_text_dtype_with_missing_values(dtype):
    texts = pd.Series(["a" * 161, None, EURO * 81, "ж"], dtype=dtype)
    assert analyse(texts).to_dict("list") == {
        "encoding": ["GSM-7", "GSM-7", "GSM-7", "UCS-2"],
        "segments": [2, 0, 2, 1],
        "non_gsm": ["", "", "", "ж"],
    }


def test_analyse_does_not_touch_its_input():
    texts = pd.Series(["a" * 200, None], dtype=object)
    before = texts.copy()
    analyse(texts)
    pd.testing.assert_series_equal(texts, before)


# --- transliteration ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("‘quote’ ‚low‛", "'quote' 'low'", id="single-quotes"),
        pytest.param("“quote” „laag‟", '"quote" "laag"', id="double-quotes"),
        pytest.param("a–b—c−d‐e‑f‒g―h", "a-b-c-d-e-f-g-h", id="dashes-and-minus"),
        pytest.param("wacht…", "wacht...", id="ellipsis"),
        pytest.param("10\u00a0km\u202fnu\u2009ja\u3000", "10 km nu ja ", id="unicode-spaces"),
        pytest.param(
            "zero\u200bwidth\ufeff\u2060soft\u00adhyphen", "zerowidthsofthyphen", id="invisible"
        ),
        pytest.param("café é è à ü ñ Ç", "café é è à ü ñ Ç", id="gsm-accents-untouched"),
        pytest.param("ça • 😀 ê", "ça • 😀 ê", id="other-non-gsm-untouched"),
        pytest.param("👨\u200d👩\u200d👧", "👨\u200d👩\u200d👧", id="emoji-sequence-kept-whole"),
    ],
)
def test_transliterate(text, expected):
    assert transliterate(text) == expected


def test_transliterated_culprits_make_a_text_gsm_again():
    text = "“Beste Anna” – tot morgen…\u00a0’s ochtends"
    assert encoding_of(text) == "UCS-2"
    assert encoding_of(transliterate(text)) == "GSM-7"


def test_what_stays_non_gsm_is_still_reported():
    assert non_gsm_characters(transliterate("“Hoi” 😀")) == [EMOJI]
