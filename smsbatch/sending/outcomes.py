"""What happened to each message, and the result frame built from it.

One home for what a gateway answer or a journal entry means for a row: ``sent``, ``failed``
(the gateway said nothing was sent), ``unknown`` (it may have been sent; never re-sent silently)
or ``not_sent`` (never attempted).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from smsbatch.gateway.reply import Response
from smsbatch.preparation.summary import DESTINATION_DIFFERS, EARLIER_RUN
from smsbatch.sending._texts import Marker, Texts, str_array

if TYPE_CHECKING:
    from smsbatch.sending._recorded import Recorded

__all__ = [
    "DESTINATION_DIFFERS",
    "ENDPOINT",
    "FIX_FIRST",
    "STOPPING_CATEGORIES",
    "UNKNOWN_ADVICE",
    "Outcome",
    "Outcomes",
    "Settled",
    "answered",
    "result_frame",
    "settled",
    "retryable",
]

Status = Literal["sent", "failed", "unknown", "not_sent"]

#: The destination of an answer that went to the number itself (filled in from ``sms_to``).
SAME_AS_TO = "="
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


#: An answer's destination that is the number the message went to (kept as that column).
_SAME = Marker("same as sms_to")
#: No error of this run's own: the row keeps its preview note (a test message says so).
_OWN = Marker("the row's own note")
_STATUSES: tuple[Status, ...] = ("not_sent", "sent", "failed", "unknown")
_STATUS_CODE = {status: code for code, status in enumerate(_STATUSES)}


class Outcomes:
    """This run's outcome of each message to send, as columns: a status byte, a time, a code
    and the number of its texts (answer, destination, error), of which a campaign holds a
    handful of distinct ones; no object per message. Safe to fill from worker threads."""

    def __init__(self, size: int) -> None:
        self.status = np.zeros(size, dtype=np.uint8)  # index into _STATUSES; 0: none yet
        self.sent_at = np.zeros(size)  # untouched pages cost no memory until a send
        self.code = np.zeros(size, dtype=np.int64)
        self.has_code = np.zeros(size, dtype=bool)
        self.note = np.zeros(size, dtype=np.int32)
        self.notes: list[tuple[object, object, object]] = []
        self._ids: dict[tuple[object, object, object], int] = {}
        self._lock = threading.Lock()

    def put(self, index: int, outcome: Outcome, to: str) -> None:
        """Record ``outcome`` for the message at ``index``, which was sent to ``to``."""
        # A destination of "=" reads as the number itself, as the journal stores that answer.
        same = outcome.destination in (to, SAME_AS_TO)
        destination = _SAME if same else outcome.destination or ""
        texts = (outcome.text or "", destination, outcome.error or _OWN)
        note = self._ids.get(texts)
        if note is None:
            with self._lock:
                note = self._ids.setdefault(texts, len(self.notes))
                if note == len(self.notes):
                    self.notes.append(texts)
        self.note[index] = note
        self.code[index] = outcome.code or 0
        self.has_code[index] = outcome.code is not None
        self.sent_at[index] = math.nan if outcome.sent_at is None else outcome.sent_at
        self.status[index] = _STATUS_CODE[outcome.status]  # last: the outcome is complete

    def recorded(self) -> np.ndarray:
        """Which messages have an outcome."""
        recorded: np.ndarray = self.status > 0
        return recorded


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
    status: Texts
    error: Texts
    code: np.ndarray
    has_code: np.ndarray
    text: Texts
    destination: Texts
    sent_at: np.ndarray

    def count(self, status: Status) -> int:
        """How many messages the journal settles with ``status`` (sent, unknown)."""
        return self.status.count(status, self.done)


def settled(positions: np.ndarray, recorded: Recorded | None, resend_unknown: bool) -> Settled:
    """What a previous run's journal means now for each ready message (a destination of
    ``SAME_AS_TO`` is the number it was sent to). A documented error answer or ``not_sent`` is
    sent again: the gateway said nothing was sent; an unknown outcome only when the user
    checked (``resend_unknown``)."""
    n = len(positions)
    status, error, text, destination = Texts(n, "not_sent"), Texts(n), Texts(n), Texts(n)
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
    status.put(ok, "sent")
    error.put(ok, EARLIER_RUN)
    status.put((other | vague) & done, "unknown")
    error.put(other & done, _ANSWER_MEANING["other"])
    shown = answered & done
    columns.code[shown] = code[shown]
    columns.has_code[:] = shown
    columns.sent_at[done] = recorded.sent_at[done]
    for note, rows in _by_note(recorded.note, shown):
        answer, same = recorded.answer(note)
        text.put(rows, answer)
        destination.put(rows, _SAME if same == SAME_AS_TO else same)
    for note, rows in _by_note(recorded.note, vague & done):
        reason = recorded.error(note) if note >= 0 else _NO_ANSWER
        error.put(rows, f"{reason}; {UNKNOWN_ADVICE}, then resume with resend_unknown=True")
    return columns


_NO_ANSWER = "the previous run stopped before its answer was recorded"
_FAMILY_CODES = (40, 50, 60, 70)


def _by_note(notes: np.ndarray, mask: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """The rows of ``mask`` grouped by their note: one decode per distinct answer or error."""
    rows = np.flatnonzero(mask)
    codes, values = pd.factorize(notes[rows])
    return [(int(value), rows[codes == i]) for i, value in enumerate(values)]


def result_frame(
    frame: pd.DataFrame,
    journal: Settled,
    outcomes: Outcomes,
    stop_reason: str | None,
) -> pd.DataFrame:
    """The preview frame with every outcome written into its row: what the journal settled,
    then this run's ``outcomes``; ready rows with neither were never attempted (``not_sent``,
    with the reason the campaign stopped).

    The text columns are assembled with ``take`` from the few distinct values they hold (and
    from ``sms_to`` for answers sent to the number itself), so a million rows make no million
    Python strings.
    """
    rows = journal.positions
    status, text, destination = journal.status, journal.text, journal.destination
    code, has_code, sent_at = journal.code, journal.has_code, journal.sent_at
    error = journal.error.copy()  # with the note of what was not attempted
    never = f"not attempted: {stop_reason}" if stop_reason is not None else ""
    error.put(~journal.done, never)
    mine = np.flatnonzero(outcomes.recorded())
    if len(mine):  # the journal's columns stay as they were
        status, text, destination = status.copy(), text.copy(), destination.copy()
        code, has_code, sent_at = code.copy(), has_code.copy(), sent_at.copy()
        status.codes[mine] = np.array([status.code(s) for s in _STATUSES])[outcomes.status[mine]]
        for part, column in enumerate((text, destination, error)):
            codes = np.array([column.code(texts[part]) for texts in outcomes.notes], np.int32)
            column.codes[mine] = codes[outcomes.note[mine]]
        code[mine], has_code[mine] = outcomes.code[mine], outcomes.has_code[mine]
        sent_at[mine] = outcomes.sent_at[mine]
    n = len(frame)
    all_codes = np.zeros(n, dtype=np.int64)
    all_codes[rows] = code
    known = np.zeros(n, dtype=bool)
    known[rows] = has_code
    times = np.full(n, math.nan)
    times[rows] = sent_at
    # The times first: their conversion's scratch memory is then reused by the columns below.
    sent = pd.Series(_utc_times(times), index=frame.index)
    result = frame.copy(deep=False)  # copy-on-write: the columns set below are new ones
    own_error = frame["sms_error"].array
    result["sms_status"] = str_array(n, rows, status, base=frame["sms_status"].array)
    result["sms_error"] = str_array(n, rows, error, base=own_error, columns={_OWN: own_error})
    result["sms_response_code"] = pd.arrays.IntegerArray(all_codes, ~known)
    # No answer reads as an empty text, not NaN: the code column (<NA>) tells the two apart.
    result["sms_response_text"] = str_array(n, rows, text)
    result["sms_response_destination"] = str_array(
        n, rows, destination, columns={_SAME: frame["sms_to"].array}
    )
    result["sms_sent_at"] = sent
    return result


def _utc_times(seconds: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """Seconds since the epoch (NaN: never) as UTC times, to the microsecond as the journal
    keeps them: numpy arithmetic, where ``pd.to_datetime`` takes a million floats one by one."""
    never = np.isnan(seconds)
    nanoseconds = np.round(np.where(never, 0.0, seconds) * 1e6).astype(np.int64)
    nanoseconds *= 1000
    nanoseconds[never] = np.iinfo(np.int64).min  # NaT
    return pd.array(nanoseconds.view("M8[ns]"), dtype=pd.DatetimeTZDtype("ns", "UTC"))
