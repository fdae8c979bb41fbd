"""A test send ("trial"): the campaign's first message, exactly as rendered for its row, to the
sender's own numbers, so a person sees it on a real phone before anybody else does."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pandas as pd

from smsbatch.exceptions import PreparationError
from smsbatch.preparation.campaign import Prepared
from smsbatch.preparation.phones import normalise_numbers
from smsbatch.preparation.summary import TEST_MESSAGE

__all__ = ["TRIAL_NOTE", "trial_campaign"]

TRIAL_NOTE = TEST_MESSAGE + "{row}); not sent to the recipients"


def trial_campaign(prepared: Prepared, numbers: Sequence[str], region: str = "NL") -> Prepared:
    """Return a campaign of one message per number in ``numbers``: the first ready message.

    Raises
    ------
    PreparationError
        No row is ready, or a test number is not a mobile number.
    """
    if isinstance(numbers, str):
        numbers = [numbers]
    ready = np.flatnonzero(prepared._ready)
    if not len(ready):
        raise PreparationError("no row is ready: there is no message to test")
    if not numbers:
        raise PreparationError("test_to= needs at least one number", column="test_to")
    digits, reasons = normalise_numbers(pd.Series(list(numbers), dtype=object), region)
    for number, reason in zip(numbers, reasons, strict=True):
        if reason:
            raise PreparationError(f"test_to: {number!r}: {reason}", column="test_to")
    first, n = int(ready[0]), len(numbers)
    row = prepared.frame.iloc[[first] * n].copy()
    row.index = pd.RangeIndex(n)
    row["sms_to"] = pd.array(digits, dtype="str")
    row["sms_error"] = TRIAL_NOTE.format(row=prepared.frame.index[first])
    return dataclasses.replace(
        prepared,
        frame=row,
        _fields={name: values[[first] * n] for name, values in prepared._fields.items()},
        _to=np.asarray(digits, dtype=object),
        _text=prepared._text[[first] * n],
        _segments=prepared._segments[[first] * n],
        _ready=np.ones(n, dtype=bool),
    )
