"""``df.sms`` is there as soon as smsbatch is imported, and gives what the functions give."""

from __future__ import annotations

import pandas as pd

import smsbatch


def test_preview_and_summary_from_the_frame():
    # Only `import smsbatch` above registered df.sms.
    df = pd.DataFrame({"phone": ["0612345678", "020 1234567"], "naam": ["Jan", "Els"]})
    frame = df.sms.preview(text="Hoi {naam}", price_per_segment=0.05)
    pd.testing.assert_frame_equal(frame, smsbatch.preview(df, text="Hoi {naam}"))
    assert frame.sms.summary().counts["invalid"] == 1
    assert frame.sms.summary().cost == 0.05
    assert frame.sms.summary(price_per_segment=0.5).cost == 0.5

