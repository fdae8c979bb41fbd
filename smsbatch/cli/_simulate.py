"""``smsbatch simulate``: serve the gateway simulator until Ctrl-C."""

from __future__ import annotations

import argparse
import shlex
import signal
import sys

from smsbatch.cli._arguments import EXIT_INCOMPLETE, EXIT_OK
from smsbatch.gateway.simulator import Simulator


def simulate(args: argparse.Namespace) -> int:
    try:
        simulator = Simulator(
            args.login,
            args.password,
            port=args.port,
            latency=args.latency,
            funds=args.funds,
            record_path=args.record,
        )
    except OSError as err:
        print(f"smsbatch simulate: cannot start: {err}", file=sys.stderr)
        return EXIT_INCOMPLETE
    # A shell without job control starts background commands with SIGINT ignored, but Ctrl-C
    # (SIGINT) is how this command is stopped.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    # The password shown is the simulator's own, never a real account's.
    print(
        f"Connect Call simulator listening on {simulator.url}\n"
        "Point smsbatch at it (POSIX shell):\n"
        f"  export SMSBATCH_BASE_URL={simulator.url}\n"
        f"  export SMSBATCH_LOGIN={shlex.quote(args.login)}\n"
        f"  export SMSBATCH_PASSWORD={shlex.quote(args.password)}\n"
        "Press Ctrl-C to stop.",
        flush=True,
    )
    try:
        simulator.serve_forever()
    except KeyboardInterrupt:
        print(f"Stopped after {len(simulator.messages)} accepted message(s).", flush=True)
    return EXIT_OK
