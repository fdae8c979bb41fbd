"""The campaign panel's live preview, what one edit of the fields makes the panel show, the
confirmation of a sendable preview, and its dry run, every row of the preview a tick would
confirm.

Functions of the frame and the fields: every keystroke is one call of :func:`~smsbatch.prepare`,
and a sendable preview is then planned as a Send would go (:func:`~smsbatch.plan_send`: the
journal and the history are read, nothing is written); the panel only puts the pieces on screen.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from smsbatch.exceptions import SmsBatchError, TemplateError
from smsbatch.notebook._controls import Controls
from smsbatch.notebook._html import confirmation, error, hint, note, table
from smsbatch.preparation.campaign import Prepared, prepare
from smsbatch.sending.plan import SendPlan, plan_send

__all__ = [
    "PREVIEW_COLUMNS", "Confirmable", "LivePreview", "confirm_view", "dry_run", "live_preview"
]  # fmt: skip

#: The columns of the live preview and the dry run, after the phone column.
PREVIEW_COLUMNS = ["sms_text", "sms_status", "sms_error", "sms_to", "sms_segments"]


@dataclass(frozen=True)
class LivePreview:
    """What the panel shows for the fields as they are (HTML strings, empty when nothing)."""

    sendable: Prepared | None  # the preparation a tick of the box would confirm, if any
    preview: str  # the preview box: the first rows and the summary, or what is wrong
    problem: str  # the line under the template: why it cannot be sent yet, or a quiet hint
    last_good: str  # the last preview that rendered, kept while a placeholder is half typed


def live_preview(
    df: pd.DataFrame,
    options: Mapping[str, Any],
    *,
    rows: int,
    last_good: str,
    ready: bool = True,
) -> LivePreview:
    """Prepare the campaign the fields describe and say what the panel shows for it.

    ``ready`` is False while no phone column is chosen. A template with more ``{`` than ``}``
    is a placeholder being typed: the last good preview stays, dimmed, with a quiet hint,
    instead of a red syntax error on every keystroke.
    """
    text = str(options.get("text") or "")
    if not text:
        return LivePreview(None, note("Type a template, e.g. Beste {voornaam}, ..."), "",
                           last_good)  # fmt: skip
    if not ready:
        return LivePreview(None, error("Choose the column with the phone numbers."), "",
                           last_good)  # fmt: skip
    try:
        shown = prepare(df, **options)
    except TemplateError as err:
        if last_good and text.count("{") > text.count("}"):
            return LivePreview(
                None,
                f'<div class="smsbatch-stale">{last_good}</div>',
                hint("Finish the placeholder with }: the preview shows the last complete one."),
                last_good,
            )
        return LivePreview(None, error(str(err)), error("Fix the template."), last_good)
    except SmsBatchError as err:
        return LivePreview(None, error(str(err)), error("Fix what the preview says."),
                           last_good)  # fmt: skip
    summary = shown.summary()
    phone: Hashable = options.get("to", "phone")
    good = table(shown.frame.head(rows), [phone, *PREVIEW_COLUMNS]) + summary._repr_html_()
    problem = ""
    if shown.sender is None:
        problem = error("Type the sender: the name or number the phones show (max 11 letters).")
    elif not summary.counts.get("ready"):
        problem = error("No row is ready to send: the preview says why.")
    return LivePreview(None if problem else shown, good, problem, good)


@dataclass(frozen=True)
class Confirmable:
    """What a sendable preview leads to with the options as they are (HTML strings)."""

    shown: Prepared | None  # what a tick would confirm; None when a Send cannot go
    problem: str  # why not, in words
    confirmation: str  # what a tick approves
    when: str  # when it would be done, a line under the preview's summary


def confirm_view(shown: Prepared, controls: Controls, **where: Any) -> Confirmable:
    """Plan a Send of the sendable ``shown`` with the option fields as they are.

    ``where`` names the journal and the gateway (see :func:`~smsbatch.plan_send`).
    """
    try:
        sending = controls.sending_options()
        del sending["journal_privacy"]  # how the journal keeps them, not which go
        planned = plan_send(shown, **sending, **where)
    except SmsBatchError as err:
        return Confirmable(None, error(f"Check the options: {err}"), "", "")
    if planned.messages == 0:
        return Confirmable(None, error(_nothing_left(planned)), "", "")
    return Confirmable(shown, "", confirmation(planned), note(f"When: {planned.finish}."))


def _nothing_left(planned: SendPlan) -> str:
    """Why a sendable preview leaves nothing for a Send, and what to do."""
    if planned.beyond_limit:
        return "Nothing to send with the limit 0: empty the Limit field to send them all."
    held = []
    if planned.journal_sent:
        held.append(f"the journal has {planned.journal_sent:,} of them as sent")
    if planned.journal_unknown:
        held.append(f"{planned.journal_unknown:,} of unknown outcome (ask the provider)")
    if planned.repeats.count:
        held.append(f"another journal sent {planned.repeats.count:,} (the history of sends)")
    return (
        f"Nothing to send: {'; '.join(held)}. To send them again on purpose, use a new journal"
        " and tick 'allow repeat' in the options."
    )


def dry_run(shown: Prepared, phone: Hashable) -> tuple[str, str]:
    """What a dry run shows (HTML): the status line, then the summary and every row."""
    summary = shown.summary()
    ready = summary.counts.get("ready", 0)
    status = note(f"Dry run: nothing was sent; {ready:,} messages would be sent.")
    return status, summary._repr_html_() + table(shown.frame, [phone, *PREVIEW_COLUMNS])
