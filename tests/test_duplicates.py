"""Duplicates: the same number and the same message as an earlier row, whatever the spelling."""

from __future__ import annotations

import numpy as np
import pandas as pd

from smsbatch.preparation.campaign import preview
from smsbatch.preparation.duplicates import mark_duplicates


def test_duplicates_are_same_number_and_same_message():
    df = pd.DataFrame(
        {
            "phone": ["0612345678", "+31612345678", "612345678", "0612345678"],
            "tekst": ["Hoi", "Hoi", "Hoi", "Dag"],
        }
    )
    frame = preview(df, text="{tekst}")
    assert frame["sms_status"].tolist() == ["ready", "duplicate", "duplicate", "ready"]
    assert frame["sms_error"].tolist()[1] == "same number and message as row 0"
    assert preview(df, text="{tekst}", dedupe=False)["sms_status"].eq("ready").all()


def test_only_ready_rows_are_compared_and_the_first_one_is_named():
    status = np.array(["ready", "invalid", "ready", "ready", "ready"], dtype=object)
    error = np.array(["", "bad", "", "", ""], dtype=object)
    digits = np.array(["316", "316", "316", "317", "316"], dtype=object)
    texts = np.array(["Hoi", "Hoi", "Dag", "Hoi", "Hoi"], dtype=object)
    mark_duplicates(pd.Index(["a", "b", "c", "d", "e"]), digits, texts, status, error)
    assert status.tolist() == ["ready", "invalid", "ready", "ready", "duplicate"]
    assert error.tolist() == ["", "bad", "", "", "same number and message as row a"]
