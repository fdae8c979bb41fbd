"""The HTML the campaign panel shows: its style, tables, status lines and the confirmation.

Every text is escaped here, so a value from a recipient list can never become markup. The
tables take the notebook's own table style (``jp-RenderedHTMLCommon`` on the widgets) and a
few rules of ours, scoped to ``.smsbatch-panel``, for what a narrow column needs.
"""

from __future__ import annotations

import html
from collections.abc import Hashable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from smsbatch.sending.plan import SendPlan
from smsbatch.sending.report import RunReport

__all__ = [
    "RESULT_COLUMNS",
    "STYLE",
    "confirmation",
    "error",
    "hint",
    "journal_line",
    "note",
    "run_result",
    "source_line",
    "success",
    "table",
]

#: The columns of a run's result, after the phone column.
RESULT_COLUMNS = [
    "sms_to", "sms_status", "sms_response_code", "sms_response_text", "sms_error", "sms_text"
]  # fmt: skip
STYLE = """<style>
.smsbatch-panel .jp-RenderedHTMLCommon table {
  border-collapse: collapse; table-layout: auto; margin: 0 0 6px 0; font-size: 12px;
}
.smsbatch-panel .jp-RenderedHTMLCommon th, .smsbatch-panel .jp-RenderedHTMLCommon td {
  padding: 2px 6px; text-align: left; vertical-align: top; white-space: nowrap;
}
.smsbatch-panel .jp-RenderedHTMLCommon th { font-weight: 600; }
.smsbatch-panel .smsbatch-summary ul { margin: 2px 0 4px 0; padding-left: 18px; }
.smsbatch-panel .smsbatch-summary li, .smsbatch-panel p { white-space: normal; }
.smsbatch-panel .smsbatch-stale { opacity: 0.55; }
.smsbatch-panel p { margin: 2px 0; line-height: 1.35; }
</style>"""


def table(
    frame: pd.DataFrame,
    columns: Sequence[Hashable],
    *,
    wrap: Sequence[Hashable] = ("sms_text", "sms_error", "sms_response_text"),
    max_rows: int = 200,
) -> str:
    """The named columns of ``frame`` that exist, as an HTML table of at most ``max_rows``;
    the ``wrap`` columns (messages, errors) wrap, the others stay on one line."""
    shown = [c for c in columns if c in frame.columns]
    # nth-child counts from 1, and the index is the first cell of every row.
    positions = [str(shown.index(c) + 2) for c in wrap if c in shown]
    scope = "smsbatch-wrap-" + "-".join(positions)
    rule = ", ".join(f".smsbatch-panel .{scope} td:nth-child({n})" for n in positions)
    style = f"<style>{rule} {{ white-space: normal; min-width: 14em; }}</style>" if rule else ""
    rows = frame[shown].to_html(max_rows=max_rows, border=0, classes=["smsbatch-table", scope])
    return style + rows


def run_result(report: RunReport, phone: Hashable) -> str:
    """What a run did: its summary, then every row with the gateway's answer."""
    return report.summary()._repr_html_() + table(report.result, [phone, *RESULT_COLUMNS])


def note(text: str) -> str:
    return f"<p>{html.escape(text)}</p>"


def hint(text: str, *, title: str = "") -> str:
    """A quiet line: nothing is wrong, something is not finished yet (``title``: a tooltip)."""
    tip = f' title="{html.escape(title)}"' if title else ""
    return f'<p style="color:#57606a"{tip}><i>{html.escape(text)}</i></p>'


def success(text: str) -> str:
    return f'<p style="color:#1a7f37"><b>{html.escape(text)}</b></p>'


def error(text: str) -> str:
    return f'<p style="color:#cf222e"><b>{html.escape(text)}</b></p>'


def confirmation(plan: SendPlan) -> str:
    """What a tick of the box approves: messages, billed SMS parts, the cost, sender and host,
    when they would go and be done, what the journal, the history and the limit leave out,
    and the first message as it will be sent."""
    count = f"{plan.messages:,} message{'s' if plan.messages != 1 else ''}"
    parts = f"{plan.parts:,} SMS part{'s' if plan.parts != 1 else ''}"
    cost = (
        f"estimated cost {plan.cost:,.2f}"
        if plan.cost is not None
        else "cost unknown (set the price per part)"
    )
    what = f"Send {count} = {parts}, {cost}, from {plan.sender} through the gateway at {plan.host}."
    lines = [f"<b>{html.escape(what)}</b>", html.escape(f"When: {plan.finish}.")]
    lines += [html.escape(line) for line in _left_out(plan)]
    if plan.first is not None:
        lines.append(
            html.escape(f"First message, to {plan.first.to}: ")
            + f"<i>{html.escape(plan.first.text)}</i>"
        )
    return '<div class="smsbatch-confirm-text">' + "".join(
        f"<p>{line}</p>" for line in lines
    ) + "</div>"


def _left_out(plan: SendPlan) -> list[str]:
    """What the journal, the history of sends and the limit keep from this Send."""
    lines = []
    if plan.journal is not None and (plan.journal_sent or plan.journal_unknown):
        unknown = (
            f", and holds back {plan.journal_unknown:,} whose outcome is unknown"
            if plan.journal_unknown
            else ""
        )
        lines.append(
            f"The journal {plan.journal.name} skips {plan.journal_sent:,} already sent with it"
            f"{unknown}."
        )
    repeats = plan.repeats
    if repeats:
        fate = (
            "they will be sent again (allow repeat is ticked)"
            if plan.allow_repeat
            else "they will be skipped (tick 'allow repeat' in the options to send them)"
        )
        lines.append(f"The history of sends: {repeats}: {fate}.")
    if plan.beyond_limit:
        lines.append(
            f"Limit: the other {plan.beyond_limit:,} stay not_sent, for a later Send with the"
            " same journal."
        )
    return lines


def journal_line(journal: Path) -> str:
    """One quiet line naming the journal; its whole path in the tooltip."""
    return hint(
        f"Journal: {journal.name} (messages sent with it are never sent again)",
        title=str(journal),
    )


def source_line(source: Mapping[str, object] | None) -> str:
    """One line naming where ``read_recipients`` read the recipients from: its
    ``df.attrs["smsbatch_source"]`` (path, sheet, header row counted from 1)."""
    if not source or not source.get("path"):
        return ""
    described = str(source["path"])
    if source.get("sheet"):
        described += f", sheet {source['sheet']!r}"
    if source.get("header_row"):
        described += f", column names in row {source['header_row']}"
    return note(f"Recipients from {described}")
