"""How much the sender costs next to the gateway: three figures from one run.

(a) ``send()`` with one worker, no rate limit, journal and history of sends on and no progress
    bar, against a bare ``requests.Session`` loop making the same requests (target: at least
    0.85 of its speed);
(b) ``send()`` with 16 workers to a gateway answering after 50 ms (target: 90% of the 320/s
    that latency allows);
(c) the rate achieved with ``rate=20`` (target: within 3% of 20/s and never more than 20
    requests in any one-second window), measured from the gateway's arrival times.

The simulator runs in its own process (``smsbatch simulate``) so that the measured process
does only the client's work, as against a real gateway. Run from the repository root::

    python benchmarks/bench_sender.py            # the full run, about a minute
    python benchmarks/bench_sender.py --scale 0.1
    python benchmarks/bench_sender.py --only c --rate 200 --workers 8 --busy 4

``--only c`` measures the throttle's cap at the gateway alone, at any rate and number of
workers, with ``--busy`` CPU-bound processes alongside (the cap must hold on a busy machine).
"""

from __future__ import annotations

import argparse
import json
import math
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
import requests

from smsbatch.gateway.client import Client
from smsbatch.sending.run import send

LOGIN, PASSWORD = "bench", "bench-secret"


@contextmanager
def simulator(latency: float = 0.0, record: Path | None = None) -> Iterator[str]:
    """A simulator in a child process; yields its URL."""
    command = [
        sys.executable,
        "-m",
        "smsbatch",
        "simulate",
        "--port",
        "0",
        "--login",
        LOGIN,
        "--password",
        PASSWORD,
        "--latency",
        str(latency),
    ]
    if record is not None:
        command += ["--record", str(record)]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        url = line.rsplit(" ", 1)[-1].strip()
        assert url.startswith("http://127.0.0.1:"), line
        yield url
    finally:
        child.send_signal(signal.SIGINT)
        child.communicate(timeout=30)


def recipients(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": [f"Person {i}" for i in range(n)],
            "phone": [f"06{20000000 + i}" for i in range(n)],
        }
    )


def bare_loop(url: str, n: int) -> float:
    """Seconds for a plain requests loop sending the same n messages."""
    with requests.Session() as session:
        started = time.perf_counter()
        for i in range(n):
            reply = session.get(
                f"{url}sendsms.ashx",
                params={
                    "login": LOGIN,
                    "pass": PASSWORD,
                    "from": "Bench",
                    "to": f"316{20000000 + i}",
                    "text": f"Hi Person {i}",
                },
            )
            reply.content  # noqa: B018 - read the answer, as the client does
        return time.perf_counter() - started


def sender_run(
    url: str,
    df: pd.DataFrame,
    journal: Path,
    departures: list[float] | None = None,
    **options: object,
) -> float:
    """Seconds for send() of the whole frame, preparation included.

    Each run records into a history of sends of its own (next to its journal): the runs send
    the same messages, which one shared history would rightly skip as repeats. ``departures``
    receives the wall-clock time each request enters the HTTP adapter, just before its socket.
    """
    history = journal.with_suffix(".history.db")
    with Client(LOGIN, PASSWORD, url) as client:
        if departures is not None:
            adapter = client.session.get_adapter(url)
            adapter_send = adapter.send

            def noted_send(*args: Any, **kwargs: Any) -> requests.Response:
                departures.append(time.time())
                return adapter_send(*args, **kwargs)

            adapter.send = noted_send  # type: ignore[method-assign]
        started = time.perf_counter()
        result = send(
            df,
            client,
            text="Hi {name}",
            sender="Bench",
            progress=False,
            journal=journal,
            history=history,
            **options,
        )
        elapsed = time.perf_counter() - started
    assert (result["sms_status"] == "sent").all(), result["sms_status"].value_counts()
    return elapsed


