"""What a Send would do now, for the confirmation to name before anyone ticks it: the
messages and SMS parts that would go (after the journal, the history of sends and the limit),
their cost, when they would be done, and the first of them as it will be sent.

It asks the library the questions :func:`smsbatch.run_campaign` asks before its first message
(the journal read back, :func:`~smsbatch.check_history`, :func:`estimate_finish`), so what
the box confirms is what the run does; each raises a ``SmsBatchError`` for the panel to show.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from smsbatch.preparation.campaign import Message, Prepared
from smsbatch.sending.finish import Finish, estimate_finish
from smsbatch.sending.journal_tools import read_journal
from smsbatch.sending.repeats import Repeats, check_history

__all__ = ["Plan", "plan"]


@dataclass(frozen=True)
class Plan:
    """What a Send of the confirmed preview would do, as the confirmation names it."""

    messages: int  # to be sent now
    parts: int  # their billed SMS parts
    cost: float | None  # parts x price, when a price is set
    sender: str
    host: str  # the gateway's host and port, never anything else of its URL
    finish: Finish
    journal: Path
    journal_sent: int  # sent with the journal in an earlier run: skipped
    journal_unknown: int  # of unknown outcome there: held back until checked
    repeats: Repeats  # sent through another journal, as the history of sends says
    allow_repeat: bool  # send the repeats anyway
    beyond_limit: int  # left for a later run by the limit
    start_at: str | None  # the start time as typed
    first: Message | None  # the first message that would leave


def plan(
    shown: Prepared,
    sending: Mapping[str, Any],
    *,
    price: float | None,
    journal: Path,
    gateway: str,
    host: str,
    now: dt.datetime | None = None,
) -> Plan:
    """Work out what a Send of ``shown`` with the ``sending`` options would do now.

    Raises
    ------
    SmsBatchError
        What the run would refuse before its first message: a journal that cannot be
        trusted (``JournalError``), a history that cannot be read, sending hours that never
        open or a start time in the past (``ConfigurationError``).
    """
    positions = shown.positions()
    journal_status = _journal_status(shown, positions, journal)
    repeats = check_history(shown, journal=journal, gateway=gateway)
    allow = bool(sending["allow_repeat"])
    todo = [
        p
        for p, status in zip(positions.tolist(), journal_status, strict=True)
        if status not in ("sent", "unknown") and (allow or p not in repeats.notes)
    ]
    limit = sending["limit"]
    going = todo if limit is None else todo[:limit]
    segments = shown.frame["sms_segments"].to_numpy()
    parts = int(segments[going].sum()) if going else 0
    finish = estimate_finish(
        len(going), parts=parts, rate=sending["rate"], window=sending["window"],
        days=sending["days"], tz=sending["tz"], start_at=sending["start_at"], now=now,
    )  # fmt: skip
    return Plan(
        messages=len(going),
        parts=parts,
        cost=None if price is None else parts * price,
        sender=shown.sender or "?",
        host=host,
        finish=finish,
        journal=journal,
        journal_sent=int((journal_status == "sent").sum()),
        journal_unknown=int((journal_status == "unknown").sum()),
        repeats=repeats,
        allow_repeat=allow,
        beyond_limit=len(todo) - len(going),
        start_at=sending["start_at"],
        first=shown.message(going[0]) if going else None,
    )


def _journal_status(shown: Prepared, positions: np.ndarray, journal: Path) -> np.ndarray:
    """The journal's latest status of each ready message ("" when it never saw it)."""
    try:
        stat = journal.stat()
    except FileNotFoundError:
        return np.full(len(positions), "", dtype=object)
    recorded = _recorded(str(journal), stat.st_mtime_ns, stat.st_size)
    keys = pd.Series([d.tobytes().hex() for d in shown.digests()], dtype=object)
    # As the journal counts them: a message's earlier copies in the campaign (dedupe=False).
    occurrence = 0 if keys.is_unique else keys.groupby(keys).cumcount()
    ours = pd.DataFrame({"key": keys, "occurrence": occurrence})
    merged = ours.merge(recorded, how="left", on=["key", "occurrence"])
    return merged["status"].fillna("").to_numpy(dtype=object)


@functools.lru_cache(maxsize=2)
def _recorded(path: str, mtime_ns: int, size: int) -> pd.DataFrame:
    """The journal read back, once per change of the file (not once per keystroke)."""
    return read_journal(path)[["key", "occurrence", "status"]].astype({"key": object})
