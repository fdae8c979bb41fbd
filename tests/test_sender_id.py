"""The sender is checked once, before any row: a name of up to 11 characters or up to 16 digits."""

from __future__ import annotations

import pytest

from smsbatch.exceptions import InvalidSenderError
from smsbatch.preparation.sender_id import check_sender


@pytest.mark.parametrize(
    ("sender", "sent"),
    [
        ("Tandarts", "Tandarts"),
        ("Bakker-Jan", "Bakker-Jan"),
        ("De Vries BV", "De Vries BV"),
        ("St. Anna", "St. Anna"),
        ("Shop24", "Shop24"),
        ("31612345678", "31612345678"),
        ("+31612345678", "31612345678"),
        ("1" * 16, "1" * 16),
        ("1234", "1234"),
        (None, None),
    ],
    ids=[
        "name",
        "hyphen",
        "spaces",
        "dot",
        "letters-digits",
        "number",
        "plus-dropped",
        "16-digits",
        "short-code",
        "none",
    ],
)
def test_valid_senders(sender, sent):
    assert check_sender(sender) == sent


@pytest.mark.parametrize(
    ("sender", "reason"),
    [
        ("", "it is empty"),
        ("   ", "it is empty"),
        ("Tandartspraktijk", "at most 11 characters, this one has 16"),
        (" Tandarts", "starts or ends with a space"),
        ("Tandarts ", "starts or ends with a space"),
        ("Café", "not 'é'"),
        ("A&B", "not '&'"),
        ("+31 6 1234", r"not '\+'"),
        ("1" * 17, "at most 16 digits"),
        ("06-12345678", "needs at least one letter"),
        (31612345678, "must be text"),
    ],
    ids=[
        "empty",
        "blank",
        "too-long",
        "leading-space",
        "trailing-space",
        "accent",
        "ampersand",
        "spaced-number",
        "17-digits",
        "number-with-hyphen",
        "int",
    ],
)
def test_invalid_senders_say_which_rule_they_break(sender, reason):
    with pytest.raises(InvalidSenderError, match=reason) as caught:
        check_sender(sender)
    assert isinstance(caught.value, ValueError)
