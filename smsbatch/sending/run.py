"""Send a prepared campaign: throttled, retried only where safe, journaled, stoppable.

Everything checkable is checked by :func:`smsbatch.prepare` before the first request.
The sender then owns what can only happen while sending, with one rule above all others: the
API has no idempotency key, so a request that may have reached the gateway is never repeated
silently. ``NotSentError`` and 50x answers are retried; a request whose outcome is unknown
becomes an ``unknown`` row that the user has to check.

Requests run in worker threads while the calling thread only watches: a Ctrl-C (or Jupyter's
stop button) then lands in the watcher, never in the middle of a request, so the request in
flight finishes, its answer is recorded and the partial result is returned.
"""

from __future__ import annotations

import logging
import math
import os
import random
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Unpack

import pandas as pd
from tqdm.auto import tqdm

from smsbatch.exceptions import (
    CampaignStopped,
    ConfigurationError,
    InvalidSenderError,
    NotSentError,
    OutcomeUnknownError,
)
from smsbatch.gateway.client import Response
from smsbatch.preparation.campaign import Message, MessageOptions, Prepared, prepare
from smsbatch.preparation.summary import summarize
from smsbatch.sending.journal import Entry, Ident, Journal
from smsbatch.sending.throttle import DEFAULT_RATE, Throttle

if TYPE_CHECKING:
    from smsbatch.gateway.client import Client

__all__ = ["DEFAULT_RATE", "send"]

logger = logging.getLogger(__name__)

_UNKNOWN_ADVICE = "check with the provider before sending it again"
#: What an answer other than 200 means for the user, by the code's documented family.
_ANSWER_MEANING = {
    "auth_or_funds": "credentials or credit (40x): nothing was sent",
    "server": "the gateway failed (50x): nothing was sent",
    "carrier": "the carrier refused this destination (60x): nothing was sent",
    "reseller_funds": "the reseller is out of credit (70x): nothing was sent",
    "other": f"a code outside the documented families: it may have been sent; {_UNKNOWN_ADVICE}",
}
_STOPPING_CATEGORIES = frozenset({"auth_or_funds", "reseller_funds"})
#: The note on a row the journal says was sent before; the only ``sent`` row with an sms_error.
EARLIER_RUN = "already sent in an earlier run (the journal says so); not sent again"

Status = Literal["sent", "failed", "unknown", "not_sent"]


@dataclass(slots=True)
class _Outcome:
    """What happened to one message; becomes one row of the result."""

    status: Status
    sent_at: float | None = None
    code: int | None = None
    text: str | None = None
    destination: str | None = None
    error: str | None = None
    category: str | None = None  # Response.category of a gateway answer


_NEVER_ATTEMPTED = _Outcome("not_sent")


@dataclass(slots=True)
class _Job:
    position: int
    message: Message
    ident: Ident


