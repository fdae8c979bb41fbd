"""Time write_results and read_recipients on a campaign-sized result frame, CSV and Excel.

Run from the repository root: ``python -m benchmarks.bench_files [--rows N] [--xlsx-rows N]``.

The frame looks like a send result: the recipient columns (text phone numbers, a date column)
plus the ``sms_*`` columns and ``sms_sent_at``, 11 columns in all. Each format is written, then
read back. The ``.xlsx`` write is also timed against XlsxWriter's constant-memory mode writing
the same frame plainly (no widths, colours or summary), the fastest streaming writer there is.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd
import xlsxwriter

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
            "sms_sent_at": pd.to_datetime(
                [1_796_000_000.123456 + i * 0.1 for i in range(rows)], unit="s", utc=True
            ),
        }
    )


def plain_xlsxwriter(frame: pd.DataFrame, path: Path) -> None:
    """The baseline: XlsxWriter in constant-memory mode, one write_row per row, text as text."""
    local = frame.assign(
        sms_sent_at=frame["sms_sent_at"].dt.tz_convert("Europe/Amsterdam").dt.tz_localize(None)
    )
    options = {
        "constant_memory": True,
        "default_date_format": "yyyy-mm-dd hh:mm:ss",
        # Text stays text, as write_results keeps it; it also spares write() two checks a cell.
        "strings_to_formulas": False,
        "strings_to_urls": False,
    }
    workbook = xlsxwriter.Workbook(path, options)
    worksheet = workbook.add_worksheet("results")
    worksheet.write_row(0, 0, list(local.columns))
    for row, values in enumerate(local.itertuples(index=False), start=1):
        worksheet.write_row(row, 0, values)
    workbook.close()


def xlsx_write_ratio(rows: int, folder: Path, rounds: int = 2) -> str:
    """CPU of write_results to .xlsx over the XlsxWriter baseline, best of ``rounds`` each."""
    frame = result_frame(rows)
    ours, baseline = [], []
    for attempt in range(rounds):
        start = time.process_time()
        plain_xlsxwriter(frame, folder / f"plain-{attempt}.xlsx")
        baseline.append(time.process_time() - start)
        start = time.process_time()
        write_results(frame, folder / f"ours-{attempt}.xlsx")
        ours.append(time.process_time() - start)
    return (
        f".xlsx write of {rows} rows: {min(ours):.2f} s CPU, {min(ours) / min(baseline):.2f}x "
        f"XlsxWriter constant_memory ({min(baseline):.2f} s)"
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
    parser.add_argument("--xlsx-rows", type=int, default=200_000)
    arguments = parser.parse_args()
    rows = arguments.rows
    frame = result_frame(rows)
    with tempfile.TemporaryDirectory() as folder:
        print(xlsx_write_ratio(arguments.xlsx_rows, Path(folder)))
        print(csv_read_ratio(rows, Path(folder)))
        for suffix in (".csv", ".xlsx"):
            path = Path(folder) / f"results{suffix}"
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the CSV warning about leading zeros
                write_results(frame, path)
            written = time.perf_counter() - start
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "the workbook also has 'Summary'"
                back = read_recipients(path)
            read = time.perf_counter() - start
            assert back.shape == frame.shape
            print(
                f"{suffix:5} {rows} rows x {frame.shape[1]} columns: write {written:.2f} s, "
                f"read {read:.2f} s, {path.stat().st_size / 1e6:.1f} MB"
            )


if __name__ == "__main__":
    main()
