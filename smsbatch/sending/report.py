"""What one campaign run did, as data: the front ends present it, nothing re-derives it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from smsbatch.preparation.summary import Summary, summarize
from smsbatch.sending.outcomes import FIX_FIRST

__all__ = ["RunReport"]


@dataclass(frozen=True)
class RunReport:
    """The outcome of :func:`smsbatch.run_campaign`: the result and what a person must know.

    Attributes
    ----------
    result : DataFrame
        Every input row with its ``sms_status`` and the gateway's answer (as ``send`` returns).
    journal : Path or None
        The journal this run kept, to resume from.
    sent, failed, unknown : int
        Messages this run sent, that the gateway refused, and whose outcome is unknown.
    to_send : int
        Messages this run set out to send (ready, and not settled by the journal).
    not_attempted : int
        Of those, the ones never tried (the run stopped, or was interrupted).
    already_sent : int
        Messages skipped because the journal says an earlier run sent them.
    earlier_unknown : int
        Messages held back because an earlier run's outcome for them is unknown.
    repeats : int
        Messages skipped because the user's history of sends says another journal already
        sent them (``allow_repeat=True`` sends them); their rows are ``duplicate``.
    interrupted : bool
        A Ctrl-C (or Jupyter's stop button) ended the run.
    stop_reason : str or None
        Why the run stopped before the end (a stopping answer, failures in a row, Ctrl-C).
    stop_category : str or None
        The ``Response.category`` of the answer that stopped it (``"auth_or_funds"``,
        ``"reseller_funds"``), None for any other cause.
    error : BaseException or None
        An unexpected error that stopped the run (a bug, a full disk).
    """

    result: pd.DataFrame
    journal: Path | None
    sent: int
    failed: int
    unknown: int
    to_send: int
    not_attempted: int
    already_sent: int
    earlier_unknown: int
    repeats: int = 0
    interrupted: bool = False
    stop_reason: str | None = None
    stop_category: str | None = None
    error: BaseException | None = None

    @property
    def stopped(self) -> bool:
        """True when the run ended early for a reason other than a Ctrl-C."""
        return self.stop_reason is not None and not (self.interrupted and self.error is None)

    @property
    def complete(self) -> bool:
        """True when every ready message was sent (now or in an earlier run)."""
        return self.stop_reason is None and not (
            self.failed or self.unknown or self.earlier_unknown
        )

    @property
    def fix_first(self) -> str | None:
        """What to fix before resuming can help, when the gateway refused the account."""
        return FIX_FIRST.get(self.stop_category or "")

    def summary(self) -> Summary:
        """Summarise the result for a person (see :func:`smsbatch.summarize`)."""
        return summarize(self.result)

    def stop_message(self) -> str:
        """One sentence: why the run stopped and how far it got."""
        done = self.sent + self.failed + self.unknown
        return f"{self.stop_reason}; stopped after {done} of {self.to_send} messages"
