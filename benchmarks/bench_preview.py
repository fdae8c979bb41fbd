"""Benchmark: preview a million Dutch recipients, next to the obvious per-row loop.

Run from the repository root::

    python benchmarks/bench_preview.py                 # 1,000,000 rows, baseline on 100,000
    python benchmarks/bench_preview.py --rows 200000 --baseline-rows 20000
    python benchmarks/bench_preview.py --input hard --rows 200000 --baseline-rows 50000

Each measurement runs in its own process, so its peak memory (ru_maxrss) is its own: the
generated frame plus the work. The baseline is what one writes first: for every row
``phonenumbers.parse`` + validity and type checks, ``str.format`` and a segment count.

Two inputs: ``readme`` mixes the formats real lists hold (4% unusable); ``hard`` is the
independent check's list, ``06`` + 8 random digits written four ways, so about 30% are
plausible-looking numbers that are not Dutch mobiles (``060...``, ``067...``, ``069...``) and 10%
are pagers (``066...``), with dedupe off. For ``hard`` the run also times ``exclude=`` of
100,000 such numbers: the preview with that list minus the preview without it.
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

TEMPLATES = {
    "readme": "Beste {voornaam}, uw afspraak is op {datum:%d-%m}. Tot dan!",
    "hard": "Beste {voornaam}, uw afspraak is op {datum}.",
}
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
    return _frame(phones, rng)


def hard_numbers(rows: int, rng: np.random.Generator) -> list[str]:
    """``06`` + 8 random digits as ``06{8}``, ``+316{8}``, ``06-{8}`` or ``0031 6 {8}``."""
    eight = rng.integers(0, 100_000_000, rows)
    shape = rng.integers(0, 4, rows)
    forms = ("06{:08d}", "+316{:08d}", "06-{:08d}", "0031 6 {:08d}")
    return [forms[s].format(r) for s, r in zip(shape.tolist(), eight.tolist(), strict=True)]


def hard_recipients(rows: int, seed: int = 2026) -> pd.DataFrame:
    """The independent check's input: about 30% are numbers that are not Dutch mobiles."""
    rng = np.random.default_rng(seed)
    return _frame(hard_numbers(rows, rng), rng)


def _frame(phones: list[object], rng: np.random.Generator) -> pd.DataFrame:
    rows = len(phones)
    start = np.datetime64("2026-12-01")
    return pd.DataFrame(
        {
            "phone": pd.Series(phones, dtype=object),
            "voornaam": pd.Series(rng.choice(NAMES, rows), dtype="str"),
            "datum": start + rng.integers(0, 120, rows).astype("timedelta64[D]"),
        }
    )


def run_preview(frame: pd.DataFrame, template: str, dedupe: bool, exclude: object) -> int:
    from smsbatch.preparation.campaign import preview

    result = preview(frame, text=template, dedupe=dedupe, exclude=exclude)
    return int((result["sms_status"] == "ready").sum())


def run_baseline(frame: pd.DataFrame, template: str) -> int:
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
        text = template.format(**row)
        segment_count(text)
        ready += 1
    return ready


def child(kind: str, rows: int, inputs: str) -> None:
    frame = recipients(rows) if inputs == "readme" else hard_recipients(rows)
    template = TEMPLATES[inputs]
    dedupe = inputs == "readme"
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started, cpu = time.perf_counter(), time.process_time()
    if kind == "preview":
        ready = run_preview(frame, template, dedupe, None)
    else:
        ready = run_baseline(frame, template)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    report = {
        "kind": kind,
        "rows": rows,
        "ready": ready,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "peak_mib": peak / 1024,
        "data_mib": base / 1024,
    }
    if kind == "preview" and inputs == "hard":
        report["exclude_cpu_seconds"] = exclude_cost(frame, template)
    print(json.dumps(report))


def exclude_cost(frame: pd.DataFrame, template: str, size: int = 100_000) -> float:
    """CPU seconds that ``exclude=`` of ``size`` hard numbers adds to a preview, best of 3."""
    import warnings

    numbers = hard_numbers(size, np.random.default_rng(7))
    costs = []
    for _ in range(3):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the 40% that are no mobile numbers are reported
            cpu = time.process_time()
            run_preview(frame, template, False, numbers)
            with_list = time.process_time() - cpu
            cpu = time.process_time()
            run_preview(frame, template, False, None)
            costs.append(with_list - (time.process_time() - cpu))
    return min(costs)


def measure(kind: str, rows: int, inputs: str) -> dict[str, float]:
    root = Path(__file__).resolve().parent.parent
    command = [sys.executable, str(Path(__file__).resolve()), "--child", kind]
    out = subprocess.run(
        [*command, "--rows", str(rows), "--input", inputs],
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
    parser.add_argument("--input", choices=sorted(TEMPLATES), default="readme")
    parser.add_argument("--child", choices=["preview", "baseline"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.rows, args.input)
        return
    fast = measure("preview", args.rows, args.input)
    slow = measure("baseline", args.baseline_rows, args.input)
    print(f"input: {args.input}; template: {TEMPLATES[args.input]!r}")
    for result in (fast, slow):
        print(
            f"{result['kind']:>8}: {result['rows']:>9,} rows in {result['seconds']:6.2f} s = "
            f"{result['rows'] / result['seconds']:>9,.0f} rows/s "
            f"({result['rows'] / result['cpu_seconds']:>9,.0f} rows/CPU-s); "
            f"peak RSS {result['peak_mib']:,.0f} MiB "
            f"(of which generated data {result['data_mib']:,.0f} MiB); "
            f"{result['ready']:,} ready"
        )
    speedup = (fast["rows"] / fast["seconds"]) / (slow["rows"] / slow["seconds"])
    cpu_speedup = (fast["rows"] / fast["cpu_seconds"]) / (slow["rows"] / slow["cpu_seconds"])
    print(f"speed-up: {speedup:.1f}x ({cpu_speedup:.1f}x in CPU time)")
    if "exclude_cpu_seconds" in fast:
        print(f"exclude= of 100,000 numbers adds {fast['exclude_cpu_seconds']:.3f} CPU-s")


if __name__ == "__main__":
    main()
