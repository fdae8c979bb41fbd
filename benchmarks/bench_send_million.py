"""Benchmark: send a million messages through a stub client, next to their preview.

What is measured is the sender's own cost: the loop, the journal (on) and the result frame.
The client is a stub that answers every message "SMS message sent." at once, without any
network, and the history of sends is off (``bench_history.py`` measures it). Each of the two
runs is in its own process, on the same frame (loaded from a pickle):

- ``preview``: ``preview(frame, ...)``, the preparation every send does first;
- ``send``: ``send(frame, stub, ..., journal=..., rate=None, progress=False, history=False)``.

Reported: the send's CPU beyond the preview's, per message (target: at most 25 µs), and its
peak RSS beyond the preview's peak, per message (target: at most 400 B).

Run from the repository root::

    python benchmarks/bench_send_million.py                 # 1,000,000 rows
    python benchmarks/bench_send_million.py --rows 100000
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_preview import TEMPLATES, recipients

TEMPLATE = TEMPLATES["readme"]
SENDER = "Clinic"


class StubClient:
    """Client-shaped: every text is answered 200 for its own number, at once."""

    base_url = "http://127.0.0.1:9/api/"

    def send_text(self, to: str, text: str, *, sender: str) -> object:
        from smsbatch.gateway.reply import Response

        return Response(200, "SMS message sent.", to, to)


def child(kind: str, folder: str, rows: int) -> None:
    import pandas as pd

    from smsbatch import preview, send

    frame_path = Path(folder) / "frame.pickle"
    if kind == "write":
        recipients(rows).to_pickle(frame_path)
        return
    frame = pd.read_pickle(frame_path)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.process_time()
    if kind == "preview":
        result = preview(frame, text=TEMPLATE, sender=SENDER)
    else:
        result = send(
            frame,
            StubClient(),  # type: ignore[arg-type]
            text=TEMPLATE,
            sender=SENDER,
            journal=Path(folder) / "send.journal",
            rate=None,
            progress=False,
            history=False,
        )
    seconds = time.process_time() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    counts = result["sms_status"].value_counts()
    print(
        json.dumps(
            {
                "kind": kind,
                "cpu": seconds,
                "ready": int(counts.get("ready", 0)),
                "sent": int(counts.get("sent", 0)),
                "peak_mib": peak / 1024,
                "data_mib": base / 1024,
            }
        )
    )


def measure(kind: str, folder: str, rows: int = 0) -> dict[str, float]:
    root = Path(__file__).resolve().parent.parent
    command = [sys.executable, str(Path(__file__).resolve()), "--child", kind]
    out = subprocess.run(
        [*command, "--folder", folder, "--rows", str(rows)],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(root), "PATH": os.environ.get("PATH", "/usr/bin:/bin")},
    )
    lines = out.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--child", choices=["write", "preview", "send"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.folder, args.rows)
        return
    with tempfile.TemporaryDirectory() as folder:
        # The frame is generated in a process of its own: its peak would hide the others'.
        measure("write", folder, args.rows)
        preview = measure("preview", folder)
        sent = measure("send", folder)
    messages = int(preview["ready"])
    assert sent["sent"] == messages, (sent, messages)
    print(f"{args.rows:,} rows, {messages:,} messages sent through a stub client, journal on")
    for result in (preview, sent):
        print(
            f"{result['kind']:>8}: {result['cpu']:6.2f} s CPU; peak RSS "
            f"{result['peak_mib']:,.0f} MiB (of which the frame {result['data_mib']:,.0f})"
        )
    cpu = (sent["cpu"] - preview["cpu"]) / messages * 1e6
    memory = (sent["peak_mib"] - preview["peak_mib"]) * 2**20 / messages
    print(f"send beyond the preview: {cpu:.1f} µs CPU per message (target <= 25)")
    print(f"send beyond the preview: {memory:,.0f} B peak RSS per message (target <= 400)")


if __name__ == "__main__":
    main()
