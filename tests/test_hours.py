"""Sending hours, a start time and the finish estimate, with the clock passed in: midnight,
a week of days and both daylight-saving changes of Europe/Amsterdam, without waiting."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smsbatch.exceptions import ConfigurationError
from smsbatch.sending.finish import estimate_finish
from smsbatch.sending.hours import SendingHours, parse_start, when_done

AMS = ZoneInfo("Europe/Amsterdam")
OFFICE = SendingHours.parse("08:00-21:00", "mon-sat", "Europe/Amsterdam")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=AMS)


@pytest.mark.parametrize(
    ("now", "opens"),
    [
        ("2026-12-01 10:00", "2026-12-01 10:00"),  # Tuesday, open
        ("2026-12-01 07:59", "2026-12-01 08:00"),  # before the window
        ("2026-12-01 21:00", "2026-12-02 08:00"),  # closed at 21:00 sharp: next morning
        ("2026-12-01 23:59", "2026-12-02 08:00"),  # across midnight
        ("2026-12-05 21:30", "2026-12-07 08:00"),  # Saturday night: Monday (no Sunday)
        ("2026-12-06 12:00", "2026-12-07 08:00"),  # Sunday
    ],
)
def test_the_next_opening(now: str, opens: str) -> None:
    assert OFFICE.next_open(at(now)) == at(opens)


def test_daylight_saving_changes_keep_the_wall_clock_window() -> None:
    nightly = SendingHours.parse("02:00-03:00", "mon-sun", "Europe/Amsterdam")
    # 29 March 2026: 02:00-03:00 does not exist in Amsterdam (clocks go 02:00 -> 03:00), so
    # that night has no window and the next one is the night after.
    spring = nightly.next_open(at("2026-03-29 01:30"))
    assert spring == at("2026-03-30 02:00") and spring.utcoffset() == dt.timedelta(hours=2)
    autumn = OFFICE.next_open(dt.datetime(2026, 10, 25, 6, 30, tzinfo=dt.UTC))  # Sunday
    assert autumn == at("2026-10-26 08:00") and autumn.utcoffset() == dt.timedelta(hours=1)
    summer = OFFICE.next_open(dt.datetime(2026, 10, 24, 5, 30, tzinfo=dt.UTC))  # Sat 07:30
    assert summer == at("2026-10-24 08:00") and summer.utcoffset() == dt.timedelta(hours=2)


@pytest.mark.parametrize(
    ("window", "days", "tz", "message"),
    [
        ("21:00-08:00", "mon-sun", "Europe/Amsterdam", "closes before it opens"),
        ("8-21", "mon-sun", "Europe/Amsterdam", "not a window like"),
        ("08:00-25:00", "mon-sun", "Europe/Amsterdam", "does not exist"),
        ("08:00-21:00", "maandag", "Europe/Amsterdam", "not a list of days"),
        ("08:00-21:00", "mon-sun", "Amsterdam", "not a time zone"),
    ],
)
def test_hours_that_cannot_work_are_refused(window, days, tz, message) -> None:
    with pytest.raises(ConfigurationError, match=message):
        SendingHours.parse(window, days, tz)


def test_days_wrap_around_the_week() -> None:
    weekend = SendingHours.parse("10:00-16:00", "sat-mon", "Europe/Amsterdam")
    assert weekend.days == frozenset({5, 6, 0})


def test_a_start_time_is_read_in_the_campaign_zone_and_must_be_ahead() -> None:
    now = at("2026-12-01 10:00")
    assert parse_start("2026-12-02 08:30", AMS, now) == at("2026-12-02 08:30")
    assert parse_start(dt.datetime(2026, 12, 2, 7, 30, tzinfo=dt.UTC), AMS, now) == at(
        "2026-12-02 08:30"
    )
    with pytest.raises(ConfigurationError, match="in the past"):
        parse_start("2026-12-01 09:00", AMS, now)
    with pytest.raises(ConfigurationError, match="not a date and time"):
        parse_start("morgen", AMS, now)


def test_when_a_campaign_would_be_done() -> None:
    # 20,000 at 10/s is 2,000 s: started at 14:00 on a Tuesday, done at 14:33:20.
    assert when_done(20_000, 10, OFFICE, at("2026-12-01 14:00")) == at("2026-12-01 14:33:20")
    # 600,000 at 10/s is 60,000 s (16 h 40 m): 13 h on Tuesday, the rest Wednesday from 08:00.
    assert when_done(600_000, 10, OFFICE, at("2026-12-01 08:00")) == at("2026-12-02 11:40")
    assert when_done(10, None, OFFICE, at("2026-12-06 12:00")) == at("2026-12-07 08:00")


@pytest.mark.parametrize(
    ("now", "options", "sentence"),
    [
        (
            "2026-12-01 14:00",
            {"window": "08:00-21:00"},
            "20,000 messages at 10/s within 08:00-21:00 mon-sun (Europe/Amsterdam):"
            " done today at 14:33",
        ),
        ("2026-12-01 20:50", {}, "20,000 messages at 10/s: done today at 21:23 (Europe/Amsterdam)"),
        (
            "2026-12-01 20:50",
            {"window": "08:00-21:00", "days": "mon-sat"},
            "20,000 messages at 10/s within 08:00-21:00 mon-sat (Europe/Amsterdam):"
            " done tomorrow at 08:23",
        ),
        (
            "2026-12-01 14:00",
            {"start_at": "2026-12-04 09:00"},
            "20,000 messages at 10/s from Fri 04 Dec at 09:00: done Fri 04 Dec at 09:33"
            " (Europe/Amsterdam)",
        ),
        (
            "2026-12-01 14:00",
            {"rate": None},
            "20,000 messages as fast as the gateway answers: done about now",
        ),
        (
            "2026-12-01 14:00",
            {"rate": None, "window": "08:00-21:00"},
            "20,000 messages as fast as the gateway answers within 08:00-21:00 mon-sun"
            " (Europe/Amsterdam): done about now",
        ),
        (
            "2026-12-05 22:00",
            {"rate": None, "window": "08:00-21:00", "days": "mon-sat"},
            "20,000 messages as fast as the gateway answers within 08:00-21:00 mon-sat"
            " (Europe/Amsterdam) from Mon 07 Dec at 08:00: done soon after",
        ),
        (
            "2026-12-01 14:00",
            {"rate_unit": "segment"},
            "60,000 SMS parts at 10/s: done today at 15:40 (Europe/Amsterdam)",
        ),
    ],
    ids=[
        "open",
        "no-window",
        "past-closing",
        "start-at",
        "unlimited",
        "unlimited-open",
        "unlimited-closed",
        "segments",
    ],
)
def test_the_finish_estimate_says_when_in_one_sentence(
    now: str, options: dict[str, object], sentence: str
) -> None:
    kwargs: dict[str, object] = {"rate": 10, **options}
    finish = estimate_finish(20_000, parts=60_000, now=at(now), **kwargs)  # type: ignore[arg-type]
    assert str(finish) == sentence


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"window": "21:00-08:00"}, "closes before it opens"),
        ({"days": "weekdays"}, "not a list of days"),
        ({"tz": "Amsterdam"}, "not a time zone"),
        ({"start_at": "2026-11-30 09:00"}, "in the past"),
    ],
    ids=["window", "days", "tz", "start-in-the-past"],
)
def test_the_finish_estimate_refuses_what_send_refuses(options: dict[str, str], error: str) -> None:
    with pytest.raises(ConfigurationError, match=error):
        estimate_finish(10, rate=10, now=at("2026-12-01 14:00"), **options)  # type: ignore[arg-type]


@given(st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2028, 1, 1)))
def test_the_next_opening_is_never_earlier_and_always_inside_the_window(naive) -> None:
    moment = naive.replace(tzinfo=dt.UTC)
    opens = OFFICE.next_open(moment).astimezone(AMS)
    assert opens >= moment
    assert opens.weekday() != 6 and dt.time(8) <= opens.time() < dt.time(21)
