"""The sending loop: worker threads take messages in order until done or told to stop.

Requests run in worker threads while the calling thread only watches: a Ctrl-C (or Jupyter's
stop button) then lands in the watcher, never in the middle of a request, so the request in
flight finishes, its answer is recorded and the partial result is returned.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from tqdm.auto import tqdm

from smsbatch.exceptions import (
    JournalError,
    NotSentError,
    OutcomeUnknownError,
    WrongEndpointError,
)
from smsbatch.preparation.campaign import Message
from smsbatch.sending.history import History, NoHistory
from smsbatch.sending.hours import Gate
from smsbatch.sending.journal import Ident, Journal, NoJournal
from smsbatch.sending.outcomes import (
    ENDPOINT,
    STOPPING_CATEGORIES,
    UNKNOWN_ADVICE,
    Outcome,
    answered,
)
from smsbatch.sending.outcomes import retryable as _retryable
from smsbatch.sending.throttle import Throttle

if TYPE_CHECKING:
    from smsbatch.gateway.client import Client
    from smsbatch.gateway.reply import Response

__all__ = ["Counts", "Job", "Loop"]

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class Job:
    position: int
    message: Message
    ident: Ident


@dataclass
class Counts:
    sent: int = 0
    failed: int = 0
    unknown: int = 0
    consecutive_failures: int = 0

    def add(self, status: str) -> None:
        setattr(self, status, getattr(self, status) + 1)

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.unknown


def dispatcher(client: Client, sender: str) -> Callable[[Message], Response]:
    """Return the one call that sends a message of any kind."""

    def send_one(message: Message) -> Response:
        if message.kind == "text":
            return client.send_text(message.to, message.text, sender=sender)
        if message.kind == "vcard":
            return client.send_vcard(message.to, sender=sender, **dict(message.fields))
        return client.send_binary(message.to, sender=sender, **dict(message.fields))

    return send_one


@dataclass
class Settings:
    """How the loop sends: the sending options of ``send``, checked."""

    throttle: Throttle
    by_segment: bool
    retries: int
    backoff: float
    max_consecutive_failures: int | None
    gate: Gate | None = None  # sending hours and a start time, when asked for


class Loop:
    """Send jobs with worker threads; record every outcome in ``outcomes`` and the journal."""

    def __init__(
        self,
        send_one: Callable[[Message], Response],
        settings: Settings,
        journal: Journal | NoJournal,
        stop: threading.Event,
        history: History | NoHistory | None = None,
    ) -> None:
        self.send_one = send_one
        self.settings = settings
        self.journal = journal
        self.history = NoHistory() if history is None else history
        self.stop = stop
        self.outcomes: dict[int, Outcome] = {}
        self.counts = Counts()
        self.stop_reason: str | None = None
        self.stop_category: str | None = None  # the answer's category, when one stopped it
        self.interrupted = False
        self.reached = False  # some request has reached the gateway (answered or maybe sent)
        self.crash: BaseException | None = None
        self._lock = threading.Lock()
        self._queue: Iterator[Job] = iter(())
        self._running = 0  # workers not yet finished
        self._all_done = threading.Event()

    def run(self, todo: list[Job], *, workers: int, progress: bool) -> None:
        """Send ``todo`` with ``workers`` threads while this thread shows progress."""
        self._queue = iter(todo)
        if not todo:
            return
        threads = [
            threading.Thread(target=self._work, name=f"smsbatch-sender-{n}", daemon=True)
            for n in range(min(workers, len(todo)))
        ]
        self._running = len(threads)
        bar = tqdm(total=len(todo), desc="Sending", unit="msg") if progress else None
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

    def _watch(self, bar: tqdm[Any] | None) -> None:
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
                    self.halt("interrupted (Ctrl-C)")
                    logger.warning("interrupted: finishing the requests in flight")

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
            # A journal that cannot record says why itself; a message it failed to announce
            # was never sent (not_sent).
            self.halt(str(err) if isinstance(err, JournalError) else f"unexpected error: {err!r}")
        finally:
            with self._lock:
                self._running -= 1
                if self._running == 0:
                    self._all_done.set()

    def _attempt(self, job: Job) -> Outcome | None:
        """Send one message, retrying where it is safe; None if stopped before it left."""
        settings = self.settings
        units = job.message.segments if settings.by_segment else 1
        outcome = None
        for attempt in range(settings.retries + 1):
            if attempt and not self._wait_before_retry(attempt):
                break
            if settings.gate is not None and not settings.gate.pass_():
                break
            settings.throttle.acquire(units)
            if self.stop.is_set():
                break
            outcome = self._attempt_once(job)
            if outcome.status != "failed" or not _retryable(outcome):
                return outcome
            logger.info(
                "attempt %d of %d to %s failed: %s",
                attempt + 1,
                settings.retries + 1,
                job.message.to,
                outcome.error,
            )
        return outcome

    def _attempt_once(self, job: Job) -> Outcome:
        message, ident, journal = job.message, job.ident, self.journal
        sent_at = time.time()
        journal.begin(ident, message.to, message.kind, message.text, at=sent_at)
        try:
            response = self.send_one(message)
        except NotSentError as err:
            outcome = Outcome("failed", sent_at, error=f"not sent: {err}")
            record = partial(journal.no_answer, ident, "not_sent", str(err))
        except OutcomeUnknownError as err:
            outcome = Outcome("unknown", sent_at, error=f"{err}; {UNKNOWN_ADVICE}")
            record = partial(journal.no_answer, ident, "unknown", str(err))
        except WrongEndpointError as err:
            # The SMS handler never ran: not sent, never retried, and every further request
            # would go the same wrong way, so the campaign stops at the first one.
            outcome = Outcome("failed", sent_at, error=f"not sent: {err}", category=ENDPOINT)
            record = partial(journal.no_answer, ident, "not_sent", str(err))
            self.halt(str(err), ENDPOINT)
        except Exception as err:
            # Not a failure the client knows: the request may have left, so the row is unknown
            # (the journal still says in flight) and the campaign stops with this error.
            error = f"unexpected error {err!r}; {UNKNOWN_ADVICE}"
            self.outcomes[job.position] = Outcome("unknown", sent_at, error=error)
            self.history.note(ident[0], "unknown", sent_at)
            raise
        else:
            outcome = answered(response, sent_at)
            record = partial(
                journal.answer, ident, response.code, response.text, response.destination
            )
        if outcome.status in ("sent", "unknown"):
            # Before the journal write, which may fail (a full disk): the user's history of
            # sends is what stops another journal from sending it again.
            self.history.note(ident[0], outcome.status, sent_at)
        try:
            record(at=time.time())
        except BaseException:
            # The answer is known even if the journal cannot take it: keep it in the result.
            self.outcomes[job.position] = outcome
            raise
        return outcome

    def _wait_before_retry(self, attempt: int) -> bool:
        """Sleep an exponential, jittered delay; False if the campaign was stopped meanwhile."""
        delay = self.settings.backoff * 2 ** (attempt - 1) * random.uniform(0.5, 1.0)
        return not self.stop.wait(delay)

    def _record(self, job: Job, outcome: Outcome) -> None:
        self.outcomes[job.position] = outcome
        counts, limit = self.counts, self.settings.max_consecutive_failures
        never_left = outcome.status == "failed" and outcome.code is None
        with self._lock:
            unreachable = never_left and not self.reached
            self.reached = self.reached or not never_left
            counts.add(outcome.status)
            if outcome.status == "sent":
                counts.consecutive_failures = 0
                return
            counts.consecutive_failures += 1
            tripped = limit is not None and counts.consecutive_failures >= limit
        if outcome.category in STOPPING_CATEGORIES:
            self.halt(f"the gateway answered {outcome.code}: {outcome.text}", outcome.category)
        elif unreachable:
            # Nothing has ever reached it: the next messages would only wait through retries.
            self.halt(
                f"the gateway cannot be reached ({outcome.error}); check the network and"
                " the API address (SMSBATCH_BASE_URL / base_url)"
            )
        elif tripped:
            self.halt(f"{counts.consecutive_failures} messages in a row failed")

    def halt(self, reason: str, category: str | None = None) -> None:
        """Stop taking new messages; the first reason given is the one reported."""
        with self._lock:
            if self.stop_reason is None:
                self.stop_reason = reason
                self.stop_category = category
        self.stop.set()

    def _show(self, bar: tqdm[Any]) -> None:
        gate = self.settings.gate
        paused = gate.describe(gate.now()) if gate is not None else None
        bar.set_description(paused or "Sending", refresh=False)
        _show(bar, self.counts)


def _show(bar: tqdm[Any], counts: Counts) -> None:
    bar.n = counts.done
    postfix = {"sent": counts.sent, "failed": counts.failed}
    if counts.unknown:
        postfix["unknown"] = counts.unknown
    bar.set_postfix(postfix, refresh=False)
    bar.refresh()