def send(
    df: pd.DataFrame | Prepared,
    client: Client,
    *,
    sender: str | None = None,
    rate: float | None = DEFAULT_RATE,
    rate_unit: Literal["message", "segment"] = "message",
    workers: int = 1,
    journal: str | os.PathLike[str] | None = None,
    dry_run: bool = False,
    progress: bool = True,
    retries: int = 3,
    backoff: float = 1.0,
    max_consecutive_failures: int | None = 10,
    resend_unknown: bool = False,
    **options: Unpack[MessageOptions],
) -> pd.DataFrame:
    """Send one message per ready row of ``df`` and return what happened to every row.

    The rows are prepared exactly as :func:`smsbatch.preview` shows them; a template
    error or a bad sender raises before anything is sent, while an invalid row only skips that
    row.

    Parameters
    ----------
    df : DataFrame or Prepared
        The recipients (never modified), or a campaign made with
        :func:`smsbatch.prepare`: then exactly the messages it holds are sent, with its
        sender, and no message options may be given.
    client : Client
        Where to send (the real gateway or a :class:`~smsbatch.Simulator`'s URL).
    to, text, vcard, binary, region, exclude, dedupe, max_segments, price_per_segment, transliterate
        As for :func:`smsbatch.preparation.campaign.preview`.
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
        An SQLite file recording every attempt before it leaves and every answer. Run again
        with the same journal to resume: messages already sent are not sent again (their
        recorded answer is returned), whatever the order or edits of the rows; failed ones
        are tried again; unknown ones stay ``unknown`` unless ``resend_unknown``.
    dry_run : bool
        Send nothing; return the preview.
    progress : bool
        Show a progress bar with sent/failed counts and the summary at the end.
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
    CampaignStopped
        A 40x/70x answer or too many failures in a row stopped the campaign; ``.result``
        holds every row, the ones not attempted as ``not_sent``.

    Examples
    --------
    >>> result = send(df, client, text="Hi {name}!", sender="Clinic",  # doctest: +SKIP
    ...               journal="campaign.db")
    >>> result["sms_status"].value_counts()  # doctest: +SKIP
    """
    stop = threading.Event()
    throttle = Throttle(rate, sleep=stop.wait)  # a stop also ends a wait for the next slot
    _check_options(rate_unit, workers, retries, backoff, max_consecutive_failures)
    if isinstance(df, Prepared):
        if options or sender not in (None, df.sender):
            raise ConfigurationError(
                "a prepared campaign brings its own sender and message options; "
                "pass only the sending options (rate, journal, ...)"
            )
        prepared = df
    else:
        prepared = prepare(df, sender=sender, **options)
    if prepared.sender is None:
        raise InvalidSenderError("a sender is required to send", column="sender")
    if dry_run:
        return prepared.frame
    jobs = list(_jobs(prepared.messages()))
    with _open_journal(journal) as book:
        campaign = _Campaign(
            client,
            prepared.sender,
            throttle=throttle,
            stop=stop,
            rate_unit=rate_unit,
            journal=book,
            retries=retries,
            backoff=backoff,
            max_consecutive_failures=max_consecutive_failures,
        )
        todo = campaign.resume(jobs, resend_unknown=resend_unknown)
        campaign.run(todo, workers=workers, progress=progress)
    result = _result(prepared.frame, [job.position for job in jobs], campaign.outcomes)
    return _finish(result, campaign, journal, progress)


def _check_options(
    rate_unit: str,
    workers: int,
    retries: int,
    backoff: float,
    max_consecutive_failures: int | None,
) -> None:
    if rate_unit not in ("message", "segment"):
        raise ConfigurationError(f"rate_unit must be 'message' or 'segment', not {rate_unit!r}")
    if not (isinstance(workers, int) and workers >= 1):
        raise ConfigurationError(f"workers must be a whole number >= 1, not {workers!r}")
    if not (isinstance(retries, int) and retries >= 0):
        raise ConfigurationError(f"retries must be a whole number >= 0, not {retries!r}")
    if not backoff >= 0:
        raise ConfigurationError(f"backoff must be >= 0 seconds, not {backoff!r}")
    if max_consecutive_failures is not None and not (
        isinstance(max_consecutive_failures, int) and max_consecutive_failures >= 1
    ):
        raise ConfigurationError(
            f"max_consecutive_failures must be >= 1 or None, not {max_consecutive_failures!r}"
        )


def _jobs(messages: Iterator[tuple[int, Message]]) -> Iterator[_Job]:
    """Pair each message with its journal identity: its key and how often it came before."""
    seen: dict[str, int] = {}
    for position, message in messages:
        key = message.key
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        yield _Job(position, message, (key, occurrence))


class _NoJournal:
    """Stands in for a journal when none is asked for, so the hot path has no branches."""

    def entries(self) -> dict[Ident, Entry]:
        return {}

    def begin(self, *args: Any, **kwargs: Any) -> None:
        pass

    answer = no_answer = begin

    def __enter__(self) -> _NoJournal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass


def _open_journal(path: str | os.PathLike[str] | None) -> Journal | _NoJournal:
    return _NoJournal() if path is None else Journal(path)


@dataclass
class _Counts:
    sent: int = 0
    failed: int = 0
    unknown: int = 0
    consecutive_failures: int = 0


