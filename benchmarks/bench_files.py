"""Time write_results and read_recipients on a campaign-sized result frame, CSV and Excel.

Run from the repository root: ``python -m benchmarks.bench_files [--rows N]``.

The frame looks like a send result: the recipient columns (text phone numbers, a date column)
plus the ``sms_*`` columns, 10 columns in all. Each format is written, then read back.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

from smsbatch.spreadsheets import read_recipients, write_results


def result_frame(rows: int) -> pd.DataFrame:
    """Return ``rows`` rows shaped like the result of a send."""
    return pd.DataFrame(
        {
            "voornaam": ["Zoë"] * rows,
            "achternaam": ["van den Berg"] * rows,
            "telefoon": [f"06-1234 {i % 10000:04d}" for i in range(rows)],
            "datum": pd.to_datetime(["2026-12-03"] * rows),
            "tijd": ["09:30"] * rows,
            "plaats": ["Düsseldorf"] * rows,
            "sms_to": [f"3161234{i % 10000:04d}" for i in range(rows)],
            "sms_text": ["Beste Zoë, tot 03-12 om 09:30 in Düsseldorf."] * rows,
            "sms_status": ["sent"] * rows,
            "sms_segments": [1] * rows,
        }
    )


def csv_read_ratio(rows: int, folder: Path) -> str:
    """CPU of read_recipients over pd.read_csv(dtype=str) on one CSV with day-first dates."""
    path = folder / "recipients.csv"
    with path.open("w", encoding="utf-8") as stream:
        stream.write("voornaam;achternaam;telefoon;datum;tijd;plaats\n")
        for i in range(rows):
            stream.write(
                f"Zoë{i % 97};van den Berg;06-1234 {i % 10000:04d};03-12-2026;09:30;Köln\n"
            )
    start = time.process_time()
    pd.read_csv(path, sep=";", dtype=str)
    baseline = time.process_time() - start
    start = time.process_time()
    read_recipients(path)
    ours = time.process_time() - start
    return (
        f"CSV read of {rows} rows: {ours:.2f} s CPU, {ours / baseline:.2f}x pd.read_csv(dtype=str)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    rows = parser.parse_args().rows
    frame = result_frame(rows)
    with tempfile.TemporaryDirectory() as folder:
        print(csv_read_ratio(rows, Path(folder)))
        for suffix in (".csv", ".xlsx"):
            path = Path(folder) / f"results{suffix}"
            start = time.perf_counter()
            write_results(frame, path)
            written = time.perf_counter() - start
            start = time.perf_counter()
            back = read_recipients(path)
            read = time.perf_counter() - start
            assert back.shape == frame.shape
            print(
                f"{suffix:5} {rows} rows x {frame.shape[1]} columns: write {written:.2f} s, "
                f"read {read:.2f} s, {path.stat().st_size / 1e6:.1f} MB"
            )


if __name__ == "__main__":
    main()
