"""Spread requests evenly in time, across every worker thread of a campaign.

Gateways throttle (and bill) per request or per segment; a burst that trips their limit turns
into errors halfway through a campaign. The throttle therefore hands out evenly spaced slots
rather than a bucket that can be emptied at once, and it also keeps a one-second log so that no
one-second window ever holds more than ``ceil(rate)`` units, even when messages of several
segments are mixed with single ones.

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
#: exactly 1/rate apart could arrive within one second. Costs at most 1% of the rate.
JITTER = 0.01


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
    A slot of ``units`` units is followed by a gap of ``units / rate`` seconds, measured from
    the moment the slot was actually handed out (a late wake-up pushes the next slot later, it
    never squeezes two slots together), and no ``1 + JITTER`` seconds hold more than
    ``ceil(rate)`` units. A message larger than ``ceil(rate)`` units is still sent, alone in
    its window.

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
        self._next = -math.inf  # earliest time the next slot may be handed out
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
            start = max(self._clock(), self._next)
            start = self._fit_in_window(start, units)
            now = self._clock()
            if start > now:
                self._sleep(start - now)
                now = self._clock()
            slot = max(now, start)
            self._recent.append((slot, units))
            self._in_window += units
            self._next = slot + units / self.rate
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
