"""What the history of sends costs per message: recording a send, and checking a campaign.

(a) recording: ``note`` (what a worker does after each answer) plus the batched ``flush`` (what
    the background writer does), per message, CPU of this process;
(b) checking: ``find_repeats`` of a campaign against a history that already holds many
    records, claiming what is left to send, and erasing the claims at the end (what
    ``run_campaign`` does before its first message and after its last), per message, for a
    campaign that is new and for one that was all sent before.

The key of each message is computed beforehand (the journal needs it anyway). Run from the
repository root::

    python benchmarks/bench_history.py               # 50,000 messages, 500,000 in the history
    python benchmarks/bench_history.py --scale 0.1
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from smsbatch.preparation.campaign import Message
from smsbatch.sending.history import History
from smsbatch.sending.repeats import find_repeats


def keys(n: int, text: str) -> list[str]:
    return [Message(f"3161{i:07d}", "text", f"{text} {i}").key for i in range(n)]


def per_message(seconds: float, n: int) -> str:
    return f"{seconds / n * 1e6:6.1f} us"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full sizes")
    args = parser.parse_args()
    n, filled = int(50_000 * args.scale), int(500_000 * args.scale)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "history.db"
        with History(path, Path(tmp) / "old.db") as past, past.recording():
            for key in keys(filled, "Earlier campaign"):
                past.note(key, "sent", time.time())
        campaign = keys(n, "Hi")

        with History(path, Path(tmp) / "a.db") as past:
            cpu, wall = time.process_time(), time.perf_counter()
            with past.recording():
                for key in campaign:
                    past.note(key, "sent", time.time())
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        print(f"(a) record {n:,} sends into a history of {filled:,}")
        print(f"    CPU {per_message(cpu, n)} per message, wall {per_message(wall, n)}")

        pairs = list(enumerate(campaign))
        fresh = list(enumerate(keys(n, "Something new")))
        for label, messages, through in (
            ("a new campaign", fresh, "b.db"),
            ("one another journal sent", pairs, "b.db"),
        ):
            with History(path, Path(tmp) / through) as past:
                cpu, wall = time.process_time(), time.perf_counter()
                repeats = find_repeats(past, messages, claim=True)
                with past.recording():  # ends the run: its claims are erased
                    pass
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            print(f"(b) check {n:,} messages of {label} ({repeats.count:,} repeats)")
            print(f"    CPU {per_message(cpu, n)} per message, wall {per_message(wall, n)}")
        print(f"history file: {path.stat().st_size / (n + filled):.0f} bytes per record")


if __name__ == "__main__":
    main()
