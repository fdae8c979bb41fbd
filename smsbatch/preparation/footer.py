"""The opt-out line under every text, and the checks a commercial campaign must pass.

Dutch law (Telecommunicatiewet art. 11.7) asks a commercial SMS to name its sender and to offer
a free way to opt out. smsbatch cannot judge what is commercial; with ``commercial=True`` it
refuses, before anything is sent, a campaign without an opt-out line or with a sender that is
only a number.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from smsbatch.exceptions import MessageSpecError, PreparationError
from smsbatch.preparation.encoding import analyse

__all__ = ["FOOTER_ATTR", "check_footer", "with_footer"]

#: Where prepare leaves how many messages the footer pushed into an extra segment.
FOOTER_ATTR = "smsbatch_footer_extra_segments"


def check_footer(footer: str | None, kind: str, *, commercial: bool, sender: str | None) -> str:
    """Return the footer to append ("" for none), or raise before any row is looked at."""
    if footer is not None and not isinstance(footer, str):
        raise PreparationError(f"footer= takes text, not {type(footer).__name__}", column="footer")
    if footer and kind != "text":
        raise MessageSpecError(
            f"footer= is for text messages; a {kind} message has no text to add it to",
            column="footer",
        )
    if commercial:
        if not (footer or "").strip():
            raise PreparationError(
                "a commercial campaign needs an opt-out line: pass footer= (--footer), for example"
                " ' Afmelden? Sms STOP naar 3010'",
                column="footer",
            )
        if sender is not None and sender.isdigit():
            raise PreparationError(
                f"a commercial campaign must name its sender: {sender!r} is only a number;"
                " use the business name (up to 11 letters and digits)",
                column="sender",
            )
    return footer or ""


def with_footer(
    text: np.ndarray, unrendered: np.ndarray, footer: str
) -> tuple[np.ndarray, int]:
    """Append ``footer`` to every rendered text; return the texts and how many of them the
    footer pushes into one more segment (which the summary reports, since it is billed)."""
    if not footer:
        return text, 0
    add = ~unrendered & (text != "")
    result = text.copy()
    result[add] = text[add] + footer
    before = analyse(pd.Series(text[add], dtype=object))["segments"].to_numpy()
    after = analyse(pd.Series(result[add], dtype=object))["segments"].to_numpy()
    return result, int((after > before).sum())
