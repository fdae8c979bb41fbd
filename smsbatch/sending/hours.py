"""Sending hours: when a campaign may send (a daily window, on some days, in one time zone),
when it may start, and when it would be done.

Nobody wants a text at night. ``SendingHours`` answers "may a message leave now, and if not,
when next?" for an aware moment; the sending loop asks it before every message and waits, so a
campaign that runs into 21:00 pauses and goes on at 08:00 the next allowed day. Time is always
passed in, never read here, so tests cross midnight and daylight-saving changes without waiting.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from smsbatch.exceptions import ConfigurationError

__all__ = ["DEFAULT_TZ", "Gate", "SendingHours", "parse_start", "when_done"]

DEFAULT_TZ = "Europe/Amsterdam"
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WINDOW = re.compile(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*")
#: Looking further ahead than this for an opening means the window never opens.
_HORIZON_DAYS = 8


@dataclass(frozen=True)
class SendingHours:
    """A daily window (``start`` inclusive, ``end`` exclusive) on ``days`` (0 = Monday), in
    ``tz``. ``SendingHours.parse("08:00-21:00", "mon-sat", "Europe/Amsterdam")``."""

    start: dt.time
    end: dt.time
    days: frozenset[int]
    tz: ZoneInfo

    @classmethod
    def parse(
        cls, window: str = "00:00-24:00", days: str = "mon-sun", tz: str = DEFAULT_TZ
    ) -> SendingHours:
        """Read the window, days and zone as people write them; raise ConfigurationError."""
        return cls(*_window(window), _days(days), zone(tz))

    def next_open(self, moment: dt.datetime) -> dt.datetime:
        """``moment`` if a message may leave then, else the next moment one may."""
        local = moment.astimezone(self.tz)
        for offset in range(_HORIZON_DAYS):
            day = local.date() + dt.timedelta(days=offset)
            if day.weekday() not in self.days:
                continue
            opens, closes = self._bounds(day)
            if local < closes and opens < closes:  # a window lost to a DST jump is skipped
                return max(local, opens)
        raise ConfigurationError("the sending hours never open: check window= and days=")

    def closes(self, moment: dt.datetime) -> dt.datetime:
        """When the window that is open at ``moment`` closes."""
        local = moment.astimezone(self.tz)
        return self._bounds(local.date())[1]

    def _bounds(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        opens = dt.datetime.combine(day, self.start, tzinfo=self.tz)
        closes = (
            dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=self.tz)
            if self.end == dt.time.max  # "24:00"
            else dt.datetime.combine(day, self.end, tzinfo=self.tz)
        )
        # Wall-clock times may not exist or exist twice on a DST change: compare in UTC.
        return _real(opens), _real(closes)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigurationError(
            f"tz={name!r} is not a time zone: use a name like 'Europe/Amsterdam'"
        ) from None


def parse_start(start_at: dt.datetime | str, tz: ZoneInfo, now: dt.datetime) -> dt.datetime:
    """``start_at`` as an aware moment (naive means ``tz``); a moment in the past is an error."""
    if isinstance(start_at, str):
        try:
            start_at = dt.datetime.fromisoformat(start_at.strip())
        except ValueError:
            raise ConfigurationError(
                f"start_at={start_at!r} is not a date and time like '2026-12-02 08:30'"
            ) from None
    if start_at.tzinfo is None:
        start_at = start_at.replace(tzinfo=tz)
    if start_at < now:
        raise ConfigurationError(
            f"start_at {start_at.astimezone(tz):%Y-%m-%d %H:%M} is in the past; nothing was sent"
        )
    return start_at


def when_done(
    messages: int, rate: float | None, hours: SendingHours, start: dt.datetime
) -> dt.datetime:
    """When ``messages`` at ``rate`` per second would be done, sending only within ``hours``."""
    moment = hours.next_open(start)
    if rate is None or messages == 0:
        return moment
    left = messages / rate  # seconds of sending still needed
    while True:
        moment = hours.next_open(moment)
        available = (hours.closes(moment) - moment).total_seconds()
        if left <= available:
            return moment + dt.timedelta(seconds=math.ceil(left))
        left -= available
        moment = hours.closes(moment)


def _real(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).astimezone(moment.tzinfo)


def _window(text: str) -> tuple[dt.time, dt.time]:
    match = _WINDOW.fullmatch(text or "")
    if not match:
        raise ConfigurationError(f"window={text!r} is not a window like '08:00-21:00'")
    h1, m1, h2, m2 = map(int, match.groups())
    if not (h1 < 24 and m1 < 60 and (h2 < 24 and m2 < 60 or (h2, m2) == (24, 0))):
        raise ConfigurationError(f"window={text!r} holds a time that does not exist")
    start = dt.time(h1, m1)
    end = dt.time.max if (h2, m2) == (24, 0) else dt.time(h2, m2)
    if end <= start:
        raise ConfigurationError(
            f"window={text!r} closes before it opens: a window runs within one day,"
            " like '08:00-21:00'"
        )
    return start, end


def _days(text: str) -> frozenset[int]:
    chosen: set[int] = set()
    for part in (text or "").lower().replace(" ", "").split(","):
        first, _, last = part.partition("-")
        if first not in _DAYS or (last and last not in _DAYS):
            raise ConfigurationError(
                f"days={text!r} is not a list of days like 'mon-sat' or 'mon,wed,fri'"
            )
        a, b = _DAYS.index(first), _DAYS.index(last or first)
        chosen.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
    return frozenset(chosen)


class Gate:
    """Holds each message until the campaign may send: after ``start`` and inside ``hours``.

    ``now`` returns the aware current moment and ``wait(seconds)`` waits, returning True when
    the campaign was stopped meanwhile (a Ctrl-C during a pause ends it like any stop).
    ``paused_until`` says what the progress bar should show.
    """

    def __init__(
        self,
        hours: SendingHours,
        start: dt.datetime | None,
        now: Callable[[], dt.datetime],
        wait: Callable[[float], bool],
    ) -> None:
        self.hours, self.start, self.now, self.wait = hours, start, now, wait
        self.paused_until: dt.datetime | None = None
        self.opens(self.now())  # a window that never opens is an error before any message

    def opens(self, moment: dt.datetime) -> dt.datetime:
        """The first moment at or after ``moment`` when a message may leave."""
        if self.start is not None and moment < self.start:
            moment = self.start
        return self.hours.next_open(moment)

    def pass_(self) -> bool:
        """Wait until a message may leave; False if the campaign was stopped meanwhile."""
        while True:
            now = self.now()
            opens = self.opens(now)
            if opens <= now:
                self.paused_until = None
                return True
            self.paused_until = opens
            if self.wait((opens - now).total_seconds()):
                return False

    def describe(self, now: dt.datetime) -> str | None:
        """``"paused until 08:00 Mon (in 9 h 12 m)"`` while paused, else None."""
        until = self.paused_until
        if until is None:
            return None
        minutes = max(0, round((until - now).total_seconds() / 60))
        span = f"{minutes // 60} h {minutes % 60} m" if minutes >= 60 else f"{minutes} m"
        return f"paused until {until.astimezone(self.hours.tz):%H:%M %a} (in {span})"
