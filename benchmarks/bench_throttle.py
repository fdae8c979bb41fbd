"""Benchmark: the rate the throttle achieves, next to a bare absolute-schedule pacer.

Run from the repository root::

    python benchmarks/bench_throttle.py                  # 1 to 1,000/s, 1 and 8 workers
    python benchmarks/bench_throttle.py --busy 4         # the same with 4 CPU-bound processes

For each rate and number of worker threads, the threads take slots for about ``--seconds``
seconds and note the time each slot was handed out; the achieved rate is the slots after the
first divided by the time from the first to the last. The baseline, in the same process and
right after, is the loop one writes to pace by an absolute schedule (slot ``k`` at
``t0 + k / rate``, sleeping until then, threads sharing one counter): it has no one-second cap
and makes up any lateness at once. "busiest" is the most slots in any one-second window: by the
slot times the throttle hands out (its promise: never more than ``ceil(rate)``) and by the
times the worker threads saw them (later still, on a busy machine, by a thread switch).
"""

from __future__ import annotations

import argparse
import math
import subprocess
import sys
import threading
import time
from collections.abc import Callable

from smsbatch.sending.throttle import Throttle


def run_workers(
    take: Callable[[], float | None], count: int, workers: int
) -> tuple[list[float], list[float]]:
    """Let ``workers`` threads take ``count`` slots in all; return slot and seen times."""
    slots: list[float] = []
    times: list[float] = []
    lock = threading.Lock()
    left = [count]

    def worker() -> None:
        while True:
            with lock:
                if left[0] == 0:
                    return
                left[0] -= 1
            slot = take()
            now = time.monotonic()
            with lock:
                times.append(now)
                slots.append(now if slot is None else slot)

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(slots), sorted(times)


def bare_pacer(rate: float) -> Callable[[], None]:
    lock = threading.Lock()
    state = {"k": 0, "t0": 0.0}

    def take() -> None:
        with lock:
            if state["k"] == 0:
                state["t0"] = time.monotonic()
            target = state["t0"] + state["k"] / rate
            state["k"] += 1
            delay = target - time.monotonic()
            if delay > 0:
                time.sleep(delay)

    return take


def achieved(times: list[float]) -> float:
    return (len(times) - 1) / (times[-1] - times[0])


def busiest(times: list[float]) -> int:
    most, first = 0, 0
    for last, at in enumerate(times):
        while times[first] <= at - 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="1,10,50,200,1000")
    parser.add_argument("--workers", default="1,8")
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--busy", type=int, default=0, help="CPU-bound processes to run alongside")
    args = parser.parse_args()
    burners = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.busy)
    ]
    try:
        print(f"{args.busy} busy processes alongside; about {args.seconds:g} s per measurement")
        print(
            "rate/s workers      throttle  (busiest: slots, seen)    bare pacer (busiest)"
            "  throttle/pacer"
        )
        for rate in [float(r) for r in args.rates.split(",")]:
            count = max(int(rate * args.seconds), 5) + 1
            for workers in [int(w) for w in args.workers.split(",")]:
                slots, seen = run_workers(Throttle(rate).acquire, count, workers)
                _, bare = run_workers(bare_pacer(rate), count, workers)
                mine, theirs = achieved(slots), achieved(bare)
                print(
                    f"{rate:>6g} {workers:>7} {mine:>8.2f} {mine / rate - 1:+7.2%} "
                    f"({busiest(slots):>4}, {busiest(seen):>4})  "
                    f"{theirs:>10.2f} {theirs / rate - 1:+7.2%} ({busiest(bare):>4})  "
                    f"{mine / theirs:6.3f}"
                    + ("" if busiest(slots) <= math.ceil(rate) else "  CAP BROKEN")
                )
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()


if __name__ == "__main__":
    main()
