"""Benchmark: preview a million Dutch recipients, next to the obvious per-row loop.

Run from the repository root::

    python benchmarks/bench_preview.py                 # 1,000,000 rows, baseline on 100,000
    python benchmarks/bench_preview.py --rows 200000 --baseline-rows 20000

Each measurement runs in its own process, so its peak memory (ru_maxrss) is its own: the
generated frame plus the work. The baseline is what one writes first: for every row
``phonenumbers.parse`` + validity and type checks, ``str.format`` and a segment count.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

TEMPLATE = "Beste {voornaam}, uw afspraak is op {datum:%d-%m}. Tot dan!"
NAMES = [
    "Anna",
    "Bram",
    "Chloé",
    "Daan",
    "Emma",
    "Fleur",
    "Gijs",
    "Hanna",
    "Iris",
    "Jan",
    "Julia",
    "Lars",
    "Lotte",
    "Milan",
    "Noah",
    "Sanne",
    "Sem",
    "Tess",
    "Thijs",
    "Zoë",
]


def recipients(rows: int, seed: int = 2026) -> pd.DataFrame:
    """Generate mostly unique Dutch numbers in the formats real lists mix.

    About 4% are unusable (landlines, too short) and 1% are Belgian mobiles.
    """
    rng = np.random.default_rng(seed)
    second = rng.choice(np.array(["1", "2", "3", "4", "5", "8"]), rows)
    rest = rng.integers(0, 10_000_000, rows)
    shape = rng.choice(10, rows, p=[0.4, 0.15, 0.15, 0.05, 0.05, 0.05, 0.1, 0.025, 0.015, 0.01])
    phones: list[object] = []
    for s, d, r in zip(shape.tolist(), second.tolist(), rest.tolist(), strict=True):
        n = f"6{d}{r:07d}"
        phones.append(
            (
                f"0{n}",
                f"0{n[:1]}-{n[1:5]} {n[5:]}",
                f"+31{n}",
                f"+31 (0){n[:1]} {n[1:]}",
                f"0031{n}",
                f"31{n}",
                int(n),  # a spreadsheet ate the 0
                f"020 {r:07d}",  # landline
                f"06{r:05d}",  # too short
                f"+32 47{d} {r:07d}",  # Belgian mobile
            )[s]
        )
    start = np.datetime64("2026-12-01")
    return pd.DataFrame(
        {
            "phone": pd.Series(phones, dtype=object),
            "voornaam": pd.Series(rng.choice(NAMES, rows), dtype="str"),
            "datum": start + rng.integers(0, 120, rows).astype("timedelta64[D]"),
        }
    )


def run_preview(frame: pd.DataFrame) -> int:
    from smsbatch.preparation.campaign import preview

    result = preview(frame, text=TEMPLATE)
    return int((result["sms_status"] == "ready").sum())


def run_baseline(frame: pd.DataFrame) -> int:
    import phonenumbers

    from smsbatch.preparation.encoding import segment_count

    ready = 0
    for row in frame.to_dict("records"):
        try:
            number = phonenumbers.parse(str(row["phone"]), "NL")
        except phonenumbers.NumberParseException:
            continue
        if not phonenumbers.is_valid_number(number):
            continue
        if phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE:
            continue
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        text = TEMPLATE.format(**row)
        segment_count(text)
        ready += 1
    return ready


def child(kind: str, rows: int) -> None:
    frame = recipients(rows)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    work = run_preview if kind == "preview" else run_baseline
    started = time.perf_counter()
    ready = work(frame)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(
        json.dumps(
            {
                "kind": kind,
                "rows": rows,
                "ready": ready,
                "seconds": seconds,
                "peak_mib": peak / 1024,
                "data_mib": base / 1024,
            }
        )
    )


def measure(kind: str, rows: int) -> dict[str, float]:
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", kind, "--rows", str(rows)],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--baseline-rows", type=int, default=100_000)
    parser.add_argument("--child", choices=["preview", "baseline"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.rows)
        return
    fast = measure("preview", args.rows)
    slow = measure("baseline", args.baseline_rows)
    print(f"template: {TEMPLATE!r}")
    for result in (fast, slow):
        rate = result["rows"] / result["seconds"]
        print(
            f"{result['kind']:>8}: {result['rows']:>9,} rows in {result['seconds']:6.2f} s = "
            f"{rate:>9,.0f} rows/s; peak RSS {result['peak_mib']:,.0f} MiB "
            f"(of which generated data {result['data_mib']:,.0f} MiB); "
            f"{result['ready']:,} ready"
        )
    speedup = (fast["rows"] / fast["seconds"]) / (slow["rows"] / slow["seconds"])
    print(f"speed-up: {speedup:.1f}x")


if __name__ == "__main__":
    main()