class _Campaign:
    """The sending loop: worker threads take jobs in order until done or told to stop."""

    def __init__(
        self,
        client: Client,
        sender: str,
        *,
        throttle: Throttle,
        stop: threading.Event,
        rate_unit: str,
        journal: Journal | _NoJournal,
        retries: int,
        backoff: float,
        max_consecutive_failures: int | None,
    ) -> None:
        self.client = client
        self.sender = sender
        self.throttle = throttle
        self.by_segment = rate_unit == "segment"
        self.journal = journal
        self.retries = retries
        self.backoff = backoff
        self.max_consecutive_failures = max_consecutive_failures
        self.outcomes: dict[int, _Outcome] = {}
        self.counts = _Counts()
        self.resumed = _Counts()
        self.stop = stop
        self.stop_reason: str | None = None
        self.stop_category: str | None = None  # the answer's category, when one stopped it
        self.interrupted = False
        self.total = 0
        self.crash: BaseException | None = None
        self._lock = threading.Lock()
        self._queue: Iterator[_Job] = iter(())
        self._running = 0  # workers not yet finished
        self._all_done = threading.Event()
        self._send_one = self._dispatcher()

    # -- before sending ------------------------------------------------------------------------

    def resume(self, jobs: Sequence[_Job], *, resend_unknown: bool) -> list[_Job]:
        """Fill in what the journal already knows; return the jobs still to send."""
        entries = self.journal.entries()
        todo = []
        for job in jobs:
            entry = entries.get(job.ident)
            outcome = _recorded_outcome(entry, resend_unknown)
            if outcome is None:
                todo.append(job)
            else:
                self.outcomes[job.position] = outcome
                setattr(self.resumed, outcome.status, getattr(self.resumed, outcome.status) + 1)
        if entries:
            logger.info(
                "resuming from the journal: %d already sent, %d unknown, %d to send",
                self.resumed.sent,
                self.resumed.unknown,
                len(todo),
            )
        return todo

    def _dispatcher(self) -> Callable[[Message], Response]:
        client, sender = self.client, self.sender

        def send_one(message: Message) -> Response:
            if message.kind == "text":
                return client.send_text(message.to, message.text, sender)
            if message.kind == "vcard":
                return client.send_vcard(message.to, sender, **dict(message.fields))
            return client.send_binary(message.to, sender, **dict(message.fields))

        return send_one

    # -- sending -------------------------------------------------------------------------------

    def run(self, jobs: list[_Job], *, workers: int, progress: bool) -> None:
        """Send ``jobs`` with ``workers`` threads while this thread shows progress."""
        self._queue = iter(jobs)
        self.total = len(jobs)
        if not jobs:
            return
        threads = [
            threading.Thread(target=self._work, name=f"smsbatch-sender-{n}", daemon=True)
            for n in range(min(workers, len(jobs)))
        ]
        self._running = len(threads)
        bar = tqdm(total=len(jobs), desc="Sending", unit="msg") if progress else None
        try:
            for thread in threads:
                thread.start()
            self._watch(bar)
        finally:
            if bar is not None:
                self._show(bar)
                bar.close()
        for thread in threads:
            thread.join()

    def _watch(self, bar: tqdm | None) -> None:
        """Wait for the workers; a Ctrl-C stops new requests but lets those in flight finish.

        The wait is on an event the workers set, not on ``Thread.join``: a Ctrl-C inside
        ``join`` can make a running thread look finished (CPython 3.11), and its result lost.
        """
        while True:
            try:
                while not self._all_done.wait(0.2):
                    if bar is not None:
                        self._show(bar)
                return
            except KeyboardInterrupt:
                if not self.interrupted:
                    self.interrupted = True
                    self._halt("interrupted (Ctrl-C)")
                    logger.warning("interrupted: finishing the requests in flight")

    def _show(self, bar: tqdm) -> None:
        counts = self.counts
        bar.n = counts.sent + counts.failed + counts.unknown
        postfix = {"sent": counts.sent, "failed": counts.failed}
        if counts.unknown:
            postfix["unknown"] = counts.unknown
        bar.set_postfix(postfix, refresh=False)
        bar.refresh()

    def _work(self) -> None:
        try:
            while not self.stop.is_set():
                with self._lock:
                    job = next(self._queue, None)
                if job is None:
                    break
                outcome = self._attempt(job)
                if outcome is not None:
                    self._record(job, outcome)
        except BaseException as err:  # a bug must stop the campaign, not hang it
            with self._lock:
                self.crash = self.crash or err
            self._halt(f"unexpected error: {err!r}")
        finally:
            with self._lock:
                self._running -= 1
                if self._running == 0:
                    self._all_done.set()

    def _attempt(self, job: _Job) -> _Outcome | None:
        """Send one message, retrying where it is safe; None if stopped before it left."""
        message = job.message
        units = message.segments if self.by_segment else 1
        outcome = None
        for attempt in range(self.retries + 1):
            if attempt and not self._wait_before_retry(attempt):
                break
            self.throttle.acquire(units)
            if self.stop.is_set():
                break
            outcome = self._attempt_once(job)
            if outcome.status != "failed" or not _retryable(outcome):
                return outcome
            logger.info(
                "attempt %d of %d to %s failed: %s",
                attempt + 1,
                self.retries + 1,
                message.to,
                outcome.error,
            )
        return outcome

    def _attempt_once(self, job: _Job) -> _Outcome:
        message, ident = job.message, job.ident
        sent_at = time.time()
        self.journal.begin(ident, message.to, message.kind, message.text, at=sent_at)
        try:
            response = self._send_one(message)
        except NotSentError as err:
            outcome = _Outcome("failed", sent_at, error=f"not sent: {err}")
            record = self.journal.no_answer, (ident, "not_sent", str(err))
        except OutcomeUnknownError as err:
            outcome = _Outcome("unknown", sent_at, error=f"{err}; {_UNKNOWN_ADVICE}")
            record = self.journal.no_answer, (ident, "unknown", str(err))
        except Exception as err:
            # Not a failure the client knows: the request may have left, so the row is unknown
            # (the journal still says in flight) and the campaign stops with this error.
            error = f"unexpected error {err!r}; {_UNKNOWN_ADVICE}"
            self.outcomes[job.position] = _Outcome("unknown", sent_at, error=error)
            raise
        else:
            outcome = _answered(response, sent_at)
            record = (
                self.journal.answer,
                (ident, response.code, response.text, response.destination),
            )
        try:
            record[0](*record[1], at=time.time())
        except BaseException:
            # The answer is known even if the journal cannot take it: keep it in the result.
            self.outcomes[job.position] = outcome
            raise
        return outcome

    def _wait_before_retry(self, attempt: int) -> bool:
        """Sleep an exponential, jittered delay; False if the campaign was stopped meanwhile."""
        delay = self.backoff * 2 ** (attempt - 1) * random.uniform(0.5, 1.0)
        return not self.stop.wait(delay)

    def _record(self, job: _Job, outcome: _Outcome) -> None:
        self.outcomes[job.position] = outcome
        counts = self.counts
        with self._lock:
            setattr(counts, outcome.status, getattr(counts, outcome.status) + 1)
            if outcome.status == "sent":
                counts.consecutive_failures = 0
                return
            counts.consecutive_failures += 1
            tripped = (
                self.max_consecutive_failures is not None
                and counts.consecutive_failures >= self.max_consecutive_failures
            )
        if outcome.category in _STOPPING_CATEGORIES:
            self._halt(f"the gateway answered {outcome.code}: {outcome.text}", outcome.category)
        elif tripped:
            self._halt(f"{counts.consecutive_failures} messages in a row failed")

    def _halt(self, reason: str, category: str | None = None) -> None:
        with self._lock:
            if self.stop_reason is None:
                self.stop_reason = reason
                self.stop_category = category
        self.stop.set()


