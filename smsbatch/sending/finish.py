"""When a campaign would be done at its rate, within its sending hours: one estimate for every
front end ("20,000 messages at 10/s within 08:00-21:00: done today at 14:33").

It lives in the sending layer because rate and sending hours are sending options: the preview
(preparation) knows neither, so the CLI and the panel call :func:`estimate_finish` beside it.
It takes the same option names and values as :func:`smsbatch.send` and raises the same
``ConfigurationError`` for a window, days, zone or start time that ``send`` would refuse, so a
front end can check those fields with it before anything can be sent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from smsbatch.sending.hours import DEFAULT_TZ, SendingHours, parse_start, when_done

__all__ = ["Finish", "estimate_finish"]


@dataclass(frozen=True)
class Finish:
    """A finish estimate; ``str(finish)`` is the sentence to show.

    Attributes
    ----------
    units : int
        What the rate counts: messages, or billed SMS parts with ``rate_unit="segment"``.
    unit : {"message", "segment"}
        Which of the two ``units`` are.
    rate : float or None
        Per second; None: as fast as the gateway answers.
    hours : str
        The sending hours as given ("08:00-21:00 mon-sat (Europe/Amsterdam)"), "" for any time.
    start : datetime
        When the first message would leave (aware, in the sending hours' zone).
    done : datetime
        When the last one would (aware, in the sending hours' zone).
    now : datetime
        The moment the estimate was made (what "today" means).
    """

    units: int
    unit: Literal["message", "segment"]
    rate: float | None
    hours: str
    start: dt.datetime
    done: dt.datetime
    now: dt.datetime

    def __str__(self) -> str:
        noun = "message" if self.unit == "message" else "SMS part"
        what = f"{self.units:,} {noun}{'' if self.units == 1 else 's'}"
        pace = "as fast as the gateway answers" if self.rate is None else f"at {self.rate:g}/s"
        within = f" within {self.hours}" if self.hours else ""
        later = self.start > self.now + dt.timedelta(minutes=1)
        begins = f" from {_day(self.start, self.now)}" if later else ""
        # The clock times are the sending hours' zone's: named once, where the hours do not.
        zone = "" if self.hours else f" ({self.done.tzinfo})"
        if self.rate is None:
            done = f"soon after{zone}" if later else "about now"
            return f"{what} {pace}{within}{begins}: done {done}"
        return f"{what} {pace}{within}{begins}: done {_day(self.done, self.now)}{zone}"


def estimate_finish(
    messages: int,
    *,
    parts: int | None = None,
    rate: float | None,
    rate_unit: Literal["message", "segment"] = "message",
    window: str | None = None,
    days: str = "mon-sun",
    tz: str = DEFAULT_TZ,
    start_at: dt.datetime | str | None = None,
    now: dt.datetime | None = None,
) -> Finish:
    """Estimate when ``messages`` would be sent, as :func:`smsbatch.send` would send them.

    Parameters
    ----------
    messages : int
        The messages the run would send (ready, less what the journal, the history and
        ``limit`` leave out).
    parts : int, optional
        Their billed SMS parts: what the rate counts with ``rate_unit="segment"``.
    rate, rate_unit, window, days, tz, start_at
        As for :func:`smsbatch.send`.
    now : datetime, optional
        The current moment (aware); default the real one. Tests pass their own.

    Raises
    ------
    ConfigurationError
        A window, days, zone or start time that ``send`` would refuse (a start in the past, a
        window that never opens).

    Examples
    --------
    >>> str(estimate_finish(20_000, rate=10, window="08:00-21:00"))  # doctest: +SKIP
    '20,000 messages at 10/s within 08:00-21:00 mon-sun (Europe/Amsterdam): done today at 14:33'
    """
    hours = SendingHours.parse(window or "00:00-24:00", days, tz)
    now = (now or dt.datetime.now(dt.UTC)).astimezone(hours.tz)
    begin = now if start_at is None else parse_start(start_at, hours.tz, now)
    by_parts = rate_unit == "segment" and parts is not None
    unit: Literal["message", "segment"] = "segment" if by_parts else "message"
    units = parts if parts is not None and by_parts else messages
    start = hours.next_open(begin).astimezone(hours.tz)
    done = when_done(units, rate, hours, begin).astimezone(hours.tz)
    limited = window is not None or days != "mon-sun"
    shown = f"{window or 'any time'} {days} ({tz})" if limited else ""
    return Finish(units, unit, rate, shown, start, done, now)


def _day(moment: dt.datetime, now: dt.datetime) -> str:
    """The day and time as people say them: today, tomorrow, or "Wed 02 Dec" at 08:00."""
    days = (moment.date() - now.date()).days
    name = {0: "today", 1: "tomorrow"}.get(days, f"{moment:%a %d %b}")
    return f"{name} at {moment:%H:%M}"
