"""The "Summary" sheet of a results workbook: how the campaign went, at a glance.

It reads only the ``sms_*`` columns a send writes (this layer knows no campaigns): the rows by
status with what each means, the SMS parts billed, the cost when the frame carries its price,
the first and last ``sms_sent_at``, the sender and the journal when given, and a bar chart of
the statuses. Every value is a constant: no formula.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pandas as pd

from smsbatch.spreadsheets._xlsx import DATETIME_FORMAT, excel_serials, status_style

__all__ = ["PRICE_ATTR", "RESULT_STATUS", "SUMMARY_SHEET", "write_summary"]

SUMMARY_SHEET = "Summary"
#: The column of a result that says how each row went; a frame without it gets no Summary.
RESULT_STATUS = "sms_status"
#: Where ``prepare`` leaves the price per segment in ``frame.attrs`` (the same key as
#: ``smsbatch.preparation.summary.PRICE_ATTR``; a test keeps the two equal).
PRICE_ATTR = "smsbatch_price_per_segment"
# Display order, then any other status as found.
_ORDER = ("sent", "failed", "unknown", "not_sent", "invalid", "duplicate", "excluded", "ready")
_MEANING = {
    "sent": "the gateway accepted the message",
    "failed": "the gateway refused it: nothing was sent; see sms_response_text",
    "unknown": "may have arrived: check with the provider before sending again",
    "not_sent": "never attempted: run the same send again (same journal) to send it",
    "invalid": "cannot be sent: see sms_error",
    "duplicate": "same number and message as an earlier row: skipped",
    "excluded": "on the opt-out list: skipped",
    "ready": "a preview: ready to send",
}
_BILLED = ("sent", "ready")


def write_summary(
    workbook: Any,
    frame: pd.DataFrame,
    sent_at: pd.Series | None,
    *,
    tz: str,
    sender: str | None,
    journal: str | os.PathLike[str] | None,
    formats: Callable[[str | None], Any],
) -> None:
    """Add the Summary sheet to ``workbook`` (after the results sheet, which stays active).

    ``sent_at`` is ``sms_sent_at`` as written: naive local times in ``tz``.
    """
    sheet = workbook.add_worksheet(SUMMARY_SHEET)
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 20)
    sheet.set_column(2, 2, 64)
    bold = formats("header")
    status = frame[RESULT_STATUS].astype("str").fillna("")
    found = {str(name): int(count) for name, count in status.value_counts().items()}
    statuses = [s for s in _ORDER if s in found] + sorted(s for s in found if s not in _ORDER)
    for position, label in enumerate(("Status", "Rows", "What it means")):
        sheet.write_string(0, position, label, bold)
    for row, name in enumerate(statuses, start=1):
        fill, font = status_style(name)
        style = workbook.add_format({"bg_color": fill, "font_color": font})
        sheet.write_string(row, 0, name or "(empty)", style)
        sheet.write_number(row, 1, int(found[name]))
        sheet.write_string(row, 2, _MEANING.get(name, ""))
    total_row = len(statuses) + 1
    sheet.write_string(total_row, 0, "total", bold)
    sheet.write_number(total_row, 1, len(frame), bold)

    facts: list[tuple[str, Any, str | None]] = []
    if "sms_segments" in frame.columns:
        segments = pd.to_numeric(frame["sms_segments"], errors="coerce")[status.isin(_BILLED)]
        label = "SMS parts sent" if "sent" in found else "SMS parts to send"
        facts.append((label, int(segments.fillna(0).sum()), None))
        price = frame.attrs.get(PRICE_ATTR)
        if price is not None:
            facts.append(("price per part", float(price), None))
            facts.append(("estimated cost", round(float(segments.sum()) * float(price), 6), None))
    if sent_at is not None and sent_at.notna().any():
        first, last = excel_serials(pd.Series([sent_at.min(), sent_at.max()]))[0]
        facts.append((f"first sent ({tz})", first, DATETIME_FORMAT))
        facts.append((f"last sent ({tz})", last, DATETIME_FORMAT))
    if sender is not None:
        facts.append(("sender", str(sender), None))
    if journal is not None:
        facts.append(("journal", os.fspath(journal), None))
    row = total_row + 2
    for label, value, number_format in facts:
        sheet.write_string(row, 0, label, bold)
        if isinstance(value, str):
            sheet.write_string(row, 1, value)
        else:
            sheet.write_number(row, 1, value, formats(number_format))
        row += 1
    if statuses:
        _chart(workbook, sheet, statuses, [int(found[s]) for s in statuses], row + 1)


def _chart(workbook: Any, sheet: Any, statuses: list[str], counts: list[int], row: int) -> None:
    chart = workbook.add_chart({"type": "bar"})
    last = len(statuses)
    name = SUMMARY_SHEET
    chart.add_series(
        {
            "name": "rows",
            "categories": [name, 1, 0, last, 0],
            "values": [name, 1, 1, last, 1],
            # The cached values, for readers that do not recalculate (constant_memory keeps no
            # copy of the sheet to fill them from).
            "categories_data": statuses,
            "values_data": counts,
            "points": [{"fill": {"color": status_style(s)[1]}} for s in statuses],
            "data_labels": {"value": True},
        }
    )
    chart.set_title({"name": "Rows by status"})
    chart.set_legend({"none": True})
    chart.set_y_axis({"reverse": True})
    chart.set_size({"width": 480, "height": 60 + 28 * len(statuses)})
    sheet.insert_chart(row, 0, chart)
