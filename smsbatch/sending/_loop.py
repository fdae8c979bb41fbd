"""The sending loop: worker threads take messages in order until done or told to stop.

Requests run in worker threads while the calling thread only watches: a Ctrl-C (or Jupyter's
stop button) then lands in the watcher, never in the middle of a request, so the request in
flight finishes, its answer is recorded and the partial result is returned. What happens to
each message (gate, throttle, retries, journal) is ``_attempt``'s; the loop counts the outcomes
and decides when the campaign stops.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tqdm.auto import tqdm

from smsbatch.exceptions import JournalError
from smsbatch.preparation.campaign import Message
from smsbatch.sending._attempt import Attempts, Job, Jobs, Settings
from smsbatch.sending.history import History, NoHistory
from smsbatch.sending.journal import Journal, NoJournal
from smsbatch.sending.outcomes import STOPPING_CATEGORIES, Outcome, Outcomes

if TYPE_CHECKING:
    from smsbatch.gateway.reply import Response

__all__ = ["Counts", "Loop"]

logger = logging.getLogger(__name__)


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


class Loop:
    """Send jobs with worker threads; record every outcome in ``outcomes`` (indexed as the
    campaign's ready rows) and the journal."""

    def __init__(
        self,
        send_one: Callable[[Message], Response],
        settings: Settings,
        journal: Journal | NoJournal,
        stop: threading.Event,
        outcomes: Outcomes,
        history: History | NoHistory | None = None,
    ) -> None:
        self.settings = settings
        self.stop = stop
        self.outcomes = outcomes
        history = NoHistory() if history is None else history
        self._attempt = Attempts(
            send_one, settings, journal, history, stop, self.outcomes, self.halt
        )
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

    def run(self, todo: Jobs, *, workers: int, progress: bool) -> None:
        """Send ``todo`` with ``workers`` threads while this thread shows progress."""
        if not len(todo):
            return
        self._queue = iter(todo)
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

    def _record(self, job: Job, outcome: Outcome) -> None:
        self.outcomes.put(job.index, outcome, job.message.to)
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