def _answered(response: Response, sent_at: float) -> _Outcome:
    """What a gateway answer means: only the documented error families say "not sent"; a
    code outside them says nothing, so such a message is ``unknown``, never re-sent silently."""
    status: Status = "sent" if response.ok else "failed"
    if response.category == "other":
        status = "unknown"
    return _Outcome(
        status,
        sent_at,
        response.code,
        response.text,
        response.destination,
        _ANSWER_MEANING.get(response.category),
        response.category,
    )


def _retryable(outcome: _Outcome) -> bool:
    """Only an answer that says "not sent, try later", or a request that never left."""
    return outcome.category in (None, "server")


def _recorded_outcome(entry: Entry | None, resend_unknown: bool) -> _Outcome | None:
    """What a previous run's journal entry means now; None: (re)send it."""
    if entry is None or entry.state == "not_sent":
        return None
    if entry.state == "answered":
        answer = Response(entry.code or 0, entry.text or "", entry.destination or "")
        outcome = _answered(answer, entry.sent_at)
        if outcome.status == "failed" or (outcome.status == "unknown" and resend_unknown):
            return None  # the gateway said nothing was sent, or the user checked
        if outcome.status == "sent":
            outcome.error = EARLIER_RUN
        return outcome
    if resend_unknown:
        return None
    reason = entry.error or "the previous run stopped before its answer was recorded"
    return _Outcome(
        "unknown",
        entry.sent_at,
        error=f"{reason}; {_UNKNOWN_ADVICE}, then resume with resend_unknown=True",
    )


