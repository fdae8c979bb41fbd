"""One message's attempts: gated, throttled, retried only where safe, each journaled before it
leaves and its answer recorded when it arrives.

The API has no idempotency key, so only a request that surely never reached the gateway
(``NotSentError``, a 50x answer) is tried again; an unknown outcome is final. The loop
(``_loop``) runs these attempts in its worker threads and counts what they return.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING

import numpy as np

from smsbatch.exceptions import NotSentError, OutcomeUnknownError, WrongEndpointError
from smsbatch.preparation.campaign import Message, Prepared
from smsbatch.sending.history import History, NoHistory
from smsbatch.sending.hours import Gate
from smsbatch.sending.journal import Ident, Journal, NoJournal
from smsbatch.sending.outcomes import ENDPOINT, UNKNOWN_ADVICE, Outcome, Outcomes, answered
from smsbatch.sending.outcomes import retryable as _retryable
from smsbatch.sending.throttle import Throttle

if TYPE_CHECKING:
    from smsbatch.gateway.client import Client
    from smsbatch.gateway.reply import Response

__all__ = ["Attempts", "Job", "Jobs", "Settings", "dispatcher"]

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class Job:
    position: int  # in the frame
    index: int  # among the campaign's ready rows (its digest, its outcome)
    message: Message
    ident: Ident


@dataclass(frozen=True)
class Jobs:
    """The messages a run sends, as indices into the campaign's ready rows.

    A ``Job`` (and its ``Message``) is made only when a worker takes it, so a million messages
    to send hold eight bytes each rather than a few hundred.
    """

    prepared: Prepared
    positions: np.ndarray  # of every ready row in the frame
    digests: np.ndarray
    occurrence: np.ndarray
    indices: np.ndarray  # of the ready rows to send, in order

    def __len__(self) -> int:
        return len(self.indices)

    def __iter__(self) -> Iterator[Job]:
        for start in range(0, len(self.indices), _BATCH):
            indices = self.indices[start : start + _BATCH]
            positions = self.positions[indices]
            for index, position, message, key, occurrence in zip(
                indices.tolist(),
                positions.tolist(),
                self.prepared.messages_at(positions),
                self.digests[indices],
                self.occurrence[indices].tolist(),
                strict=True,
            ):
                yield Job(position, index, message, (key.tobytes().hex(), occurrence))

    def keys(self) -> Iterator[tuple[int, str]]:
        """``(row position, Message.key)`` of each message, as the history is asked."""
        for start in range(0, len(self.indices), _BATCH):
            indices = self.indices[start : start + _BATCH]
            keys = self.digests[indices]
            for position, key in zip(self.positions[indices].tolist(), keys, strict=True):
                yield position, key.tobytes().hex()

    def without(self, positions: Iterable[int]) -> Jobs:
        """These jobs but those of the rows at ``positions``."""
        skipped = np.fromiter(positions, dtype=np.int64)
        kept = ~np.isin(self.positions[self.indices], skipped)
        return replace(self, indices=self.indices[kept])

    def first(self, limit: int | None) -> Jobs:
        """The first ``limit`` jobs (all of them for None)."""
        return replace(self, indices=self.indices[:limit])


_BATCH = 4096  # jobs made from the arrays at a time


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


class Attempts:
    """Send one job at a time, retrying where it is safe, and journal every attempt.

    ``outcomes`` is the loop's: an outcome that an exception cuts short (a journal that cannot
    take the answer, an unexpected error) is put there before the exception goes on. ``halt``
    stops the campaign (a wrong endpoint: every further request would go the same way).
    """

    def __init__(
        self,
        send_one: Callable[[Message], Response],
        settings: Settings,
        journal: Journal | NoJournal,
        history: History | NoHistory,
        stop: threading.Event,
        outcomes: Outcomes,
        halt: Callable[[str, str | None], None],
    ) -> None:
        self.send_one = send_one
        self.settings = settings
        self.journal = journal
        self.history = history
        self.stop = stop
        self.outcomes = outcomes
        self.halt = halt

    def __call__(self, job: Job) -> Outcome | None:
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
            outcome = self.once(job)
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

    def once(self, job: Job) -> Outcome:
        """Make one request for ``job``: journaled before it leaves, its answer after."""
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
            self.outcomes.put(job.index, Outcome("unknown", sent_at, error=error), message.to)
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
            self.outcomes.put(job.index, outcome, message.to)
            raise
        return outcome

    def _wait_before_retry(self, attempt: int) -> bool:
        """Sleep an exponential, jittered delay; False if the campaign was stopped meanwhile."""
        delay = self.settings.backoff * 2 ** (attempt - 1) * random.uniform(0.5, 1.0)
        return not self.stop.wait(delay)
