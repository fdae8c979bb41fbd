"""The throttle spaces slots evenly and never lets a one-second window exceed ceil(rate)."""

from __future__ import annotations

import math
import threading

import pytest

from smsbatch.exceptions import ConfigurationError
from smsbatch.sending.throttle import JITTER, Throttle


class FakeClock:
    """A clock that only moves when something sleeps, so tests never wait."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        with self.lock:
            self.now += seconds


def max_in_window(slots: list[tuple[float, int]]) -> int:
    """The most units in any half-open one-second window [t, t + 1)."""
    times = sorted(slots)
    return max(sum(units for t, units in times if start <= t < start + 1.0) for start, _ in times)


def test_unthrottled_never_sleeps():
    throttle = Throttle(None, clock=lambda: 0.0, sleep=pytest.fail)
    assert [throttle.acquire() for _ in range(1000)] == [None] * 1000


@pytest.mark.parametrize("rate", [0, -1.0], ids=["zero", "negative"])
def test_rate_must_be_positive(rate):
    with pytest.raises(ConfigurationError, match="rate"):
        Throttle(rate)


@pytest.mark.parametrize("rate", [1, 2.5, 10, 20, 33.3], ids=lambda r: f"{r}/s")
def test_slots_are_evenly_spaced_and_windows_hold_at_most_ceil_rate(rate):
    clock = FakeClock()
    throttle = Throttle(rate, clock=clock, sleep=clock.sleep)
    slots = [(throttle.acquire(), 1) for _ in range(200)]
    gaps = [b[0] - a[0] for a, b in zip(slots, slots[1:], strict=False)]
    assert 1 / rate - 1e-9 <= min(gaps) <= max(gaps) <= 1 / rate + JITTER + 1e-9
    assert max_in_window(slots) == math.ceil(rate)
    assert slots[-1][0] - slots[0][0] == pytest.approx(199 / rate, rel=0.011)


def test_the_first_slot_is_immediate_and_an_idle_throttle_does_not_save_up_a_burst():
    clock = FakeClock()
    throttle = Throttle(10, clock=clock, sleep=clock.sleep)
    assert throttle.acquire() == 1000.0
    clock.now += 60  # a long pause must not allow a burst afterwards
    first, second = throttle.acquire(), throttle.acquire()
    assert (first, second) == (1060.0, pytest.approx(1060.1))


def test_a_late_wake_up_pushes_later_slots_back_instead_of_squeezing_them():
    clock = FakeClock()

    def oversleep(seconds: float) -> None:
        clock.now += seconds + 0.03

    throttle = Throttle(20, clock=clock, sleep=oversleep)
    slots = [throttle.acquire() for _ in range(50)]
    assert min(b - a for a, b in zip(slots, slots[1:], strict=False)) >= 1 / 20 - 1e-9


def test_segments_count_as_units_and_a_window_never_exceeds_the_rate():
    clock = FakeClock()
    throttle = Throttle(10, clock=clock, sleep=clock.sleep)
    sizes = [1, 3, 1, 1, 6, 2, 1, 1, 1, 4, 1, 9, 1, 1] * 10
    slots = [(throttle.acquire(units), units) for units in sizes]
    assert max_in_window(slots) <= 10
    # Keeping big messages alone in their window costs some time, but not a lot.
    duration = slots[-1][0] - slots[0][0]
    assert sum(sizes[:-1]) / 10 <= duration < 1.35 * sum(sizes) / 10


def test_a_message_larger_than_the_rate_is_sent_alone_in_its_window():
    clock = FakeClock()
    throttle = Throttle(2, clock=clock, sleep=clock.sleep)
    first, big, after = throttle.acquire(1), throttle.acquire(5), throttle.acquire(1)
    assert big - first >= 1.0
    assert after - big >= 1.0


def test_threads_share_one_rate():
    clock = FakeClock()
    throttle = Throttle(50, clock=clock, sleep=clock.sleep)
    slots: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(25):
            slot = throttle.acquire()
            with lock:
                slots.append(slot)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    slots.sort()
    assert len(slots) == 200
    assert min(b - a for a, b in zip(slots, slots[1:], strict=False)) == pytest.approx(0.02)
    assert max_in_window([(s, 1) for s in slots]) == 50
