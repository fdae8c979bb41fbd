"""What the CLI prints about a campaign before it is sent: the first rows of the preview,
every row that will not be sent, the summary, when it would be done and what another journal
already sent."""

from __future__ import annotations

import pandas as pd

from smsbatch.preparation.campaign import Prepared
from smsbatch.preparation.summary import Summary, reason_kind, summarize
from smsbatch.sending.finish import Finish, estimate_finish
from smsbatch.sending.repeats import Repeats

__all__ = ["finish_of_ready", "repeats_line", "show_preview"]

_PREVIEW_COLUMNS = ["sms_to", "sms_status", "sms_segments", "sms_text", "sms_error"]
#: Rows that will not be sent are listed up to this many; the summary counts the rest.
_PROBLEM_ROWS = 20


def show_preview(frame: pd.DataFrame, *, to: str, rows: int) -> Summary:
    """Print the first rows of a preview (what goes to whom), every row that will not be sent
    (the first rows are usually all fine; the problems are further down) and the summary,
    which is returned."""
    shown = frame.head(rows)[[to, *_PREVIEW_COLUMNS]]
    with pd.option_context("display.max_colwidth", 70, "display.width", 200):
        print(shown.to_string())
    if len(frame) > rows:
        print(f"... and {len(frame) - rows} more rows")
    problems = frame.loc[frame["sms_status"] != "ready", [to, "sms_status", "sms_error"]]
    if len(problems):
        print(f"\nRows that will not be sent ({len(problems)}):")
        _show_problems(problems)
    summary = summarize(frame)
    print(f"\n{summary}\n")
    return summary


def _show_problems(problems: pd.DataFrame) -> None:
    """List the rows that will not be sent: each on its own line, but a reason shared by
    several rows once, with how many and which (a date error in every row is one line, each
    row's own value left out: it is in the row's sms_error)."""
    kinds = problems["sms_error"].astype(str).map(reason_kind)
    reason = problems["sms_status"].astype(str) + ": " + kinds
    shared = reason.duplicated(keep=False)
    single = problems[~shared]
    with pd.option_context("display.max_colwidth", None, "display.width", 200):
        if len(single):
            print(single.head(_PROBLEM_ROWS).to_string())
        if len(single) > _PROBLEM_ROWS:
            print(f"... and {len(single) - _PROBLEM_ROWS} more")
    for text, rows in reason[shared].groupby(reason[shared], sort=False):
        labels = ", ".join(map(str, rows.index[:5])) + (", ..." if len(rows) > 5 else "")
        print(f"{len(rows)} rows ({labels}): {text}")


def finish_of_ready(
    prepared: Prepared,
    *,
    rate: float | None,
    limit: int | None,
    window: str | None,
    days: str,
    tz: str,
    start_at: str | None,
) -> Finish:
    """Estimate when the first ``limit`` ready messages would be sent: what ``preview`` and a
    dry run can say without credentials, so before the journal's and the history's skips.

    Raises ``ConfigurationError`` for sending hours or a start time that ``send`` would refuse.
    """
    going = prepared.positions()[:limit]
    parts = int(prepared.frame["sms_segments"].to_numpy()[going].sum())
    return estimate_finish(
        len(going), parts=parts, rate=rate, window=window, days=days, tz=tz, start_at=start_at
    )


def repeats_line(repeats: Repeats, *, allowed: bool) -> str:
    """One line on what another journal already sent, as the history of sends found it."""
    fate = (
        "--allow-repeat: they will be sent again"
        if allowed
        else "they will be skipped (--allow-repeat sends them again)"
    )
    return f"{repeats}: {fate}"
