"""Spread requests evenly in time, across every worker thread of a campaign.

Gateways throttle (and bill) per request or per segment; a burst that trips their limit turns
into errors halfway through a campaign. The throttle therefore hands out evenly spaced slots
rather than a bucket that can be emptied at once, and it also keeps a one-second log so that no
one-second window ever holds more than ``ceil(rate)`` units, even when messages of several
segments are mixed with single ones. Slots follow an absolute timeline, so the time a busy
machine takes to wake a thread is made up rather than added to every gap.

Time is injected (``clock``, ``sleep``) so tests run deterministically without waiting.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

from smsbatch.exceptions import ConfigurationError

__all__ = ["DEFAULT_RATE", "Throttle"]

#: Messages (or segments) per second unless told otherwise. The provider documents no limit;
#: 10/s stays below the limits SMS gateways commonly enforce per account, still sends 36,000
#: messages an hour, and leaves a person watching the progress bar time to stop a campaign
#: that turns out to be wrong before it has reached everybody.
DEFAULT_RATE = 10.0

WINDOW = 1.0  # seconds: the window the rate is promised over
#: Slack on the window, in seconds. Requests reach the gateway a little earlier or later than
#: their slot (thread scheduling, network jitter); without it, ceil(rate) + 1 requests spaced
#: exactly 1/rate apart could arrive within one second. A thread that has its slot can wait up
#: to the interpreter's switch interval (5 ms) for the GIL before its request leaves, so the
#: slack is that and half as much again. It costs an integer rate its share of a second,
#: ceil(rate) units per 1.0075 s: 0.75% under the asked rate, inside the 1% promised (10 ms
#: cost 1.0%). With 5 ms, requests left the client 21 in a second at 20/s in two of six runs on
#: a lightly loaded machine; with 7.5 ms and 10 ms they never did
#: (benchmarks/bench_sender.py --only c). An overloaded machine can hold a request back for
#: tens of milliseconds, which no slack a percent of a second wide covers.
JITTER = 0.0075
#: Seconds of lateness the throttle makes up at most. A busy machine can wake a sleeping thread
#: tens of milliseconds late; anything beyond this restarts the timeline instead of sending a
#: long burst (still within the cap) to make up for it.
CATCH_UP = 0.25


class Throttle:
    """Hand out send slots at ``rate`` units per second, shared by threads.

    Parameters
    ----------
    rate : float or None
        Units per second; ``None`` means unthrottled (``acquire`` returns at once).
    clock, sleep
        Monotonic clock and sleep function, injectable for tests.

    Notes
    -----
    Slots lie on an absolute timeline: a slot of ``units`` units is scheduled ``units / rate``
    seconds after the one before it, whenever that one was actually handed out. So a late
    wake-up (a busy machine, a slow thread switch) is made up by the slots after it, which
    then follow sooner, until the schedule is met again: the rate asked is the rate achieved,
    not the rate minus every wake-up's latency. What is made up is only the throttle's own
    lateness, up to ``CATCH_UP`` seconds: a caller that comes back later than that (an idle
    campaign, one worker waiting on a slow gateway) starts a new timeline one gap after the
    last slot, and never gets a burst for the time it was away.

    Whatever is made up, no ``1 + JITTER`` seconds hold more than ``ceil(rate)`` units, so
    there is only room to catch up at a rate below an integer (2.5/s may send 3 in a second);
    an integer rate is kept at ``rate / (1 + JITTER)``, 0.75% under, and loses a late wake-up
    once per window rather than at every slot. The throttle only ever sleeps, never spins.
    A message larger than ``ceil(rate)`` units is still sent, alone in its window.

    Examples
    --------
    >>> throttle = Throttle(10)
    >>> slot = throttle.acquire()  # call just before the request leaves
    """

    def __init__(
        self,
        rate: float | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        if rate is not None and not (
            isinstance(rate, int | float) and not isinstance(rate, bool) and 0 < rate < math.inf
        ):
            raise ConfigurationError(f"rate must be a positive number or None, not {rate!r}")
        self.rate = rate
        self._clock = clock
        self._sleep = sleep
        self._capacity = math.ceil(rate) if rate is not None else 0
        # Seconds per unit on the timeline. An integer rate fills every window exactly, so the
        # timeline runs at capacity per WINDOW + JITTER instead: a slower timeline would be
        # stopped by the window at every slot and lose each slot's wake-up latency for good.
        self._interval = (
            max(1 / rate, (WINDOW + JITTER) / self._capacity) if rate is not None else 0.0
        )
        self._next = -math.inf  # the next slot's time on the timeline
        self._behind = 0.0  # how late the last slot was handed out, against the timeline
        self._after = -math.inf  # one gap after the last slot was actually handed out
        self._recent: deque[tuple[float, int]] = deque()  # (slot time, units) in the last window
        self._in_window = 0
        # Held while sleeping: waiting threads queue behind the sleeper, so slots are handed out
        # one after another and no two threads can wake up into the same gap.
        self._lock = threading.Lock()

    def acquire(self, units: int = 1) -> float | None:
        """Block until ``units`` may be sent now; return the slot time (``None`` if unthrottled)."""
        if self.rate is None:
            return None
        with self._lock:
            now = self._clock()
            start = self._next
            if now - start > self._behind:
                # Later than the throttle's own lateness explains: the caller was away, or
                # more is owed than is made up. A new timeline starts, one gap after the last
                # slot at the earliest.
                start = max(now, self._after)
            # The window is checked where the slot will really be, not where it was due; a
            # full window delays this slot, and the timeline stays where it was.
            at = self._fit_in_window(max(start, now), units)
            if at > now:
                self._sleep(at - now)
                now = self._clock()
            slot = max(now, at)
            self._recent.append((slot, units))
            self._in_window += units
            self._behind = min(slot - start, CATCH_UP)
            self._next = start + units * self._interval
            self._after = slot + units * self._interval
            return slot

    def _fit_in_window(self, start: float, units: int) -> float:
        """Delay ``start`` until the window ending there has room for ``units`` more."""
        recent = self._recent
        while recent:
            oldest, oldest_units = recent[0]
            # A slot at ``start`` shares a one-second window with every slot after start - 1 s.
            if oldest > start - WINDOW - JITTER:
                if self._in_window + units <= self._capacity:
                    break
                start = oldest + WINDOW + JITTER
            recent.popleft()
            self._in_window -= oldest_units
        return start
