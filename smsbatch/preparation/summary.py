"""A summary of a preview or a send result, for a person: counts, segments, cost, advice.

It reads only the ``sms_*`` columns, so it works on a preview frame (ready, invalid, duplicate,
excluded) and on a send result (sent, failed, unknown, not_sent) alike. ``str(summary)`` prints
in a terminal; ``_repr_html_`` renders a small table in a notebook with the problems coloured.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pandas as pd

from smsbatch._frames import to_pandas
from smsbatch.exceptions import PreparationError
from smsbatch.preparation.encoding import non_gsm_characters
from smsbatch.preparation.footer import FOOTER_ATTR

__all__ = [
    "ANOTHER_JOURNAL",
    "DESTINATION_DIFFERS",
    "EARLIER_RUN",
    "STATUSES",
    "Summary",
    "TEST_MESSAGE",
    "destinations_differ",
    "reason_kind",
    "summarize",
]

# Display order. A preview always shows its four statuses, a send result its four (zeros
# reassure); other statuses only when present.
STATUSES = ("ready", "sent", "invalid", "duplicate", "excluded", "failed", "unknown", "not_sent")
PREVIEW_STATUSES = frozenset({"ready", "invalid", "duplicate", "excluded"})
SEND_STATUSES = frozenset({"sent", "failed", "unknown", "not_sent"})
# Rows whose segments are (or will be) paid for.
_BILLED = ("ready", "sent")
_COLOURS = {
    "ready": "#1a7f37",
    "sent": "#1a7f37",
    "invalid": "#cf222e",
    "failed": "#cf222e",
    "unknown": "#bc4c00",
    "duplicate": "#7d4e00",
    "excluded": "#57606a",
    "not_sent": "#57606a",
}
_PROBLEMS = frozenset({"invalid", "failed", "unknown"})
_TOP_REASONS = 3
_NEEDED = ("sms_to", "sms_status", "sms_segments", "sms_encoding", "sms_text", "sms_error")
# Where prepare leaves the price, so that summarize(frame) finds it.
PRICE_ATTR = "smsbatch_price_per_segment"
#: The note on a row the journal says was sent in an earlier run: the only ``sent`` row with an
#: ``sms_error``, so a results file read back still says which rows were skipped. Short: a
#: resume of a million messages writes it a million times.
EARLIER_RUN = "sent in an earlier run"
#: The note before it was shortened: results files saved with it still count when read back.
_EARLIER_RUN_BEFORE = "already sent in an earlier run (the journal says so); not sent again"
#: How the note of a test send's row starts (``test_to=``).
TEST_MESSAGE = "test message (the text of row "
#: How the note starts on a ``sent`` row whose answer names a destination other than the
#: number sent: a gateway that rewrites or mixes up numbers may have reached the wrong person.
DESTINATION_DIFFERS = "sent, but the gateway answered for another destination"
#: In the ``sms_error`` of a ``duplicate`` row that the user's history says another journal
#: already sent (see ``smsbatch.sending.repeats``).
ANOTHER_JOURNAL = "through another journal"


@dataclass(frozen=True)
class Summary:
    """What a campaign is about to do, or did: see ``summarize``."""

    counts: dict[str, int]
    rows: int
    segments: int
    unicode_rows: int
    unicode_characters: str
    price_per_segment: float | None
    cost: float | None
    advice: tuple[str, ...]

    @property
    def _rows_label(self) -> str:
        return f"{self.rows:,} {'row' if self.rows == 1 else 'rows'}"

    def __str__(self) -> str:
        shown = ", ".join(f"{count:,} {status}" for status, count in self.counts.items())
        lines = [f"{self._rows_label}: {shown}", f"segments: {self.segments:,}"]
        if self.cost is not None:
            lines[-1] += (
                f"; estimated cost {self.segments:,} x {self.price_per_segment:g} = "
                f"{self.cost:,.2f}"
            )
        lines.extend(f"- {line}" for line in self.advice)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        cells = []
        for status, count in self.counts.items():
            colour = _COLOURS.get(status, "inherit")
            weight = "bold" if count and status in _PROBLEMS else "normal"
            cells.append(
                f'<tr><td style="color:{colour};font-weight:{weight}">{html.escape(status)}</td>'
                f'<td style="text-align:right;font-weight:{weight}">{count:,}</td></tr>'
            )
        cells.append(
            f'<tr><td>segments</td><td style="text-align:right">{self.segments:,}</td></tr>'
        )
        if self.cost is not None:
            cells.append(
                f'<tr><td>estimated cost</td><td style="text-align:right">{self.cost:,.2f}'
                "</td></tr>"
            )
        advice = "".join(f"<li>{html.escape(line)}</li>" for line in self.advice)
        return (
            '<div class="smsbatch-summary">'
            f"<strong>{self._rows_label}</strong>"
            f"<table>{''.join(cells)}</table>" + (f"<ul>{advice}</ul>" if advice else "") + "</div>"
        )


def summarize(frame: Any, *, price_per_segment: float | None = None) -> Summary:
    """Summarise a preview or send-result frame for a person.

    Parameters
    ----------
    frame : DataFrame
        A frame with the ``sms_*`` columns of a preview or a send result (pandas, polars,
        pyarrow).
    price_per_segment : float, optional
        Price of one segment; by default the one given to ``preview``, if any (a pandas
        frame carries it in ``attrs``; polars has no such place, so pass it again).

    Examples
    --------
    >>> frame = pd.DataFrame({"sms_to": ["31612345678", ""],
    ...     "sms_status": ["ready", "invalid"], "sms_segments": [2, 0],
    ...     "sms_encoding": ["GSM-7", ""], "sms_text": ["Hoi", ""],
    ...     "sms_error": ["", "phone: too short"]})
    >>> print(summarize(frame, price_per_segment=0.05))
    2 rows: 1 ready, 1 invalid, 0 duplicate, 0 excluded
    segments: 2; estimated cost 2 x 0.05 = 0.10
    - 1 row is invalid, not sent; see sms_error: phone: too short (1x)
    """
    frame, _ = to_pandas(frame)
    missing = [c for c in _NEEDED if c not in frame.columns]
    if missing:
        raise PreparationError(
            f"summarize needs a preview or send-result frame; missing {', '.join(missing)}. "
            "Make one with smsbatch.preview(df, ...)"
        )
    if price_per_segment is None:
        price_per_segment = frame.attrs.get(PRICE_ATTR)
    status = frame["sms_status"].astype(str)
    found = status.value_counts().to_dict()
    shown = SEND_STATUSES if SEND_STATUSES.intersection(found) else PREVIEW_STATUSES
    counts = {s: int(found.get(s, 0)) for s in STATUSES if s in shown or s in found}
    counts.update({str(s): int(c) for s, c in found.items() if s not in counts})
    billed = status.isin(_BILLED).to_numpy()
    segments = int(frame["sms_segments"].to_numpy()[billed].sum())
    unicode = billed & (frame["sms_encoding"].astype(str) == "UCS-2").to_numpy()
    characters = "".join(
        dict.fromkeys(
            ch
            for text in frame["sms_text"].to_numpy()[unicode]
            for ch in non_gsm_characters(str(text))
        )
    )
    cost = None if price_per_segment is None else round(segments * float(price_per_segment), 6)
    return Summary(
        counts=counts,
        rows=len(frame),
        segments=segments,
        unicode_rows=int(unicode.sum()),
        unicode_characters=characters,
        price_per_segment=None if price_per_segment is None else float(price_per_segment),
        cost=cost,
        advice=tuple(_advice(frame, counts, int(unicode.sum()), characters)),
    )


def destinations_differ(frame: pd.DataFrame) -> int:
    """How many sent rows the gateway answered for another destination than the number sent."""
    noted = frame["sms_error"].astype(str).str.startswith(DESTINATION_DIFFERS)
    return int(((frame["sms_status"] == "sent") & noted).sum())


def _visible(character: str) -> str:
    """A character as a person can see it: invisible ones (no-break space...) by code point."""
    if character.isprintable() and not character.isspace():
        return character
    return f"U+{ord(character):04X}"


#: The row's own value in a reason that quotes it (a date column's text, a value a format
#: specification cannot take): the rest is the same for every row with that problem.
_ROW_VALUE = re.compile(
    r"^(column .+?: (?:cannot format )?)(.+?)( is text, not a date, | with \{)"
)


def reason_kind(reason: str) -> str:
    """``reason`` without the row's own value, so that the rows of one problem (a date column
    that is text in every row) are counted and shown as one: ``column 'datum': … is text``."""
    return _ROW_VALUE.sub(r"\1…\3", reason, count=1)


def _rows(count: int, singular: str, plural: str) -> str:
    return f"{count:,} row {singular}" if count == 1 else f"{count:,} rows {plural}"


def _advice(
    frame: pd.DataFrame, counts: dict[str, int], unicode_rows: int, characters: str
) -> list[str]:
    advice = []
    for status, singular, plural in (
        ("invalid", "is invalid, not sent", "are invalid, not sent"),
        ("failed", "failed", "failed"),
    ):
        if counts.get(status):
            errors = frame.loc[frame["sms_status"] == status, "sms_error"].astype(str)
            reasons = Counter(map(reason_kind, errors))
            common = "; ".join(
                f"{reason} ({c:,}x)" for reason, c in reasons.most_common(_TOP_REASONS)
            )
            more = len(reasons) - _TOP_REASONS
            common += f"; and {more:,} other reason{'s' if more > 1 else ''}" if more > 0 else ""
            advice.append(f"{_rows(counts[status], singular, plural)}; see sms_error: {common}")
    tests = int(frame["sms_error"].astype(str).str.startswith(TEST_MESSAGE).sum())
    if tests:
        advice.append(
            f"{'this was a test' if tests == 1 else f'these {tests:,} were tests'}: the"
            " campaign's first message, to your own number"
            f"{'' if tests == 1 else 's'} (sms_to); nothing went to the recipients"
        )
    earlier_note = frame["sms_error"].isin([EARLIER_RUN, _EARLIER_RUN_BEFORE])
    earlier = int(((frame["sms_status"] == "sent") & earlier_note).sum())
    if earlier:
        advice.append(
            _rows(earlier, "was", "were")
            + " already sent in an earlier run (the journal says so) and not sent again; "
            "to send them again on purpose, use a new journal and allow_repeat=True"
        )
    differs = destinations_differ(frame)
    if differs:
        advice.append(
            _rows(differs, "was", "were")
            + " sent, but the gateway answered for another destination than the number sent; "
            "see sms_error and check with the provider who received them"
        )
    if counts.get("unknown"):
        advice.append(
            _rows(counts["unknown"], "has", "have")
            + " an unknown outcome: the message may have been delivered; check with the "
            "provider before sending again"
        )
    if counts.get("not_sent"):
        advice.append(
            _rows(counts["not_sent"], "was", "were")
            + " not attempted: run the same send again (with the same journal, if you used"
            " one) to send them"
        )
    billed = frame.loc[frame["sms_status"].isin(_BILLED), "sms_to"]
    repeated = int(billed[billed.duplicated()].nunique())
    if repeated:
        advice.append(
            f"{repeated:,} number{'s get' if repeated != 1 else ' gets'} more than one message "
            "(different texts); check that this is intended"
        )
    repeated_elsewhere = 0
    if counts.get("duplicate"):
        notes = frame.loc[frame["sms_status"] == "duplicate", "sms_error"].astype(str)
        repeated_elsewhere = int(notes.str.contains(ANOTHER_JOURNAL, regex=False).sum())
    if repeated_elsewhere:
        advice.append(
            _rows(repeated_elsewhere, "was", "were")
            + f" already sent (same number, same message) {ANOTHER_JOURNAL}: skipped, see"
            " sms_error; allow_repeat=True (--allow-repeat) sends them again"
        )
    if counts.get("duplicate", 0) > repeated_elsewhere:
        advice.append(
            _rows(counts["duplicate"] - repeated_elsewhere, "repeats", "repeat")
            + " the number and message of an earlier row: skipped"
        )
    if counts.get("excluded"):
        advice.append(
            _rows(counts["excluded"], "is", "are") + " on the exclude list: skipped"
        )
    longer = frame.attrs.get(FOOTER_ATTR, 0)
    if longer:
        advice.append(
            f"the footer makes {longer:,} message{'s' if longer != 1 else ''} one SMS part"
            " longer (and dearer); a shorter text or footer avoids that"
        )
    if unicode_rows:
        advice.append(
            f"{unicode_rows:,} message{'s need' if unicode_rows != 1 else ' needs'} Unicode "
            f"(UCS-2) because of {' '.join(map(_visible, characters))}: fewer characters fit in a "
            "segment, and "
            "the gateway documents no Unicode option, so they may arrive garbled; "
            "transliterate=True (--transliterate) replaces typographic quotes, dashes and ellipses"
        )
    if counts.get("ready") and counts["ready"] == len(frame):
        advice.append(
            "the row is ready" if len(frame) == 1 else f"all {len(frame):,} rows are ready"
        )
    return advice
