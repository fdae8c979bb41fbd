"""Messages of a campaign that another journal already sent, as the user's history says.

:func:`check_history` is what a front end calls between the preview and "Send N messages?";
:func:`run_campaign` finds the same repeats again just before its first message leaves and
skips them unless ``allow_repeat=True``. Their rows become ``duplicate``, with an ``sms_error``
that says when, through which journal, and how to send them anyway.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import compress

import numpy as np
import pandas as pd

from smsbatch.preparation.campaign import Prepared
from smsbatch.preparation.summary import ANOTHER_JOURNAL
from smsbatch.sending.history import History, HistorySetting, NoHistory, Repeat, history_path
from smsbatch.sending.journal_tools import journal_status

__all__ = ["Repeats", "check_history", "find_repeats", "history_repeats", "message_keys"]

#: How a repeat is sent anyway, in Python and on the command line.
ALLOW = "allow_repeat=True (--allow-repeat) sends it again"


@dataclass(frozen=True)
class Repeats:
    """The messages of a campaign that the history says went out through another journal.

    Attributes
    ----------
    notes : dict of int to str
        By row position, the ``sms_error`` of each such row: when it was sent and through
        which journal.
    unknown : int
        How many of them had an unknown outcome there (they may or may not have arrived).
    days : tuple of str
        The days they were sent, oldest first (``"30 Nov 2026"``).
    journals : tuple of str
        The file names of the journals they went through.
    """

    notes: Mapping[int, str] = field(default_factory=dict)
    unknown: int = 0
    sending: int = 0
    days: tuple[str, ...] = ()
    journals: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        """How many messages were sent before through another journal."""
        return len(self.notes)

    def __bool__(self) -> bool:
        return bool(self.notes)

    def __str__(self) -> str:
        """What a front end says before asking, e.g. ``"12 messages were sent to the same
        numbers on 30 Nov 2026 through another journal (campagne.db)"``; it adds their fate."""
        days = self.days
        when = f"on {days[0]}" if len(days) == 1 else f"between {days[0]} and {days[-1]}"
        unknown = f", {self.unknown:,} of them with an unknown outcome" if self.unknown else ""
        if self.sending:
            unknown += f", {self.sending:,} of them being sent right now by a campaign that runs"
        return (
            f"{self.count:,} messages were sent to the same numbers {when} through another"
            f" journal ({', '.join(self.journals)}{unknown})"
        )

    def mark(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Return ``frame`` (a preview or a result) with these rows ``duplicate`` and the note in
        ``sms_error``; ``frame`` itself is unchanged."""
        if not self.notes:
            return frame
        positions = np.fromiter(self.notes, dtype=np.int64, count=len(self.notes))
        status = frame["sms_status"].to_numpy(dtype=object, copy=True)
        error = frame["sms_error"].to_numpy(dtype=object, copy=True)
        status[positions] = "duplicate"
        error[positions] = list(self.notes.values())
        marked = frame.copy(deep=False)
        marked["sms_status"] = pd.Series(status, index=frame.index, dtype=frame["sms_status"].dtype)
        marked["sms_error"] = pd.Series(error, index=frame.index, dtype=frame["sms_error"].dtype)
        return marked


def find_repeats(
    past: History | NoHistory,
    messages: Iterable[tuple[int, str]],
    journaled: Callable[[], Container[str]] = frozenset,
    *,
    claim: bool = False,
    limit: int | None = None,
    allow_repeat: bool = False,
) -> Repeats:
    """The repeats among ``(row position, Message.key)`` pairs. ``journaled()`` gives the keys
    the campaign's journal records (asked only when the history holds sends through the same
    journal path): the history's sends of those through it are the journal's business; of
    any other message they are repeats (the journal there was deleted and made anew).

    ``claim``: the campaign is about to send these messages, but for the repeats (unless
    ``allow_repeat``: then none are returned), the first ``limit`` of them; exactly those are
    claimed in the history (see :meth:`History.claim`), in the transaction that finds the
    repeats.
    """
    if isinstance(past, NoHistory):  # nothing to find: no need to list a million keys
        return Repeats()
    messages = list(messages)
    keys = [key for _, key in messages]
    if not claim:
        return _repeats(past.repeats(keys), messages, journaled)
    made: list[Repeats] = []  # by sends(), inside the claim's transaction

    def sends(found: dict[str, Repeat]) -> list[str]:
        made.append(_repeats(found, messages, journaled))
        notes = {} if allow_repeat else made[-1].notes
        return [key for position, key in messages if position not in notes][:limit]

    past.claim(keys, sends)
    return Repeats() if allow_repeat else made[-1]  # claimed all the same: none are skipped


def _repeats(
    found: dict[str, Repeat],
    messages: list[tuple[int, str]],
    journaled: Callable[[], Container[str]],
) -> Repeats:
    """The repeats the history ``found`` among ``messages``."""
    if not found:
        return Repeats()
    notes: dict[int, str] = {}
    unknown = sending = 0
    counted: dict[str, Repeat] = {}
    known = journaled() if any(repeat.here for repeat in found.values()) else frozenset()
    for position, key in messages:
        repeat = found.get(key)
        if repeat is None or (repeat.here and key in known):
            continue
        counted[key] = repeat
        where = f"on {repeat.day} {ANOTHER_JOURNAL} ({_journal(repeat)})"
        if repeat.state == "sent":
            notes[position] = f"the same message was sent to this number {where}; {ALLOW}"
        elif repeat.state == "sending":
            sending += 1
            notes[position] = (
                "the same message is being sent to this number right now by a campaign that runs"
                f" through another journal ({_journal(repeat)}); {ALLOW}"
            )
        else:
            unknown += 1
            notes[position] = (
                f"the same message may have reached this number {where}: its outcome is unknown"
                f" there; check with the provider, then {ALLOW}"
            )
    repeats = sorted(counted.values(), key=lambda r: r.at)
    return Repeats(
        notes=notes,
        unknown=unknown,
        sending=sending,
        days=tuple(dict.fromkeys(r.day for r in repeats)),
        journals=tuple(dict.fromkeys(_journal(r) for r in repeats)),
    )


def _journal(repeat: Repeat) -> str:
    """The journal a repeat went through, as the user is told."""
    name = repeat.journal_name
    return f"{name}, an earlier file at this path" if repeat.here else name


def check_history(
    campaign: Prepared,
    *,
    journal: str | os.PathLike[str] | None = None,
    history: HistorySetting = True,
    gateway: str = "",
) -> Repeats:
    """Find the messages of ``campaign`` that were already sent through another journal.

    What :func:`smsbatch.run_campaign` will skip (unless ``allow_repeat=True``), for a front end
    to show before it asks to confirm. Messages recorded through ``journal`` itself are the
    journal's business (a resume) while it records them. Nothing is created or recorded, but for
    the last sends of a campaign that was killed before it recorded them (copied from its
    journal).

    Parameters
    ----------
    campaign : Prepared
        The campaign as :func:`smsbatch.prepare` made it.
    journal : path, optional
        The journal the campaign will be sent with.
    history : bool or path, default True
        The user's history of sends; False: none (nothing is found); a path: that file.
    gateway : str
        The base URL the campaign goes to (``client.base_url``): sends are remembered per
        gateway, so a rehearsal against the simulator never makes a real campaign skip anyone.

    Examples
    --------
    >>> shown = smsbatch.prepare(df, text="Hi {name}", sender="Clinic")  # doctest: +SKIP
    >>> repeats = smsbatch.check_history(shown, journal="campaign.db")  # doctest: +SKIP
    >>> repeats.count, repeats.days, repeats.journals  # doctest: +SKIP
    (12, ('30 Nov 2026',), ('campagne.db',))
    >>> repeats.mark(shown.frame)  # the preview with those rows marked  # doctest: +SKIP
    """
    return history_repeats(campaign, journal, history, gateway, journal_status(campaign, journal))


def history_repeats(
    campaign: Prepared,
    journal: str | os.PathLike[str] | None,
    history: HistorySetting,
    gateway: str,
    status: np.ndarray,
) -> Repeats:
    """:func:`check_history`, with the journal's ``status`` of each ready message read."""
    path = history_path(history)
    if path is None or not path.exists():
        return Repeats()
    keys = _hex(campaign.digests())  # Message.key of each ready row, hashed once
    with History(path, journal, gateway) as past:
        messages = zip(campaign.positions().tolist(), keys, strict=True)
        return find_repeats(past, messages, lambda: set(compress(keys, status != "")))


def message_keys(digests: np.ndarray) -> set[str]:
    """The ``Message.key`` of each of these digests."""
    return set(_hex(digests))


def _hex(digests: np.ndarray) -> list[str]:
    return [digest.tobytes().hex() for digest in digests]
