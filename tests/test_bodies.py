"""Each kind of message per row: text counted in segments, vCards and binary shown and checked."""

from __future__ import annotations

import pandas as pd

from smsbatch.preparation.campaign import prepare, preview


def test_segments_encoding_and_max_segments():
    df = pd.DataFrame(
        {"phone": ["0612345678"] * 4, "t": ["a" * 160, "a" * 161, "é" * 10 + "😀", "“Hoi” – Anna…"]}
    )
    frame = preview(df, text="{t}", max_segments=1)
    assert frame["sms_encoding"].tolist() == ["GSM-7", "GSM-7", "UCS-2", "UCS-2"]
    assert frame["sms_segments"].tolist() == [1, 2, 1, 1]
    assert frame["sms_status"].tolist() == ["ready", "invalid", "ready", "ready"]
    assert frame["sms_error"][1] == "text needs 2 segments, more than max_segments=1"


def test_transliterate_replaces_typographic_characters_before_counting():
    df = pd.DataFrame({"phone": ["0612345678"], "t": ["“Hoi” – Anna…"]})
    frame = preview(df, text="{t}", transliterate=True)
    assert frame["sms_text"].tolist() == ['"Hoi" - Anna...']
    assert frame["sms_encoding"].tolist() == ["GSM-7"]


def test_a_text_that_transliterates_to_nothing_is_invalid():
    df = pd.DataFrame({"phone": ["0612345678"], "t": ["\u200b"]})
    frame = preview(df, text="{t}", transliterate=True)
    assert frame["sms_status"].tolist() == ["invalid"]
    assert frame["sms_error"].tolist() == ["the text is empty"]


def test_vcard_fields_are_rendered_and_validated():
    df = pd.DataFrame(
        {
            "phone": ["0612345678", "0687654321"],
            "naam": ["Jan", " "],
            "mob": ["+31612345678", "+31687654321"],
        }
    )
    prepared = prepare(df, vcard={"name": "{naam}", "mobile": "{mob}"})
    frame = prepared.frame
    assert frame["sms_text"].tolist() == ["vCard: name=Jan; mobile=+31612345678", ""]
    assert frame["sms_status"].tolist() == ["ready", "invalid"]
    assert frame["sms_error"][1] == "column 'naam' is empty"
    ((_, message),) = prepared.messages()
    assert message.kind == "vcard"
    assert message.fields == (("name", "Jan"), ("mobile", "+31612345678"))


def test_binary_hex_is_normalised_and_checked():
    df = pd.DataFrame({"phone": ["0612345678", "0687654321"], "data": ["02 4a 3a", "02G"]})
    prepared = prepare(df, binary={"udh": "06050415811581", "data": "{data}"})
    assert prepared.frame["sms_status"].tolist() == ["ready", "invalid"]
    assert "not a hexadecimal digit" in prepared.frame["sms_error"][1]
    ((_, message),) = prepared.messages()
    assert message.fields == (("data", "024A3A"), ("udh", "06050415811581"))
    assert message.kind == "binary"


def test_binary_value_missing_is_reported_once():
    df = pd.DataFrame({"phone": ["0612345678"], "data": [None]})
    frame = preview(df, binary={"data": "{data}"})
    assert frame["sms_error"].tolist() == ["column 'data' is empty"]
