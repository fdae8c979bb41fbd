"""What a send would do now, for a confirmation to name before anyone says yes: the messages
and SMS parts that would go (after the journal, the history of sends and the limit), their
cost, when they would be done, and the first of them as it will be sent.

It asks the questions :func:`smsbatch.run_campaign` asks before its first message (the
journal read back, :func:`~smsbatch.check_history`, :func:`~smsbatch.estimate_finish`), so
what a person confirms is what the run does. The CLI's prompt and the panel's confirmation
both show a :class:`SendPlan`; nothing is created, locked or recorded.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from smsbatch.preparation.campaign import Message, Prepared
from smsbatch.preparation.summary import PRICE_ATTR
from smsbatch.sending.finish import Finish, estimate_finish
from smsbatch.sending.history import HistorySetting
from smsbatch.sending.hours import DEFAULT_TZ
from smsbatch.sending.journal_tools import journal_status
from smsbatch.sending.repeats import Repeats, history_repeats
from smsbatch.sending.throttle import DEFAULT_RATE

__all__ = ["SendPlan", "plan_send"]


@dataclass(frozen=True)
class SendPlan:
    """What a send of a confirmed preview would do now, as a confirmation names it.

    Attributes
    ----------
    messages, parts : int
        The messages that would be sent now, and their billed SMS parts.
    cost : float or None
        ``parts`` x the price per part, when the preview was given one.
    sender : str
        The sender shown on the phones ("?" when the preview has none).
    host : str
        The gateway's host and port: never anything else of its URL (no password).
    finish : Finish
        When they would be sent, at the rate and within the sending hours.
    journal : Path or None
        The journal that the send keeps.
    journal_sent, journal_unknown : int
        Messages the journal has as sent in an earlier run (skipped), and as of unknown
        outcome held back until checked (0 with ``resend_unknown``: they are sent again).
    repeats : Repeats
        Messages sent through another journal, as the history of sends says.
    allow_repeat : bool
        Whether the repeats are sent anyway.
    beyond_limit : int
        Messages left ``not_sent`` by the limit, for a later run with the same journal.
    first : Message or None
        The first message that would leave.
    """

    messages: int
    parts: int
    cost: float | None
    sender: str
    host: str
    finish: Finish
    journal: Path | None
    journal_sent: int
    journal_unknown: int
    repeats: Repeats
    allow_repeat: bool
    beyond_limit: int
    first: Message | None


def plan_send(
    prepared: Prepared,
    *,
    gateway: str,
    journal: str | os.PathLike[str] | None = None,
    history: HistorySetting = True,
    allow_repeat: bool = False,
    resend_unknown: bool = False,
    limit: int | None = None,
    rate: float | None = DEFAULT_RATE,
    window: str | None = None,
    days: str = "mon-sun",
    tz: str = DEFAULT_TZ,
    start_at: dt.datetime | str | None = None,
    now: dt.datetime | None = None,
) -> SendPlan:
    """Work out what :func:`smsbatch.run_campaign` of ``prepared`` with these options (the
    same names and values) would send now, through the gateway at base URL ``gateway``.

    Raises
    ------
    SmsBatchError
        What the run would refuse before its first message: a journal that cannot be trusted
        (``JournalError``), a history that cannot be read, sending hours that never open or a
        start time in the past (``ConfigurationError``).
    """
    positions = prepared.positions()
    status = journal_status(prepared, journal)
    repeats = history_repeats(prepared, journal, history, gateway, status)
    held = ("sent",) if resend_unknown else ("sent", "unknown")
    todo = [
        p
        for p, s in zip(positions.tolist(), status, strict=True)
        if s not in held and (allow_repeat or p not in repeats.notes)
    ]
    going = todo if limit is None else todo[:limit]
    parts = int(prepared.frame["sms_segments"].to_numpy()[going].sum()) if going else 0
    finish = estimate_finish(
        len(going), parts=parts, rate=rate, window=window, days=days, tz=tz,
        start_at=start_at, now=now,
    )  # fmt: skip
    price = prepared.frame.attrs.get(PRICE_ATTR)
    return SendPlan(
        messages=len(going),
        parts=parts,
        cost=None if price is None else parts * float(price),
        sender=prepared.sender or "?",
        host=_host(gateway),
        finish=finish,
        journal=None if journal is None else Path(journal),
        journal_sent=int((status == "sent").sum()),
        journal_unknown=0 if resend_unknown else int((status == "unknown").sum()),
        repeats=repeats,
        allow_repeat=allow_repeat,
        beyond_limit=len(todo) - len(going),
        first=prepared.message(going[0]) if going else None,
    )


def _host(base_url: str) -> str:
    """Host and port of the gateway URL, never anything else of it (no userinfo, no query)."""
    parts = urlsplit(base_url)
    host = parts.hostname or "?"
    return f"{host}:{parts.port}" if parts.port else host
