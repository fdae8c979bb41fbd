"""The summary tells a person what will happen (or happened), in a terminal and a notebook."""

from __future__ import annotations

import pandas as pd
import pytest

from smsbatch.exceptions import PreparationError
from smsbatch.preparation.campaign import preview
from smsbatch.preparation.summary import summarize


@pytest.fixture
def frame() -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "phone": ["0612345678", "0612345678", "020 1234567", "0611111111", "0622222222"],
            "t": ["Hoi", "Hoi", "Hoi", "“Hoi” 😀", "a" * 200],
        }
    )
    return preview(df, text="{t}", exclude=["0622222222"], price_per_segment=0.07)


def test_counts_segments_and_cost(frame):
    summary = summarize(frame)
    assert summary.counts == {"ready": 2, "invalid": 1, "duplicate": 1, "excluded": 1}
    assert summary.rows == 5
    assert summary.segments == 2
    assert summary.cost == pytest.approx(0.14)
    assert summarize(frame, price_per_segment=0.1).cost == pytest.approx(0.2)


def test_unicode_messages_and_their_characters_are_listed(frame):
    summary = summarize(frame)
    assert summary.unicode_rows == 1
    assert summary.unicode_characters == "“”😀"


def test_terminal_text_has_counts_cost_and_advice(frame):
    lines = str(summarize(frame)).splitlines()
    assert lines[0] == "5 rows: 2 ready, 1 invalid, 1 duplicate, 1 excluded"
    assert lines[1] == "segments: 2; estimated cost 2 x 0.07 = 0.14"
    assert lines[2] == (
        "- 1 row is invalid, not sent; see sms_error: "
        "phone: landline number, cannot receive SMS (1x)"
    )
    assert "- 1 row repeats the number and message of an earlier row: skipped" in lines
    assert "- 1 row is on the exclude list: skipped" in lines
    assert any("Unicode (UCS-2) because of “ ” 😀" in line for line in lines)


def test_html_has_the_counts_and_makes_problems_stand_out(frame):
    page = summarize(frame)._repr_html_()
    assert "<strong>5 rows</strong>" in page
    assert '<td style="color:#cf222e;font-weight:bold">invalid</td>' in page
    assert '<td style="text-align:right;font-weight:bold">1</td>' in page
    assert '<td style="color:#1a7f37;font-weight:normal">ready</td>' in page
    assert 'estimated cost</td><td style="text-align:right">0.14' in page
    assert "<li>1 row is invalid" in page


def test_values_are_escaped_in_html():
    result = pd.DataFrame(
        {
            "sms_to": ["31612345678"],
            "sms_status": ["failed"],
            "sms_segments": [1],
            "sms_encoding": ["GSM-7"],
            "sms_text": ["x"],
            "sms_error": ["<script>alert(1)</script>"],
        }
    )
    page = summarize(result)._repr_html_()
    assert "<script>" not in page
    assert "&lt;script&gt;" in page


def test_send_results_are_summarised_too():
    result = pd.DataFrame(
        {
            "sms_to": ["31600000001", "31600000002", "31600000003", "31600000004", "", ""],
            "sms_status": ["sent", "sent", "failed", "unknown", "not_sent", "invalid"],
            "sms_segments": [1, 2, 1, 1, 1, 0],
            "sms_encoding": ["GSM-7"] * 5 + [""],
            "sms_text": ["a", "b", "c", "d", "e", ""],
            "sms_error": ["", "", "601: carrier", "timeout", "", "phone: too short"],
        }
    )
    summary = summarize(result)
    assert summary.counts == {"sent": 2, "invalid": 1, "failed": 1, "unknown": 1, "not_sent": 1}
    assert list(summary.counts) == ["sent", "invalid", "failed", "unknown", "not_sent"]
    assert summary.segments == 3
    lines = str(summary).splitlines()
    assert lines[0] == "6 rows: 2 sent, 1 invalid, 1 failed, 1 unknown, 1 not_sent"
    assert "- 1 row failed; see sms_error: 601: carrier (1x)" in lines
    assert (
        "- 1 row has an unknown outcome: the message may have been delivered; "
        "check with the provider before sending again"
    ) in lines
    assert (
        "- 1 row was not attempted: run the same send again (with the same journal, if you"
        " used one) to send them"
    ) in lines
    assert '<td style="color:#bc4c00;font-weight:bold">unknown</td>' in summary._repr_html_()


def test_all_ready_says_so():
    frame = preview(pd.DataFrame({"phone": ["0612345678"]}), text="Hoi")
    assert str(summarize(frame)).splitlines()[-1] == "- the row is ready"
    twice = preview(pd.DataFrame({"phone": ["0612345678", "0687654321"]}), text="Hoi")
    assert str(summarize(twice)).splitlines()[-1] == "- all 2 rows are ready"


def test_a_frame_that_is_no_preview_is_refused_with_what_to_do():
    with pytest.raises(PreparationError, match=r"missing sms_to, sms_status.*smsbatch.preview"):
        summarize(pd.DataFrame({"phone": ["0612345678"]}))


def test_a_number_that_gets_several_different_messages_is_pointed_out():
    df = pd.DataFrame({"phone": ["0612345678", "+31612345678", "0687654321"], "t": ["a", "b", "c"]})
    lines = str(summarize(preview(df, text="{t}"))).splitlines()
    assert (
        "- 1 number gets more than one message (different texts); check that this is intended"
        in lines
    )


def test_invisible_characters_that_force_unicode_are_named_by_code_point():
    frame = preview(pd.DataFrame({"phone": ["0612345678"]}), text="Hoi\u00a0daar")
    text = str(summarize(frame))
    assert text.startswith("1 row: 1 ready")
    assert "because of U+00A0" in text
