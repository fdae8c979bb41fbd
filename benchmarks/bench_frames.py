"""Benchmark: what a polars or pyarrow-backed frame costs over plain pandas in ``preview``.

Run from the repository root (needs ``pip install "smsbatch[polars]"``)::

    python benchmarks/bench_frames.py                  # 100,000 rows, best of 5
    python benchmarks/bench_frames.py --rows 1000000 --repeat 3

The same recipients (those of bench_preview.py, numbers as text) are previewed as plain pandas,
as polars and as pandas with pyarrow dtypes, interleaved so that a noisy machine slows all three
alike; each figure is the best run and its ratio to plain pandas. The conversion alone (to pandas
and back, around a preview done once) is timed too.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_preview import TEMPLATE, recipients

from smsbatch._frames import to_pandas
from smsbatch.preparation.campaign import preview


def best(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    plain = recipients(args.rows)
    plain["phone"] = plain["phone"].astype(str)
    frames = {
        "pandas": plain,
        "polars": pl.from_pandas(plain),
        "pandas[pyarrow]": plain.convert_dtypes(dtype_backend="pyarrow"),
    }
    results = {name: preview(frame, text=TEMPLATE, to="phone") for name, frame in frames.items()}
    ready = {
        name: int((pd.Series(r["sms_status"]) == "ready").sum()) for name, r in results.items()
    }
    assert len(set(ready.values())) == 1, ready

    timings: dict[str, list[float]] = {name: [] for name in frames}
    for _ in range(args.repeat):  # interleaved
        for name, frame in frames.items():
            timings[name].append(best(lambda f=frame: preview(f, text=TEMPLATE, to="phone"), 1))
    base = min(timings["pandas"])
    print(f"preview of {args.rows:,} rows, best of {args.repeat}:")
    for name, seconds in timings.items():
        print(f"  {name:16} {min(seconds):7.3f} s  {min(seconds) / base:5.2f}x")

    print("conversion alone (to pandas + restore of a finished preview):")
    for name, frame in frames.items():
        pandas_frame, restore = to_pandas(frame)
        done = preview(pandas_frame, text=TEMPLATE, to="phone")
        into = best(lambda f=frame: to_pandas(f), args.repeat)
        back = best(lambda r=restore, d=done: r(d), args.repeat)
        print(f"  {name:16} in {into * 1000:7.1f} ms, out {back * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
