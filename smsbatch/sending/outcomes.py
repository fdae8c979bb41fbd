"""What happened to each message, and the result frame built from it.

One home for what a gateway answer or a journal entry means for a row: ``sent``, ``failed``
(the gateway said nothing was sent), ``unknown`` (it may have been sent; never re-sent silently)
or ``not_sent`` (never attempted).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from smsbatch.gateway.reply import Response
from smsbatch.preparation.summary import EARLIER_RUN

if TYPE_CHECKING:
    from smsbatch.sending._recorded import Recorded

__all__ = [
    "FIX_FIRST",
    "STOPPING_CATEGORIES",
    "UNKNOWN_ADVICE",
    "Outcome",
    "Settled",
    "answered",
    "result_frame",
    "settled",
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
#: What to fix before a resume can help, by the category of the answer that stopped a campaign.
FIX_FIRST = {
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


def answered(response: Response, sent_at: float) -> Outcome:
    """What a gateway answer means: only the documented error families say "not sent"; a
    code outside them says nothing, so such a message is ``unknown``, never re-sent silently."""
    status: Status = "sent" if response.ok else "failed"
    if response.category == "other":
        status = "unknown"
    return Outcome(
        status,
        sent_at,
        response.code,
        response.text,
        response.destination,
        _ANSWER_MEANING.get(response.category),
        response.category,
    )


def retryable(outcome: Outcome) -> bool:
    """Only an answer that says "not sent, try later", or a request that never left."""
    return outcome.category in (None, "server")


@dataclass
class Settled:
    """What the journal settles for each ready message of a campaign, as columns.

    One entry per ready row (``positions`` in the frame); ``done`` rows are not sent now: sent
    in an earlier run, or of unknown outcome (unless ``resend_unknown``).
    """

    positions: np.ndarray
    done: np.ndarray
    status: np.ndarray
    error: np.ndarray
    code: np.ndarray
    has_code: np.ndarray
    text: np.ndarray
    destination: np.ndarray
    sent_at: np.ndarray

    def count(self, status: Status) -> int:
        return int(((self.status == status) & self.done).sum())


def settled(
    positions: np.ndarray,
    numbers: np.ndarray,
    recorded: Recorded | None,
    resend_unknown: bool,
) -> Settled:
    """What a previous run's journal means now for each ready message (``numbers``: their
    ``sms_to``). A documented error answer or ``not_sent`` is sent again: the gateway said
    nothing was sent; an unknown outcome only when the user checked (``resend_unknown``)."""
    n = len(positions)
    status = np.full(n, "not_sent", dtype=object)
    error = np.full(n, "", dtype=object)
    text = np.full(n, "", dtype=object)
    destination = np.full(n, "", dtype=object)
    columns = Settled(
        positions, np.zeros(n, bool), status, error, np.zeros(n, np.int64), np.zeros(n, bool),
        text, destination, np.full(n, math.nan),
    )
    if recorded is None:
        return columns
    event, code = recorded.event, recorded.code
    answered = event == ord("a")
    ok = answered & (code == 200)
    documented = answered & ~ok & np.isin(code // 10, list(_FAMILY_CODES))
    other = answered & ~ok & ~documented
    vague = (event == ord("b")) | (event == ord("u"))
    columns.done = ok | ((other | vague) & (not resend_unknown))
    done = columns.done
    status[ok] = "sent"
    error[ok] = EARLIER_RUN
    status[(other | vague) & done] = "unknown"
    error[other & done] = _ANSWER_MEANING["other"]
    shown = answered & done
    columns.code[shown] = code[shown]
    columns.has_code[:] = shown
    columns.sent_at[done] = recorded.sent_at[done]
    for note, rows in _by_note(recorded.note, shown):
        answer, to = recorded.answer(note)
        text[rows] = answer
        destination[rows] = numbers[rows] if to == "=" else to
    for note, rows in _by_note(recorded.note, vague & done):
        reason = recorded.error(note) if note >= 0 else _NO_ANSWER
        error[rows] = f"{reason}; {UNKNOWN_ADVICE}, then resume with resend_unknown=True"
    return columns


_NO_ANSWER = "the previous run stopped before its answer was recorded"
_FAMILY_CODES = (40, 50, 60, 70)


def _by_note(notes: np.ndarray, mask: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """The rows of ``mask`` grouped by their note: one decode per distinct answer or error."""
    rows = np.flatnonzero(mask)
    values, inverse = np.unique(notes[rows], return_inverse=True)
    return [(int(value), rows[inverse == i]) for i, value in enumerate(values)]


def result_frame(
    frame: pd.DataFrame,
    journal: Settled,
    outcomes: Mapping[int, Outcome],
    stop_reason: str | None,
) -> pd.DataFrame:
    """The preview frame with every outcome written into its row: what the journal settled,
    then this run's ``outcomes`` by position; ready rows with neither were never attempted
    (``not_sent``, with the reason the campaign stopped)."""
    n = len(frame)
    status = frame["sms_status"].to_numpy(dtype=object, copy=True)
    error = frame["sms_error"].to_numpy(dtype=object, copy=True)
    code = np.zeros(n, dtype=np.int64)
    has_code = np.zeros(n, dtype=bool)
    # No answer reads as an empty text, not NaN: the code column (<NA>) tells the two apart.
    text = np.full(n, "", dtype=object)
    destination = np.full(n, "", dtype=object)
    sent_at = np.full(n, math.nan)
    never = f"not attempted: {stop_reason}" if stop_reason is not None else ""
    rows = journal.positions
    status[rows] = journal.status
    error[rows] = np.where(journal.done, journal.error, never)
    code[rows], has_code[rows] = journal.code, journal.has_code
    text[rows], destination[rows] = journal.text, journal.destination
    sent_at[rows] = journal.sent_at
    for position, outcome in outcomes.items():
        status[position] = outcome.status
        error[position] = outcome.error or (never if outcome.status == "not_sent" else "")
        code[position] = outcome.code or 0
        has_code[position] = outcome.code is not None
        text[position] = outcome.text or ""
        destination[position] = outcome.destination or ""
        sent_at[position] = math.nan if outcome.sent_at is None else outcome.sent_at
    result = frame.copy()
    result["sms_status"] = pd.Series(status, index=frame.index, dtype=frame["sms_status"].dtype)
    result["sms_error"] = pd.Series(error, index=frame.index, dtype=frame["sms_error"].dtype)
    result["sms_response_code"] = pd.arrays.IntegerArray(code, ~has_code)
    result["sms_response_text"] = pd.array(text, dtype="str")
    result["sms_response_destination"] = pd.array(destination, dtype="str")
    result["sms_sent_at"] = pd.to_datetime(
        pd.Series(sent_at, index=frame.index), unit="s", utc=True
    )
    return result