def _result(
    frame: pd.DataFrame, positions: Sequence[int], outcomes: Mapping[int, _Outcome]
) -> pd.DataFrame:
    """The preview frame with every outcome written into its row; ready rows without one were
    never attempted (``not_sent``)."""
    n = len(frame)
    status = frame["sms_status"].tolist()
    error = frame["sms_error"].tolist()
    code: list[int | None] = [None] * n
    # No answer reads as an empty text, not NaN: the code column (<NA>) tells the two apart.
    text = [""] * n
    destination = [""] * n
    sent_at = [math.nan] * n
    for position in positions:
        outcome = outcomes.get(position, _NEVER_ATTEMPTED)
        status[position] = outcome.status
        error[position] = outcome.error or ""
        code[position] = outcome.code
        text[position] = outcome.text or ""
        destination[position] = outcome.destination or ""
        if outcome.sent_at is not None:
            sent_at[position] = outcome.sent_at
    result = frame.copy()
    result["sms_status"] = pd.array(status, dtype=frame["sms_status"].dtype)
    result["sms_error"] = pd.array(error, dtype=frame["sms_error"].dtype)
    result["sms_response_code"] = pd.array(code, dtype="Int64")
    result["sms_response_text"] = pd.array(text, dtype="str")
    result["sms_response_destination"] = pd.array(destination, dtype="str")
    result["sms_sent_at"] = pd.to_datetime(
        pd.Series(sent_at, index=frame.index), unit="s", utc=True
    )
    return result


def _finish(
    result: pd.DataFrame,
    campaign: _Campaign,
    journal: str | os.PathLike[str] | None,
    progress: bool,
) -> pd.DataFrame:
    """Mark what was never attempted, tell the user, and raise for a stop they cannot miss."""
    reason = campaign.stop_reason
    if reason is not None:
        not_sent = result["sms_status"] == "not_sent"
        result.loc[not_sent, "sms_error"] = f"not attempted: {reason}"
    if progress:
        _display(summarize(result))
    if campaign.resumed.sent:
        # Said out loud: a campaign repeated on purpose with the same journal reaches nobody.
        warnings.warn(
            f"resumed from the journal {os.fspath(journal)!r}: {campaign.resumed.sent:,} "
            "messages were already sent in an earlier run and were not sent again (to send the "
            "same messages again on purpose, use a new journal file)",
            stacklevel=3,
        )
    if reason is None:
        return result
    done = campaign.counts.sent + campaign.counts.failed + campaign.counts.unknown
    resume = (
        f"run send() again with journal={os.fspath(journal)!r} to resume"
        if journal is not None
        else "send the rows whose sms_status is 'not_sent' (next time pass journal= to resume)"
    )
    message = f"{reason}; stopped after {done} of {campaign.total} messages: {resume}"
    if campaign.interrupted and campaign.crash is None:
        warnings.warn(message, stacklevel=3)
        return result
    raise CampaignStopped(
        message, result=result, reason=reason, category=campaign.stop_category
    ) from campaign.crash


def _display(summary: object) -> None:
    """Show the summary as HTML in a notebook, as text on stderr elsewhere."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        print(summary, file=sys.stderr)
        return
    if getattr(get_ipython(), "kernel", None) is not None:
        display(summary)
    else:
        print(summary, file=sys.stderr)
