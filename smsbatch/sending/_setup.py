"""What a run needs before anything is sent: its options checked, its campaign and sender,
and the gate of its sending hours.

Shared by :func:`~smsbatch.sending.run.send` (whose dry run checks the options too) and
:func:`~smsbatch.sending.run.run_campaign`; each check raises before the first request.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import TYPE_CHECKING, Protocol

from smsbatch.exceptions import ConfigurationError, InvalidSenderError
from smsbatch.preparation.campaign import MessageOptions, Prepared, prepare
from smsbatch.sending.hours import Gate, SendingHours, parse_start

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Clock", "check_options", "gate", "prepared"]


class Clock(Protocol):
    """Real time, or a stand-in for tests: the aware current moment, and a wait that returns
    True when the campaign was stopped meanwhile."""

    def now(self) -> dt.datetime: ...

    def wait(self, seconds: float) -> bool: ...


def gate(
    window: str | None,
    days: str,
    tz: str,
    start_at: dt.datetime | str | None,
    clock: Clock | None,
    stop: threading.Event,
) -> Gate | None:
    """The gate for the sending hours and start time asked for; None when there are none."""
    if window is None and days == "mon-sun" and start_at is None:
        return None
    hours = SendingHours.parse(window or "00:00-24:00", days, tz)
    now = clock.now if clock is not None else lambda: dt.datetime.now(dt.UTC)
    wait = clock.wait if clock is not None else stop.wait
    start = None if start_at is None else parse_start(start_at, hours.tz, now())
    return Gate(hours, start, now, wait)


def prepared(
    df: pd.DataFrame | Prepared, sender: str | None, options: MessageOptions
) -> tuple[Prepared, str]:
    """The campaign to send (``df`` prepared, or a prepared campaign as it is) and its sender."""
    if not isinstance(df, Prepared):
        df = prepare(df, sender=sender, **options)
    elif options or sender not in (None, df.sender):
        raise ConfigurationError(
            "a prepared campaign brings its own sender and message options; "
            "pass only the sending options (rate, journal, ...)"
        )
    if df.sender is None:
        raise InvalidSenderError("a sender is required to send", column="sender")
    return df, df.sender


def check_options(
    rate_unit: str,
    workers: int,
    retries: int,
    backoff: float,
    max_consecutive_failures: int | None,
    limit: int | None = None,
) -> None:
    """Raise ``ConfigurationError`` for a sending option that makes no sense."""
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
    if limit is not None and not (isinstance(limit, int) and limit >= 0):
        raise ConfigurationError(f"limit must be a whole number >= 0, not {limit!r}")
