"""``smsbatch notebooks``: copy the example notebooks that ship with smsbatch into a folder."""

from __future__ import annotations

import argparse
import sys

from smsbatch.cli._arguments import EXIT_OK, EXIT_USAGE
from smsbatch.samples import notebook_paths


def notebooks(args: argparse.Namespace) -> int:
    try:
        args.dir.mkdir(parents=True, exist_ok=True)
        for source in notebook_paths():
            target = args.dir / source.name
            try:
                with target.open("xb") as file:  # "x": an existing file is never replaced
                    file.write(source.read_bytes())
            except FileExistsError:
                print(f"Skipped {target}: it exists (not overwritten)")
            else:
                print(f"Wrote {target}")
    except OSError as err:
        print(f"smsbatch notebooks: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK
