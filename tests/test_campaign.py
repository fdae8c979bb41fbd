"""The preview shows exactly what will be sent, to whom, and why a row will not be."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import smsbatch
from smsbatch.exceptions import (
    InvalidSenderError,
    MessageSpecError,
    PreparationError,
    RecipientsFileError,
    TemplateError,
)
from smsbatch.preparation.campaign import OUTPUT_COLUMNS, Message, prepare, preview
from smsbatch.preparation.trial import trial_campaign


@pytest.fixture
def people() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "phone": ["06-1234 5678", "+31 (0)6 87654321", "020 123 4567", "0611111111"],
            "voornaam": ["Anna", "Bert", "Carla", None],
        },
        index=[10, 20, 30, 40],
    )


def test_output_is_input_plus_sms_columns_same_index_and_order(people):
    before = people.copy(deep=True)
    frame = preview(people, text="Beste {voornaam}")
    assert list(frame.columns) == [*people.columns, *OUTPUT_COLUMNS]
    assert frame.index.tolist() == [10, 20, 30, 40]
    pd.testing.assert_frame_equal(frame[people.columns], before)
    pd.testing.assert_frame_equal(people, before)


def test_each_row_gets_number_text_encoding_segments_status_and_reason(people):
    frame = preview(people, text="Beste {voornaam}")
    assert frame["sms_to"].tolist() == ["31612345678", "31687654321", "", "31611111111"]
    assert frame["sms_text"].tolist() == ["Beste Anna", "Beste Bert", "Beste Carla", ""]
    assert frame["sms_encoding"].tolist() == ["GSM-7", "GSM-7", "GSM-7", ""]
    assert frame["sms_segments"].tolist() == [1, 1, 1, 0]
    assert frame["sms_status"].tolist() == ["ready", "ready", "invalid", "invalid"]
    assert frame["sms_error"].tolist() == [
        "",
        "",
        "phone: landline number, cannot receive SMS",
        "column 'voornaam' is empty",
    ]


def test_messages_are_the_ready_rows_by_position(people):
    prepared = prepare(people, text="Beste {voornaam}", sender="Tandarts")
    assert prepared.sender == "Tandarts"
    assert list(prepared.messages()) == [
        (0, Message("31612345678", "text", "Beste Anna")),
        (1, Message("31687654321", "text", "Beste Bert")),
    ]


def test_editing_the_preview_frame_does_not_change_what_is_sent(people):
    prepared = prepare(people, text="Beste {voornaam}")
    prepared.frame.loc[10, "sms_text"] = "iets anders"
    assert next(prepared.messages())[1].text == "Beste Anna"


def test_message_key_is_stable_and_covers_what_is_sent():
    message = Message("31612345678", "text", "Hoi")
    assert message.key == Message("31612345678", "text", "Hoi", segments=3).key
    assert len(message.key) == 32
    # Pinned: journals written by earlier versions (format 2) must keep matching.
    assert message.key == "c64c361a8d2193678bcdd13cb37ea551"
    others = [
        Message("31612345679", "text", "Hoi"),
        Message("31612345678", "text", "Hoi!"),
        Message("31612345678", "vcard", "Hoi"),
        Message("31612345678", "text", "Hoi", (("name", "x"),)),
        # The encoding is injective: no text or field can imitate a boundary.
        Message("31612345678", "text", "Hoi\x00name\x001\x00x"),
        Message("31612345678", "vcard", "Hoi", (("name", "x\x00phone\x001\x00y"),)),
        Message("31612345678", "vcard", "Hoi", (("name", "x"), ("phone", "y"))),
    ]
    assert len({message.key, *(m.key for m in others)}) == len(others) + 1


def test_the_digests_of_a_campaign_are_its_message_keys(people):
    vcards = prepare(people, vcard={"name": "Hoi {voornaam}", "phone": "0151234567"})
    for prepared in (prepare(people, text="Hoi {voornaam}"), vcards):
        keys = [message.key for _, message in prepared.messages()]
        assert [row.tobytes().hex() for row in prepared.digests()] == keys


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.text(min_size=1, max_size=40), st.booleans()), min_size=1, max_size=8))
def test_the_digests_of_any_texts_are_their_message_keys(rows):
    """The digests' encoding is made by Arrow for speed; Python's own, one message at a time,
    is the reference: NULs, emoji, combining marks and all, between rows that are not sent."""
    numbers = [f"0612345{n:03d}" if valid else "12" for n, (_, valid) in enumerate(rows)]
    frame = pd.DataFrame({"phone": numbers, "t": [text for text, _ in rows]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prepared = prepare(frame, text="{t}", sender="Clinic")
    keys = [message.key for _, message in prepared.messages()]
    assert [row.tobytes().hex() for row in prepared.digests()] == keys
    if not keys:
        return
    trial = trial_campaign(prepared, ["0687654321"], "NL")
    assert [row.tobytes().hex() for row in trial.digests()] == [
        message.key for _, message in trial.messages()
    ]


def test_exclude_matches_whatever_the_format(people, tmp_path):
    expected = ["excluded", "excluded", "invalid", "ready"]
    as_list = ["0031612345678", 31687654321]
    assert preview(people, text="Hoi", exclude=as_list)["sms_status"].tolist() == expected
    as_series = pd.Series(["+31 6 1234 5678", "06-87654321"])
    assert preview(people, text="Hoi", exclude=as_series)["sms_status"].tolist() == expected
    with_header = tmp_path / "optout.csv"
    with_header.write_text("naam;telefoonnummer\nA;06 12345678\nB;+31687654321\n")
    assert preview(people, text="Hoi", exclude=with_header)["sms_status"].tolist() == expected
    assert preview(people, text="Hoi", exclude=str(with_header))["sms_status"].tolist() == expected


def test_unreadable_exclude_entries_are_reported(people):
    with pytest.warns(UserWarning, match="1 exclude-list entry is not a valid mobile number"):
        preview(people, text="Hoi", exclude=["06-1234567"])


def test_missing_exclude_file_is_an_error(people, tmp_path):
    with pytest.raises(RecipientsFileError):
        preview(people, text="Hoi", exclude=tmp_path / "nope.csv")


def test_invalid_wins_over_excluded_which_wins_over_duplicate():
    df = pd.DataFrame(
        {
            "phone": ["0612345678", "0612345678", "0687654321", "0687654321"],
            "naam": ["A", "A", "B", None],
        }
    )
    frame = preview(df, text="{naam}", exclude=["0612345678"])
    assert frame["sms_status"].tolist() == ["excluded", "excluded", "ready", "invalid"]


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [({"mobile": "{phone}"}, "needs a 'name'"), ({"name": "x", "adres": "y"}, "unknown field")],
    ids=["no-name", "unknown-key"],
)
def test_vcard_description_errors(spec, fragment):
    with pytest.raises(MessageSpecError, match=fragment):
        prepare(pd.DataFrame({"phone": ["0612345678"]}), vcard=spec)


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({}, MessageSpecError),
        ({"text": "Hoi", "vcard": {"name": "x"}}, MessageSpecError),
        ({"text": "Hoi {voornam}"}, TemplateError),
        ({"text": "Hoi", "to": "telefoon"}, PreparationError),
        ({"text": "Hoi", "region": "XX"}, PreparationError),
        ({"text": "Hoi", "max_segments": 0}, PreparationError),
        ({"text": "Hoi", "price_per_segment": -1}, PreparationError),
        ({"text": "Hoi", "sender": "Veel te lange naam"}, InvalidSenderError),
        ({"text": "Hoi {voornam}", "sender": "+"}, InvalidSenderError),
    ],
    ids=[
        "none",
        "two",
        "template",
        "to-column",
        "region",
        "max-segments",
        "price",
        "sender",
        "sender-first",
    ],
)
def test_campaign_errors_raise_before_any_row(people, options, error):
    with pytest.raises(error):
        prepare(people, **options)


def test_existing_sms_columns_are_replaced_when_previewing_again(people):
    once = preview(people, text="Hoi {voornaam}")
    twice = preview(once, text="Dag {voornaam}")
    assert list(twice.columns) == list(once.columns)
    assert twice["sms_text"].tolist()[0] == "Dag Anna"


def test_accessor_gives_the_same_frame_and_summary(people):
    frame = people.sms.preview(text="Hoi {voornaam}", price_per_segment=0.1)
    pd.testing.assert_frame_equal(frame, preview(people, text="Hoi {voornaam}"))
    assert frame.sms.summary().cost == pytest.approx(0.2)


def test_public_names():
    assert smsbatch.preview is preview
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert smsbatch.summarize(preview(pd.DataFrame({"phone": []}), text="x")).rows == 0


@pytest.mark.parametrize(
    "options",
    [{"text": ""}, {"text": "  "}, {"vcard": {"name": ""}}, {"binary": {"data": " "}}],
    ids=["text", "blank-text", "vcard-name", "binary-data"],
)
def test_a_template_that_is_empty_for_everyone_is_refused(options):
    with pytest.raises(MessageSpecError, match="template is empty"):
        prepare(pd.DataFrame({"phone": ["0612345678"]}), **options)


def test_prepared_shows_itself_in_a_terminal_and_a_notebook(people):
    prepared = prepare(people, text="Hoi {voornaam}", sender="Tandarts")
    assert repr(prepared) == (
        "<Prepared text campaign, sender='Tandarts': 2 ready, 2 invalid, 0 duplicate, 0 excluded>"
    )
    page = prepared._repr_html_()
    assert page.index("smsbatch-summary") < page.index("<table border")
    assert "landline number, cannot receive SMS" in page


def test_spreadsheet_number_column_with_gaps():
    df = pd.DataFrame({"Mobiel nummer": [612345678.0, float("nan"), 31687654321.0]})
    frame = preview(df, to="Mobiel nummer", text="Hoi")
    assert frame["sms_to"].tolist() == ["31612345678", "", "31687654321"]
    assert frame["sms_error"].tolist() == ["", "Mobiel nummer: no phone number", ""]


_FORMATS = [
    "0{n}",
    "0{a}-{b}",
    "+31{n}",
    "+31 (0){a} {b}",
    "0031{n}",
    "31{n}",
    "{n}",
    "06 {c}",
]


@settings(max_examples=30, deadline=None)
@given(
    block=st.sampled_from("123458"),  # 061-065 and 068: the mobile ranges
    subscriber=st.integers(min_value=0, max_value=9_999_999),
    written=st.lists(st.sampled_from(_FORMATS), min_size=2, max_size=5),
    opt_out=st.sampled_from(_FORMATS),
)
def test_any_written_form_dedupes_and_excludes_the_same_number(block, subscriber, written, opt_out):
    n = f"6{block}{subscriber:07d}"
    forms = [f.format(n=n, a=n[0], b=n[1:], c=n[1:]) for f in written]
    df = pd.DataFrame({"phone": forms})
    assert preview(df, text="Hoi")["sms_status"].tolist() == ["ready"] + ["duplicate"] * (
        len(forms) - 1
    )
    excluded = preview(df, text="Hoi", exclude=[opt_out.format(n=n, a=n[0], b=n[1:], c=n[1:])])
    assert excluded["sms_status"].eq("excluded").all()


def test_the_sample_list_shows_every_deliberate_problem():
    data = Path(__file__).resolve().parent.parent / "sample_data"
    df = smsbatch.read_recipients(data / "recipients.csv")
    prepared = prepare(
        df, to="telefoon", text="Beste {voornaam}", exclude=data / "optouts.csv", sender="Demo"
    )
    status = prepared.frame["sms_status"]
    assert status[[17, 18, 19, 20]].eq("invalid").all()
    assert prepared.frame["sms_error"][19] == "telefoon: landline number, cannot receive SMS"
    assert prepared.frame["sms_error"][20] == "telefoon: no phone number"
    assert status[21] == "duplicate"
    assert status[22] == "excluded"
    assert status.eq("ready").sum() == 19
    assert {m.to for _, m in prepared.messages()} >= {"32470123456", "4915123456789"}


def test_a_saved_send_result_cannot_be_sent_again_by_accident(tmp_path):

    df = pd.DataFrame({"phone": ["0612345678", "0612345679", "0612345670"], "naam": list("ABC")})
    with smsbatch.Simulator() as sim, smsbatch.Client(sim.login, sim.password, sim.url) as client:
        sim.fail_numbers({"31612345679"})
        result = smsbatch.send(df, client, text="Hoi {naam}", sender="Test", progress=False,
                               rate=None)
    smsbatch.write_results(result, tmp_path / "results.xlsx")
    reread = smsbatch.read_recipients(tmp_path / "results.xlsx")
    with pytest.raises(PreparationError, match="2 rows are 'sent'") as info:
        preview(reread, text="Hoi {naam}")
    assert info.value.column == "sms_status"
    retry = preview(reread[reread["sms_status"] == "failed"], text="Hoi {naam}")
    assert retry["sms_status"].tolist() == ["ready"]


@pytest.mark.parametrize("column", ["sms_status", "sms_text"])
def test_a_users_own_column_named_like_an_output_column_is_never_overwritten(column):
    df = pd.DataFrame({"phone": ["0612345678"], "naam": ["Jan"], column: ["VIP"]})
    with pytest.raises(PreparationError, match=f"'{column}' is where smsbatch writes") as info:
        preview(df, text="Hoi {naam}")
    assert info.value.column == column


def test_an_earlier_preview_can_be_previewed_again():
    df = pd.DataFrame({"phone": ["0612345678"], "naam": ["Jan"]})
    again = preview(preview(df, text="Hoi {naam}"), text="Dag {naam}")
    assert again["sms_text"].tolist() == ["Dag Jan"]
    assert list(again.columns) == ["phone", "naam", *OUTPUT_COLUMNS]


def test_cells_that_cannot_be_sent_make_their_row_invalid_and_the_rest_is_sent():
    frame = pd.DataFrame({
        "phone": pd.Series(["0612345678", "0612345679", "0612345670", ["0612345671"]],
                           dtype=object),
        "name": pd.Series(["Jos\udce9", ["a", "b"], "Ann", "Bo"], dtype=object),
    })
    shown = preview(frame, to="phone", text="Hoi {name}", sender="Kliniek")
    assert shown["sms_status"].tolist() == ["invalid", "invalid", "ready", "invalid"]
    errors = shown["sms_error"].tolist()
    assert "lone surrogate" in errors[0] and "not a single value" in errors[1]
    assert errors[3].startswith("phone: not a phone number")
    with smsbatch.Simulator() as sim, smsbatch.Client(sim.login, sim.password, sim.url) as client:
        result = smsbatch.send(frame, client, to="phone", text="Hoi {name}", sender="Kliniek",
                               rate=None, progress=False)
    assert result["sms_status"].tolist() == ["invalid", "invalid", "sent", "invalid"]
    assert [m.text for m in sim.messages] == ["Hoi Ann"]
