"""``smsbatch journal show`` and ``smsbatch journal purge``: a campaign's journal read back,
or purged of the numbers and texts it no longer needs."""

from __future__ import annotations

import argparse

from smsbatch.cli._arguments import EXIT_OK
from smsbatch.cli._results import check_results_path, free_path, write_free
from smsbatch.sending.journal_tools import purge_journal, read_journal

_STATUSES = ("sent", "failed", "unknown", "not_sent")


def show(args: argparse.Namespace) -> int:
    out = None if args.out is None else free_path(args.out)
    if out is not None:
        check_results_path(out)
    messages = read_journal(args.journal)
    print(f"Journal: {args.journal.absolute()}")
    if messages.empty:
        print("No message recorded yet.")
    else:
        first, last = messages["first_at"].min(), messages["last_at"].max()
        print(
            f"{len(messages):,} messages, first sent {first:%Y-%m-%d %H:%M} UTC, last record"
            f" {last:%Y-%m-%d %H:%M} UTC"
        )
        counts = messages["status"].value_counts()
        for status in _STATUSES:
            if counts.get(status, 0):
                print(f"  {status:<9}{counts[status]:>10,}")
        if counts.get("unknown", 0):
            print("Unknown: they may have arrived; check with the provider before sending again.")
        hidden = int((messages["number"] == "").sum())
        if hidden:
            print(f"{hidden:,} messages have no number or text here (purged, or kept minimal).")
    if out is not None:
        print(f"Every message written to {write_free(messages, out)}")
    return EXIT_OK


def purge(args: argparse.Namespace) -> int:
    purged = purge_journal(args.journal, older_than=args.older_than)
    print(
        f"{purged:,} messages settled more than {args.older_than} ago lost their number and text"
        f" in {args.journal.absolute()}; the journal still prevents sending them twice."
    )
    return EXIT_OK