def measured(run: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and CPU seconds (this process, all threads) of one run."""
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def overhead(n: int, rounds: int, workdir: Path) -> None:
    df = recipients(n)
    bare: list[tuple[float, float]] = []
    ours: list[tuple[float, float]] = []
    with simulator() as url:
        bare_loop(url, min(n, 200))  # warm up both sides
        for r in range(rounds):
            # Alternating order (ABBA): a slow spell of the machine hits both sides alike.
            for side in ("bare", "send") if r % 2 == 0 else ("send", "bare"):
                if side == "bare":
                    bare.append(measured(partial(bare_loop, url, n)))
                else:
                    run = partial(sender_run, url, df, workdir / f"a{r}.db", rate=None, workers=1)
                    ours.append(measured(run))
    b, s = min(wall for wall, _ in bare), min(wall for wall, _ in ours)
    ratios = sorted(x[0] / y[0] for x, y in zip(bare, ours, strict=True))
    b_cpu, s_cpu = (min(cpu for _, cpu in runs) / n * 1e6 for runs in (bare, ours))
    print(f"(a) {n} messages, workers=1, rate=None, journal and history on, progress off")
    print(f"    bare requests loop {n / b:8.0f} msg/s   ({b:.2f} s, best of {rounds})")
    print(f"    smsbatch.send      {n / s:8.0f} msg/s   ({s:.2f} s, best of {rounds})")
    print(f"    ratio of the bests {b / s:8.2f}        (target >= 0.85)")
    print(
        f"    paired ratios      {statistics.median(ratios):8.2f} median"
        f"   ({', '.join(f'{x:.2f}' for x in ratios)})"
    )
    print(
        f"    CPU per message    {b_cpu:.0f} us bare, {s_cpu:.0f} us send"
        f"   (own cost {s_cpu - b_cpu:+.0f} us)"
    )


def concurrency(n: int, workdir: Path) -> None:
    with simulator(latency=0.05) as url:
        elapsed = sender_run(url, recipients(n), workdir / "b.db", rate=None, workers=16)
    achieved = n / elapsed
    print(f"(b) {n} messages, 50 ms latency, workers=16")
    print(f"    {achieved:.0f} msg/s = {achieved / 320:.0%} of 320/s   (target >= 90%)")


def busiest(times: list[float]) -> int:
    """The most times in any one-second window."""
    times, most, first = sorted(times), 0, 0
    for last, at in enumerate(times):
        while times[first] <= at - 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


def rate_limit(n: int, workdir: Path, rate: float = 20, workers: int = 4) -> None:
    record = workdir / "c.jsonl"
    departures: list[float] = []
    with simulator(record=record) as url:
        sender_run(url, recipients(n), workdir / "c.db", departures, rate=rate, workers=workers)
    times = sorted(json.loads(line)["received_at"] for line in record.read_text().splitlines())
    achieved = (len(times) - 1) / (times[-1] - times[0])
    print(f"(c) {n} messages, rate={rate:g}, workers={workers}")
    print(f"    achieved {achieved:.2f}/s ({achieved / rate - 1:+.1%})   (target within 3%)")
    print(
        f"    busiest one-second window: {busiest(times)} requests at the gateway, "
        f"{busiest(departures)} leaving the client   (target <= {math.ceil(rate)})"
    )
    # The n-th request to arrive against the n-th to leave: how long the way from the client
    # to the gateway's clock took, which the throttle cannot see (on a busy machine, mostly
    # the wait of the gateway's own process for a core).
    transit = sorted(a - d for a, d in zip(times, sorted(departures), strict=True))
    print(
        f"    client to gateway: {transit[len(transit) // 2] * 1000:.1f} ms median, "
        f"{(transit[-1] - transit[0]) * 1000:.1f} ms from the quickest to the slowest"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full sizes")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds for (a)")
    parser.add_argument("--only", choices=["a", "b", "c"], help="one measurement")
    parser.add_argument("--rate", type=float, default=20, help="the rate of (c)")
    parser.add_argument("--workers", type=int, default=4, help="the workers of (c)")
    parser.add_argument("--busy", type=int, default=0, help="CPU-bound processes alongside")
    args = parser.parse_args()
    burners = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.busy)
    ]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            if args.only in (None, "a"):
                overhead(int(5000 * args.scale), args.rounds, workdir)
            if args.only in (None, "b"):
                concurrency(int(2000 * args.scale), workdir)
            if args.only in (None, "c"):
                n = max(int(10 * args.rate * args.scale), 40)
                rate_limit(n, workdir, args.rate, args.workers)
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()


if __name__ == "__main__":
    main()
