"""The ``smsbatch`` command line: a thin shell over the library's functions.

``_arguments`` declares every subcommand with argparse alone, so ``smsbatch --help`` loads
nothing heavy; each subcommand's code is imported only when it runs. Errors print one line to
stderr, never a traceback and never the password. The exit statuses a script can rely on are
listed once, in ``_arguments.EXIT_CODES`` (shown by ``smsbatch --help``).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

from smsbatch.cli._arguments import EXIT_INTERRUPTED, EXIT_USAGE, parser
from smsbatch.exceptions import SmsBatchError

__all__ = ["main"]

_parser = parser  # the name the tests and the docs use


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``smsbatch`` with ``argv`` (default: the process arguments); return the exit status.

    Examples
    --------
    >>> main(["preview", "klanten.csv", "--to", "tel", "--text", "Hoi {naam}"])  # doctest: +SKIP
    0
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser().parse_args(argv)
    except SystemExit as exit_:  # --help, or a usage error argparse already explained
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    module, function = args.run
    try:
        run = getattr(importlib.import_module(f"smsbatch.cli.{module}"), function)
        return int(run(args))
    except KeyboardInterrupt:
        print(f"\nsmsbatch {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except SmsBatchError as err:
        print(f"smsbatch {args.command}: error: {err}", file=sys.stderr)
        return EXIT_USAGE
