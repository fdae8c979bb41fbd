"""What happened to each message, and the result frame built from it.

One home for what a gateway answer or a journal entry means for a row: ``sent``, ``failed``
(the gateway said nothing was sent), ``unknown`` (it may have been sent; never re-sent silently)
or ``not_sent`` (never attempted).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from smsbatch.gateway.reply import Response
from smsbatch.preparation.summary import DESTINATION_DIFFERS, EARLIER_RUN
from smsbatch.sending.journal import Entry

__all__ = [
    "DESTINATION_DIFFERS",
    "ENDPOINT",
    "FIX_FIRST",
    "NEVER_ATTEMPTED",
    "STOPPING_CATEGORIES",
    "UNKNOWN_ADVICE",
    "Outcome",
    "answered",
    "recorded_outcome",
    "result_frame",
    "retryable",
]

Status = Literal["sent", "failed", "unknown", "not_sent"]

UNKNOWN_ADVICE = "check with the provider before sending it again"
#: What an answer other than 200 means for the user, by the code's documented family.
_ANSWER_MEANING = {
    "auth_or_funds": "credentials or credit (40x): nothing was sent",
    "server": "the gateway failed (50x): nothing was sent",
    "carrier": "the carrier refused this destination (60x): nothing was sent",
    "reseller_funds": "the reseller is out of credit (70x): nothing was sent",
    "other": f"a code outside the documented families: it may have been sent; {UNKNOWN_ADVICE}",
}
#: Answers that stop a campaign at once: every further message would be refused the same way.
STOPPING_CATEGORIES = frozenset({"auth_or_funds", "reseller_funds"})
#: The category of a request whose base URL reached a web server but not the SMS API.
ENDPOINT = "endpoint"
#: What to fix before a resume can help, by the category of the answer that stopped a campaign.
FIX_FIRST = {
    ENDPOINT: "check SMSBATCH_BASE_URL / base_url: it reached a web server, not the SMS API",
    "auth_or_funds": "check the login and password, or top up the credit: the gateway refused"
    " the account (40x)",
    "reseller_funds": "ask the reseller to top up the credit: the gateway refused the account"
    " (70x)",
}


@dataclass(slots=True)
class Outcome:
    """What happened to one message; becomes one row of the result."""

    status: Status
    sent_at: float | None = None
    code: int | None = None
    text: str | None = None
    destination: str | None = None
    error: str | None = None
    category: str | None = None  # Response.category of a gateway answer


NEVER_ATTEMPTED = Outcome("not_sent")


def answered(response: Response, sent_at: float) -> Outcome:
    """What a gateway answer means: only the documented error families say "not sent"; a
    code outside them says nothing, so such a message is ``unknown``, never re-sent silently."""
    status: Status = "sent" if response.ok else "failed"
    if response.category == "other":
        status = "unknown"
    note = _ANSWER_MEANING.get(response.category)
    if response.ok and response.destination_differs:
        # Still sent (the gateway accepted it), but to be seen: a gateway that rewrites or
        # mixes up numbers may have reached the wrong person.
        note = (
            f"{DESTINATION_DIFFERS} ({response.destination}) than the number sent "
            f"({response.to}); check with the provider who received it"
        )
    return Outcome(
        status,
        sent_at,
        response.code,
        response.text,
        response.destination,
        note,
        response.category,
    )


def retryable(outcome: Outcome) -> bool:
    """Only an answer that says "not sent, try later", or a request that never left."""
    return outcome.category in (None, "server")


def recorded_outcome(entry: Entry | None, resend_unknown: bool) -> Outcome | None:
    """What a previous run's journal entry means now; None: (re)send it."""
    if entry is None or entry.state == "not_sent":
        return None
    if entry.state == "answered":
        answer = Response(entry.code or 0, entry.text or "", entry.destination or "")
        outcome = answered(answer, entry.sent_at)
        if outcome.status == "failed" or (outcome.status == "unknown" and resend_unknown):
            return None  # the gateway said nothing was sent, or the user checked
        if outcome.status == "sent":
            outcome.error = EARLIER_RUN
        return outcome
    if resend_unknown:
        return None
    reason = entry.error or "the previous run stopped before its answer was recorded"
    return Outcome(
        "unknown",
        entry.sent_at,
        error=f"{reason}; {UNKNOWN_ADVICE}, then resume with resend_unknown=True",
    )


def result_frame(
    frame: pd.DataFrame,
    positions: Sequence[int],
    outcomes: Mapping[int, Outcome],
    stop_reason: str | None,
) -> pd.DataFrame:
    """The preview frame with every outcome written into its row; ready rows without one were
    never attempted (``not_sent``, with the reason the campaign stopped)."""
    n = len(frame)
    status = frame["sms_status"].tolist()
    error = frame["sms_error"].tolist()
    code: list[int | None] = [None] * n
    # No answer reads as an empty text, not NaN: the code column (<NA>) tells the two apart.
    text = [""] * n
    destination = [""] * n
    sent_at = [math.nan] * n
    never = f"not attempted: {stop_reason}" if stop_reason is not None else ""
    for position in positions:
        outcome = outcomes.get(position, NEVER_ATTEMPTED)
        status[position] = outcome.status
        # A ready row's own note (a test message says so) stays unless the outcome has one.
        note = never if outcome.status == "not_sent" else error[position]
        error[position] = outcome.error or note
        code[position] = outcome.code
        text[position] = outcome.text or ""
        destination[position] = outcome.destination or ""
        if outcome.sent_at is not None:
            sent_at[position] = outcome.sent_at
    result = frame.copy()
    result["sms_status"] = pd.Series(status, index=frame.index, dtype=frame["sms_status"].dtype)
    result["sms_error"] = pd.Series(error, index=frame.index, dtype=frame["sms_error"].dtype)
    result["sms_response_code"] = pd.array(code, dtype="Int64")
    result["sms_response_text"] = pd.array(text, dtype="str")
    result["sms_response_destination"] = pd.array(destination, dtype="str")
    result["sms_sent_at"] = pd.to_datetime(
        pd.Series(sent_at, index=frame.index), unit="s", utc=True
    )
    return result
