"""The opt-out line: appended to every text, counted, and required for a commercial campaign."""

from __future__ import annotations

import pandas as pd
import pytest

from smsbatch import PreparationError, prepare, summarize
from smsbatch.exceptions import MessageSpecError

FOOTER = " Afmelden? Sms STOP naar 3010"


def people(text_length: int) -> pd.DataFrame:
    return pd.DataFrame({"phone": ["0612345678", "0687654321"], "body": ["x" * text_length, "y"]})


def test_the_footer_ends_every_text_and_is_counted_in_segments():
    prepared = prepare(people(140), text="{body}", footer=FOOTER)
    texts = [m.text for _, m in prepared.messages()]
    assert texts == ["x" * 140 + FOOTER, "y" + FOOTER]
    assert prepared.frame["sms_segments"].tolist() == [2, 1]  # 169 characters: two parts
    advice = summarize(prepared.frame).advice
    assert any("footer makes 1 message one SMS part longer" in line for line in advice)


def test_a_footer_that_fits_says_nothing_about_extra_parts():
    prepared = prepare(people(10), text="{body}", footer=FOOTER)
    assert not any("footer" in line for line in summarize(prepared.frame).advice)


def test_a_row_that_cannot_be_rendered_gets_no_footer_and_stays_invalid():
    df = pd.DataFrame({"phone": ["0612345678"], "body": [None]})
    frame = prepare(df, text="{body}", footer=FOOTER).frame
    assert frame["sms_status"].tolist() == ["invalid"] and frame["sms_text"].tolist() == [""]


def test_a_commercial_campaign_needs_an_opt_out_line_and_a_named_sender():
    with pytest.raises(PreparationError, match="needs an opt-out line") as missing:
        prepare(people(10), text="{body}", sender="Bakkerij", commercial=True)
    assert missing.value.column == "footer"
    with pytest.raises(PreparationError, match="must name its sender") as numeric:
        prepare(people(10), text="{body}", sender="3010", commercial=True, footer=FOOTER)
    assert numeric.value.column == "sender"
    prepare(people(10), text="{body}", sender="Bakkerij", commercial=True, footer=FOOTER)


def test_a_footer_on_a_vcard_is_refused():
    with pytest.raises(MessageSpecError, match="footer= is for text messages"):
        prepare(people(1), vcard={"name": "Bakkerij"}, footer=FOOTER)


def test_the_command_line_takes_the_footer_and_the_commercial_check(tmp_path, capsys):
    from smsbatch.cli import main
    from smsbatch.samples import sample_path

    recipients = str(sample_path("recipients.csv"))
    args = ["preview", recipients, "--to", "telefoon", "--text", "Hoi {voornaam}"]
    assert main([*args, "--commercial", "--sender", "Bakkerij"]) == 2
    assert "needs an opt-out line: pass footer= (--footer)" in capsys.readouterr().err
    assert main([*args, "--footer", FOOTER, "--commercial", "--sender", "Bakkerij"]) == 0
    assert "Hoi Sanne" + FOOTER in capsys.readouterr().out
