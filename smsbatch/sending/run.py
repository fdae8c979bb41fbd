"""One campaign run: prepare (or take a prepared campaign), check it against what the person
confirmed, send it throttled, retried only where safe and journaled, and report as data.

Everything checkable is checked by :func:`smsbatch.prepare` before the first request. Sending
then owns what can only happen while sending, with one rule above all others: the API has no
idempotency key, so a request that may have reached the gateway is never repeated silently.
``NotSentError`` and 50x answers are retried; a request whose outcome is unknown becomes an
``unknown`` row that the user has to check.

:func:`run_campaign` returns a :class:`RunReport` and never raises for a stop: the CLI and the
panel present that report. :func:`send` is the same run for Python callers: it returns the
result frame, warns on a Ctrl-C or a resume, and raises ``CampaignStopped`` for a stop.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Unpack

import numpy as np
import pandas as pd

from smsbatch._frames import to_pandas, unchanged
from smsbatch.exceptions import CampaignChangedError, CampaignStopped
from smsbatch.preparation.campaign import MessageOptions, Prepared
from smsbatch.preparation.summary import destinations_differ
from smsbatch.preparation.trial import trial_campaign
from smsbatch.sending import _setup
from smsbatch.sending._attempt import Jobs, Settings, dispatcher
from smsbatch.sending._loop import Loop
from smsbatch.sending._recorded import Recorded, occurrences
from smsbatch.sending._setup import Clock  # run_campaign's clock= (and run.Clock, as before)
from smsbatch.sending.history import HistorySetting, open_history
from smsbatch.sending.hours import DEFAULT_TZ
from smsbatch.sending.journal import Privacy, open_journal
from smsbatch.sending.outcomes import Outcomes, result_frame, settled
from smsbatch.sending.repeats import find_repeats, message_keys
from smsbatch.sending.report import RunReport
from smsbatch.sending.throttle import DEFAULT_RATE, Throttle

if TYPE_CHECKING:
    from smsbatch.gateway.client import Client

__all__ = ["DEFAULT_RATE", "run_campaign", "send"]

logger = logging.getLogger(__name__)


def send(
    df: pd.DataFrame | Prepared,
    client: Client,
    *,
    sender: str | None = None,
    rate: float | None = DEFAULT_RATE,
    rate_unit: Literal["message", "segment"] = "message",
    workers: int = 1,
    journal: str | os.PathLike[str] | None = None,
    journal_privacy: Privacy = "full",
    dry_run: bool = False,
    progress: bool = True,
    retries: int = 3,
    backoff: float = 1.0,
    max_consecutive_failures: int | None = 10,
    resend_unknown: bool = False,
    window: str | None = None,
    days: str = "mon-sun",
    tz: str = DEFAULT_TZ,
    start_at: dt.datetime | str | None = None,
    limit: int | None = None,
    test_to: Sequence[str] | None = None,
    history: HistorySetting = True,
    allow_repeat: bool = False,
    **options: Unpack[MessageOptions],
) -> pd.DataFrame:
    """Send one message per ready row of ``df`` and return what happened to every row.

    The rows are prepared exactly as :func:`smsbatch.preview` shows them; a template
    error or a bad sender raises before anything is sent, while an invalid row only skips that
    row.

    Parameters
    ----------
    df : DataFrame or Prepared
        The recipients (never modified; pandas, polars or pyarrow, and the result is the same
        kind, rows in input order), or a campaign made with
        :func:`smsbatch.prepare`: then exactly the messages it holds are sent, with its
        sender, and no message options may be given.
    client : Client
        Where to send (the real gateway or a :class:`~smsbatch.Simulator`'s URL).
    to, text, vcard, binary, region, exclude, dedupe, max_segments, price_per_segment, transliterate
        As for :func:`smsbatch.preview`.
    sender : str
        The originator shown on the phone (required unless ``df`` is prepared with one).
    rate : float or None, default 10
        Requests (or segments, see ``rate_unit``) per second over all workers, evenly spaced;
        in no one-second window more than ``ceil(rate)``. ``None``: as fast as possible.
    rate_unit : {"message", "segment"}
        Count the rate in requests, or in segments as gateways bill them.
    workers : int, default 1
        Threads sending at once; they share the rate.
    journal : path, optional
        One file recording every attempt before it leaves and every answer. Run again
        with the same journal to resume: messages already sent are not sent again (their
        recorded answer is returned), whatever the order or edits of the rows; failed ones
        are tried again; unknown ones stay ``unknown`` unless ``resend_unknown``. A file that
        is not a trustworthy journal raises ``JournalError`` before anything is sent.
    journal_privacy : {"full", "minimal"}
        ``"minimal"`` never writes numbers or texts to the journal: only keys (hashes),
        states, codes and times, which is all a resume needs.
    dry_run : bool
        Send nothing; return the preview.
    progress : bool
        Show a progress bar with sent/failed counts (``print(smsbatch.summarize(result))``
        shows the summary afterwards).
    retries : int, default 3
        Extra attempts after a 50x answer or a ``NotSentError`` (never after an unknown
        outcome), waiting ``backoff * 2**attempt`` seconds with jitter.
    backoff : float, default 1.0
        First retry delay in seconds (0 retries at once).
    max_consecutive_failures : int or None, default 10
        Stop after this many failed or unknown messages in a row; ``None`` never stops.
    resend_unknown : bool
        On resume, send again the messages whose earlier outcome is unknown. Only after you
        checked with the provider that they did not arrive.
    window, days, tz : str, optional
        Sending hours, e.g. ``window="08:00-21:00", days="mon-sat"`` in ``tz`` (default
        Europe/Amsterdam): outside them no request leaves; the campaign waits (the progress bar
        says until when) and goes on when they open.
    start_at : datetime or ISO string, optional
        Send nothing before this moment (naive means ``tz``); one in the past is an error.
    limit : int, optional
        Send only the first ``limit`` messages still to send; the rest stay ``not_sent``, to
        send by running again with the same journal.
    test_to : list of numbers, optional
        Send only a test: the first ready message, as rendered for its row, to each of these
        numbers (yours); nothing goes to the recipients and nothing counts as sent to them.
    history : bool or path, default True
        The user's history of sends (keyed hashes, no numbers or texts; see the README): every
        message the gateway answered 200, or whose outcome is unknown, is recorded there, and a
        message already recorded through another journal is not sent again (its row becomes
        ``duplicate`` and says when and through which journal). False: no history; a path:
        that file instead.
    allow_repeat : bool
        Send the messages the history says another journal already sent, too.

    Returns
    -------
    DataFrame
        The preview's columns plus ``sms_response_code``, ``sms_response_text``,
        ``sms_response_destination`` (the gateway's own answer) and ``sms_sent_at`` (when
        the request left, UTC); ``sms_status`` is ``sent``, ``failed``, ``unknown``,
        ``not_sent``, ``invalid``, ``duplicate`` or ``excluded``. Same index and order as
        ``df``. A Ctrl-C returns the partial result, with a warning.

    Raises
    ------
    PreparationError
        Before anything is sent: a template or sender problem.
    JournalError
        Before anything is sent: the journal cannot be trusted or is in use.
    CampaignStopped
        A 40x/70x answer, too many failures in a row, or a journal that stopped accepting
        records (deleted, replaced, disk full) stopped the campaign; ``.result`` holds every
        row, the ones not attempted as ``not_sent``.

    Examples
    --------
    >>> result = send(df, client, text="Hi {name}!", sender="Clinic",  # doctest: +SKIP
    ...               journal="campaign.db")
    >>> result["sms_status"].value_counts()  # doctest: +SKIP
    """
    frame, restore = (df, unchanged) if isinstance(df, Prepared) else to_pandas(df)
    if dry_run:
        _setup.check_options(rate_unit, workers, retries, backoff, max_consecutive_failures, limit)
        Throttle(rate)  # checks the rate
        return restore(_setup.prepared(frame, sender, options)[0].frame)
    report = run_campaign(
        frame,
        client,
        sender=sender,
        rate=rate,
        rate_unit=rate_unit,
        workers=workers,
        journal=journal,
        journal_privacy=journal_privacy,
        progress=progress,
        retries=retries,
        backoff=backoff,
        max_consecutive_failures=max_consecutive_failures,
        resend_unknown=resend_unknown,
        window=window,
        days=days,
        tz=tz,
        start_at=start_at,
        limit=limit,
        test_to=test_to,
        history=history,
        allow_repeat=allow_repeat,
        **options,
    )
    if report.repeats:
        warnings.warn(
            f"{report.repeats:,} messages were already sent to the same numbers through another"
            " journal (the history of sends says so) and were not sent again; their sms_error"
            " says when and through which journal; allow_repeat=True sends them again",
            stacklevel=2,
        )
    if report.already_sent:
        # Said out loud: a campaign repeated on purpose with the same journal reaches nobody.
        warnings.warn(
            f"resumed from the journal {os.fspath(journal or '')!r}: {report.already_sent:,} "
            "messages were already sent in an earlier run and were not sent again (to send the "
            "same messages again on purpose, use a new journal file and allow_repeat=True)",
            stacklevel=2,
        )
    differs = destinations_differ(report.result)
    if differs:
        warnings.warn(
            f"{differs:,} sent messages were answered for another destination than the number "
            "sent; see sms_error and check with the provider who received them",
            stacklevel=2,
        )
    result = restore(report.result)  # the caller's kind of frame
    if report.stop_reason is None:
        return result
    resume = (
        f"run send() again with journal={os.fspath(journal)!r} to resume"
        if journal is not None
        else "send the rows whose sms_status is 'not_sent' (next time pass journal= to resume)"
    )
    message = f"{report.stop_message()}: {resume}"
    if not report.stopped:
        warnings.warn(message, stacklevel=2)
        return result
    raise CampaignStopped(
        message, result=result, reason=report.stop_reason, category=report.stop_category
    ) from report.error


def run_campaign(
    campaign: pd.DataFrame | Prepared,
    client: Client,
    *,
    confirmed: Prepared | None = None,
    sender: str | None = None,
    rate: float | None = DEFAULT_RATE,
    rate_unit: Literal["message", "segment"] = "message",
    workers: int = 1,
    journal: str | os.PathLike[str] | None = None,
    journal_privacy: Privacy = "full",
    progress: bool = True,
    retries: int = 3,
    backoff: float = 1.0,
    max_consecutive_failures: int | None = 10,
    resend_unknown: bool = False,
    window: str | None = None,
    days: str = "mon-sun",
    tz: str = DEFAULT_TZ,
    start_at: dt.datetime | str | None = None,
    limit: int | None = None,
    test_to: Sequence[str] | None = None,
    clock: Clock | None = None,
    history: HistorySetting = True,
    allow_repeat: bool = False,
    **options: Unpack[MessageOptions],
) -> RunReport:
    """Send a campaign and report what happened, as data; a stop is reported, not raised.

    Takes every option of :func:`send` but ``dry_run``, and ``confirmed``: the preparation a
    person looked at and approved. The campaign is then prepared again and sent only if it
    still holds exactly those messages (an opt-out file may have changed meanwhile); else
    :class:`~smsbatch.CampaignChangedError` is raised and nothing is sent. ``clock`` (an
    object with ``now()`` and ``wait(seconds)``) stands in for real time in tests.

    Raises
    ------
    PreparationError, ConfigurationError, JournalError
        Before anything is sent.

    Examples
    --------
    >>> shown = smsbatch.prepare(df, text="Hi {name}", sender="Clinic")  # doctest: +SKIP
    >>> report = run_campaign(df, client, confirmed=shown, text="Hi {name}",  # doctest: +SKIP
    ...                       sender="Clinic", journal="campaign.db")
    >>> report.sent, report.already_sent, report.stop_reason  # doctest: +SKIP
    """
    stop = threading.Event()
    throttle = Throttle(rate, sleep=stop.wait)  # a stop also ends a wait for the next slot
    _setup.check_options(rate_unit, workers, retries, backoff, max_consecutive_failures, limit)
    prepared, originator = _setup.prepared(campaign, sender, options)
    if confirmed is not None and not prepared.same_messages(confirmed):
        raise CampaignChangedError(
            "the campaign changed since its preview was confirmed (the exclude list?); "
            "nothing was sent: look at the new preview and confirm again"
        )
    settings = Settings(
        throttle,
        rate_unit == "segment",
        retries,
        backoff,
        max_consecutive_failures,
        _setup.gate(window, days, tz, start_at, clock, stop),
    )
    if test_to is not None:
        prepared = trial_campaign(prepared, test_to, options.get("region", "NL"))
        # A test is never a campaign's record: it must not skip anyone later.
        journal, history = None, False
    positions = prepared.positions()
    keyed = journal is not None or history is not False  # the history needs the keys too
    digests = prepared.digests() if keyed else np.zeros((len(positions), 2), "u8")
    occurrence = occurrences(digests) if keyed else np.zeros(len(positions), "i8")
    recorded = Recorded(digests, occurrence) if journal is not None else None
    with (
        open_journal(journal, privacy=journal_privacy, reader=recorded) as book,
        open_history(history, journal, client.base_url) as past,
    ):
        if recorded is not None:
            recorded.release()  # the journal is read
        earlier = settled(positions, recorded, resend_unknown)

        def journaled() -> set[str]:  # the keys the journal records
            known = digests[recorded.event > 0] if recorded is not None else digests[:0]
            return message_keys(known)

        todo = Jobs(prepared, positions, digests, occurrence, np.flatnonzero(~earlier.done))
        if recorded is not None and recorded.event.any():
            logger.info(
                "resuming from the journal: %d already sent, %d unknown, %d to send",
                earlier.count("sent"),
                earlier.count("unknown"),
                len(todo),
            )
        # What the journal leaves to send, another journal may have sent: found before the
        # first message leaves.
        # Claimed in the history too: a campaign starting meanwhile finds them being sent.
        repeats = find_repeats(
            past, todo.keys(), journaled, claim=True, limit=limit, allow_repeat=allow_repeat
        )
        if repeats:
            todo = todo.without(repeats.notes)
        todo = todo.first(limit)
        outcomes = Outcomes(len(positions))
        loop = Loop(dispatcher(client, originator), settings, book, stop, outcomes, past)
        with past.recording():
            loop.run(todo, workers=workers, progress=progress)
    result = repeats.mark(result_frame(prepared.frame, earlier, outcomes, loop.stop_reason))
    return RunReport(
        result=result,
        journal=None if journal is None else Path(journal),
        sent=loop.counts.sent,
        failed=loop.counts.failed,
        unknown=loop.counts.unknown,
        to_send=len(todo),
        not_attempted=len(todo) - int(np.count_nonzero(outcomes.recorded()[todo.indices])),
        already_sent=earlier.count("sent"),
        earlier_unknown=earlier.count("unknown"),
        repeats=repeats.count,
        interrupted=loop.interrupted,
        stop_reason=loop.stop_reason,
        stop_category=loop.stop_category,
        error=loop.crash,
    )

