"""Benchmark: resume a finished campaign of a million messages, next to its preview.

A resume of a finished campaign sends nothing: it prepares the rows (as the preview does),
reads the journal (two records per message) and gives back the result with every answer. Its
CPU time is compared with the preview's of the same frame, measured in the same run (target:
at most 1.5x), and the peak memory of each is reported (target: under 800 MiB).

Run from the repository root::

    python benchmarks/bench_journal.py                 # 1,000,000 rows
    python benchmarks/bench_journal.py --rows 100000

Each measurement runs in its own process, so its peak memory (ru_maxrss) is its own: the
frame (generated once, loaded from a pickle) plus the work. The journal is written once,
beforehand, as a finished campaign would have left it (every message begun and answered
"SMS message sent."). Preview and resume are measured ``--repeat`` times, taking turns, and
compared by their fastest run: on a shared machine one pair alone has varied from 1.28x to
1.65x, while the fastest runs of each are what the code costs without the neighbours.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_preview import TEMPLATES, recipients

TEMPLATE = TEMPLATES["readme"]

SENDER = "Clinic"


def write_finished_journal(path: Path, frame_path: Path, rows: int) -> int:
    """A journal in which every ready message of the benchmark's frame was sent; the frame
    is saved too, so that the measured processes load it instead of generating it (the
    generator's own peak would hide theirs)."""
    from smsbatch.preparation.campaign import prepare
    from smsbatch.sending import _journal_format as fmt
    from smsbatch.sending._recorded import occurrences

    frame = recipients(rows)
    frame.to_pickle(frame_path)
    prepared = prepare(frame, text=TEMPLATE, sender=SENDER)
    digests = prepared.digests()
    occurrence = occurrences(digests).tolist()
    numbers = prepared.frame["sms_to"].to_numpy()[prepared.positions()].tolist()
    texts = [prepared.message(p).text for p in prepared.positions().tolist()]
    at = time.time() - 3600
    crc = 0
    with path.open("wb") as file:
        file.write(fmt.header("full", 0, 0))
        for digest, occ, to, text in zip(digests, occurrence, numbers, texts, strict=True):
            key = digest.tobytes().hex()
            answer = (fmt.code_field(200), "SMS message sent.", fmt.SAME_AS_TO)
            for line in (
                fmt.record(fmt.BEGIN, key, occ, at, (to, "text", text)),
                fmt.record(fmt.ANSWERED, key, occ, at + 0.05, answer),
            ):
                file.write(line)
                crc = zlib.crc32(line, crc)
        file.seek(0)
        file.write(fmt.header("full", 2 * len(numbers), crc))
    return len(numbers)


def child(kind: str, journal: str, rows: int) -> None:
    import pandas as pd

    from smsbatch.gateway.client import Client
    from smsbatch.preparation.campaign import preview
    from smsbatch.sending.run import run_campaign

    if kind == "write":
        count = write_finished_journal(Path(journal), Path(journal).with_suffix(".pickle"), rows)
        print(json.dumps({"messages": count}))
        return
    frame = pd.read_pickle(Path(journal).with_suffix(".pickle"))
    # Nothing may be sent: a request to this port would fail and show in the report.
    client = Client("bench", "bench-secret", "http://127.0.0.1:9/api/")
    before = resource.getrusage(resource.RUSAGE_SELF)
    base = before.ru_maxrss
    started = time.process_time()
    if kind == "preview":
        result = preview(frame, text=TEMPLATE, sender=SENDER)
        settled = int((result["sms_status"] == "ready").sum())
    else:
        report = run_campaign(
            frame, client, text=TEMPLATE, sender=SENDER, journal=journal, progress=False
        )
        assert report.to_send == 0, report.to_send
        settled = report.already_sent
    seconds = time.process_time() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    peak = after.ru_maxrss  # KiB on Linux
    print(
        json.dumps(
            {
                "kind": kind,
                "cpu": seconds,
                # The system's share is mostly first touches of new memory (page faults): on a
                # virtual machine the noisiest part of the figure.
                "sys": after.ru_stime - before.ru_stime,
                "settled": settled,
                "peak_mib": peak / 1024,
                "data_mib": base / 1024,
            }
        )
    )


def measure(kind: str, journal: Path, rows: int = 0) -> dict[str, float]:
    root = Path(__file__).resolve().parent.parent
    command = [sys.executable, str(Path(__file__).resolve()), "--child", kind]
    out = subprocess.run(
        [*command, "--journal", str(journal), "--rows", str(rows)],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(root), "PATH": os.environ.get("PATH", "/usr/bin:/bin")},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (default 3)")
    parser.add_argument("--child", choices=["write", "preview", "resume"], help=argparse.SUPPRESS)
    parser.add_argument("--journal", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.journal, args.rows)
        return
    with tempfile.TemporaryDirectory() as folder:
        journal = Path(folder) / "finished.journal"
        # In a process of its own: ru_maxrss survives exec, so a heavy parent would lend its
        # peak to the measured processes.
        messages = int(measure("write", journal, args.rows)["messages"])
        size = journal.stat().st_size
        runs = [
            (measure("preview", journal), measure("resume", journal)) for _ in range(args.repeat)
        ]
    print(f"{args.rows:,} rows, {messages:,} messages sent; journal {size / 2**20:,.0f} MiB")
    for pair in runs:
        for result in pair:
            print(
                f"{result['kind']:>8}: {result['cpu']:6.2f} s CPU ({result['sys']:.2f} system);"
                f" peak RSS "
                f"{result['peak_mib']:,.0f} MiB (of which the frame {result['data_mib']:,.0f})"
            )
        assert pair[1]["settled"] == messages, pair[1]
    preview, resume = (min(pair[i]["cpu"] for pair in runs) for i in (0, 1))
    pairs = sorted(resume_["cpu"] / preview_["cpu"] for preview_, resume_ in runs)
    print(
        f"resume / preview CPU, fastest runs: {resume / preview:.2f}x (target <= 1.5x);"
        f" run by run {pairs[0]:.2f}-{pairs[-1]:.2f}x"
    )


if __name__ == "__main__":
    main()
