"""The ``smsbatch`` command line: a thin shell over the library's functions.

``_arguments`` (with ``_options``) declares every subcommand with argparse alone, so
``smsbatch --help`` loads nothing heavy; each subcommand's code is imported only when it runs.
Errors print one line to stderr, never a traceback and never the password. The exit statuses a
script can rely on are listed once, in ``_arguments.EXIT_CODES`` (shown by ``smsbatch --help``).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import warnings
from collections.abc import Iterator, Sequence
from typing import Any, TextIO

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
        with _plain_warnings(args.command), _closed_pipe_tolerated():
            run = getattr(importlib.import_module(f"smsbatch.cli.{module}"), function)
            return int(run(args))
    except KeyboardInterrupt:
        print(f"\nsmsbatch {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except SmsBatchError as err:
        print(f"smsbatch {args.command}: error: {err}", file=sys.stderr)
        return EXIT_USAGE


@contextlib.contextmanager
def _plain_warnings(command: str) -> Iterator[None]:
    """Show warnings (an opt-out entry that is no mobile number...) as one line for a person,
    not as Python's file name, line number and source line."""

    def show(message: Warning | str, *args: Any, **kwargs: Any) -> None:
        print(f"smsbatch {command}: warning: {message}", file=sys.stderr)

    with warnings.catch_warnings():
        warnings.showwarning = show
        yield


class _Tolerant:
    """Standard output that keeps going when its reader has gone (``smsbatch ... | head``).

    The command must finish (the results file written, the exit status right) even when
    nobody reads the rest of what it prints, so output to a closed pipe is dropped."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._gone = False

    def write(self, text: str) -> int:
        if not self._gone:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._drop()
        return len(text)

    def flush(self) -> None:
        if not self._gone:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._drop()

    def _drop(self) -> None:
        self._gone = True
        with contextlib.suppress(OSError, ValueError, AttributeError):
            # Python flushes stdout once more at exit: let that go nowhere, not to a traceback.
            os.dup2(os.open(os.devnull, os.O_WRONLY), self._stream.fileno())

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def _closed_pipe_tolerated() -> Iterator[None]:
    stdout = sys.stdout
    sys.stdout = _Tolerant(stdout)
    try:
        yield
    finally:
        sys.stdout.flush()
        sys.stdout = stdout
