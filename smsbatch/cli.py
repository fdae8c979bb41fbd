"""The ``smsbatch`` command line: one small function per subcommand.

Each subcommand has an ``_add_<name>`` function that declares its arguments and a ``_<name>``
function that runs it and returns the exit status.
"""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
from collections.abc import Sequence

from smsbatch.simulator import Simulator

_DEFAULT_SIMULATOR_PORT = 8765


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``smsbatch`` with ``argv`` (default: the process arguments); return the exit status.

    Examples
    --------
    >>> main(["simulate", "--port", "0"])  # doctest: +SKIP
    """
    parser = argparse.ArgumentParser(
        prog="smsbatch",
        description="Send templated SMS campaigns from tables through the Connect Call API.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_simulate(commands)
    args = parser.parse_args(argv)
    return args.run(args)


def _add_simulate(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "simulate",
        help="run a local Connect Call gateway simulator (no account, nothing leaves 127.0.0.1)",
        description="Serve a Connect Call gateway simulator on 127.0.0.1 until Ctrl-C.",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=_DEFAULT_SIMULATOR_PORT,
        help=f"port to listen on; 0 picks a free one (default {_DEFAULT_SIMULATOR_PORT})",
    )
    parser.add_argument("--login", default="demo", help="login it accepts (default demo)")
    parser.add_argument("--password", default="demo", help="password it accepts (default demo)")
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds before each answer (default 0)"
    )
    parser.add_argument(
        "--funds",
        type=int,
        default=None,
        help="messages accepted before 402 'Insufficient funds' (default unlimited)",
    )
    parser.add_argument(
        "--record",
        metavar="FILE",
        default=None,
        help="append accepted messages to a JSON-lines FILE",
    )
    parser.set_defaults(run=_simulate)


def _simulate(args: argparse.Namespace) -> int:
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
        return 1
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
    return 0
