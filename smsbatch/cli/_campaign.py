"""``smsbatch demo``, ``preview`` and ``send``: read the file, show the preview, confirm, then
let :func:`smsbatch.run_campaign` do the whole run and present its report."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from smsbatch.cli._arguments import (
    EXIT_INCOMPLETE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_STOPPED,
    EXIT_USAGE,
)
from smsbatch.exceptions import PreparationError, ResultsFileError, ResultsFileExistsError
from smsbatch.gateway.client import Client
from smsbatch.gateway.simulator import Simulator
from smsbatch.preparation.campaign import prepare
from smsbatch.preparation.summary import Summary, summarize
from smsbatch.samples import SAMPLE_SENDER, SAMPLE_TEMPLATE, SAMPLE_TO, sample_path
from smsbatch.sending.report import RunReport
from smsbatch.sending.run import run_campaign
from smsbatch.sending.throttle import DEFAULT_RATE
from smsbatch.spreadsheets import CSV_SUFFIXES, EXCEL_SUFFIXES, read_recipients, write_results

_DEMO_RESULTS = "smsbatch-demo-results.xlsx"
_PREVIEW_COLUMNS = ["sms_to", "sms_status", "sms_segments", "sms_text", "sms_error"]
#: Rows that will not be sent are listed up to this many; the summary counts the rest.
_PROBLEM_ROWS = 20


def demo(args: argparse.Namespace) -> int:
    options: dict[str, Any] = {
        "to": SAMPLE_TO,
        "text": SAMPLE_TEMPLATE,
        "sender": SAMPLE_SENDER,
        "exclude": sample_path("optouts.csv"),
    }
    recipients = read_recipients(sample_path("recipients.csv"))
    print(
        f"A fictional campaign: {len(recipients)} rows from {sample_path().name}, sent to a"
        " simulated gateway on 127.0.0.1. Nothing leaves this computer.\n"
        f"Template: {SAMPLE_TEMPLATE}\n"
    )
    _show_preview(prepare(recipients, **options).frame, to=SAMPLE_TO, rows=5)
    with (
        Simulator() as simulator,
        Client(simulator.login, simulator.password, simulator.url) as client,
    ):
        report = run_campaign(recipients, client, rate=args.rate or None, **options)
        received = len(simulator.messages)
    print(f"\n{report.summary()}", file=sys.stderr)
    path = _write_free(report.result, Path(_DEMO_RESULTS))
    print(f"\nThe simulator received {received} messages. Results written to {path}")
    print("Next: 'smsbatch preview --help', 'smsbatch send --help', or 'smsbatch notebooks'")
    return EXIT_OK


def preview(args: argparse.Namespace) -> int:
    shown = prepare(read_recipients(args.file), sender=args.sender, **_message_options(args))
    _show_preview(shown.frame, to=args.to, rows=args.rows)
    return EXIT_OK


def send(args: argparse.Namespace) -> int:
    options = _message_options(args)
    recipients = read_recipients(args.file)
    out = _free_path(args.out or args.file.with_name(f"{args.file.stem}-results.xlsx"))
    _check_results_path(out)
    shown = prepare(recipients, sender=args.sender, **options)
    ready = _show_preview(shown.frame, to=args.to, rows=5).counts.get("ready", 0)
    if args.dry_run:
        print("Dry run: nothing was sent.")
        if args.out:
            print(f"Preview written to {_write_free(shown.frame, out)}")
        return EXIT_OK
    if ready == 0:
        print("smsbatch send: nothing to send: no row is ready", file=sys.stderr)
        return EXIT_USAGE
    client = Client.from_env()
    journal = (args.journal or _default_journal(args.file)).absolute()
    reused = " (from an earlier run: messages already sent with it are skipped)"
    print(f"Journal: {journal}{reused if journal.exists() else ''}")
    refusal = None if args.yes else _confirm(ready, args.sender, resuming=journal.exists())
    if refusal:
        print(f"smsbatch send: {refusal}", file=sys.stderr)
        return EXIT_USAGE
    rate = DEFAULT_RATE if args.rate is None else args.rate or None
    with client:
        report = run_campaign(
            recipients,
            client,
            confirmed=shown,
            sender=args.sender,
            journal=journal,
            journal_privacy=args.journal_privacy,
            workers=args.workers,
            resend_unknown=args.resend_unknown,
            rate=rate,
            **options,
        )
    return _present(report, out, resume=_resume_command(args, journal))


def _confirm(ready: int, sender: str, *, resuming: bool) -> str | None:
    """Ask the person at the terminal; return why not to send, or None to go ahead."""
    if not sys.stdin.isatty():
        return (
            f"refusing to send {ready} messages without confirmation: there is no terminal to"
            " ask; add --yes to send from a script"
        )
    count = f"up to {ready}" if resuming else f"{ready}"
    skipped = " (the journal skips those sent in an earlier run)" if resuming else ""
    answer = input(f"Send {count} messages from {sender!r}{skipped}? Type 'yes' to send: ")
    if answer.strip().lower() != "yes":
        return "not confirmed; nothing was sent"
    return None


def _present(report: RunReport, out: Path, *, resume: str) -> int:
    """Show what a run did, save its result and say how to resume; return the exit status."""
    print(f"\n{report.summary()}\n", file=sys.stderr)
    if report.already_sent:
        print(
            f"{report.already_sent} messages were already sent with this journal in an earlier"
            " run and were skipped, not sent again. To send the campaign afresh, use"
            " --journal NEW.db."
        )
    status = EXIT_OK
    try:
        print(f"Results written to {_write_free(report.result, out)}")
    except ResultsFileError as err:
        print(f"smsbatch send: error: {err}", file=sys.stderr)
        print(f"Every answer is in the journal; to write the results: {resume}", file=sys.stderr)
        status = EXIT_INCOMPLETE
    if report.stopped:
        print(f"smsbatch send: stopped: {report.stop_reason}", file=sys.stderr)
        status = EXIT_STOPPED
    elif report.interrupted:
        print("smsbatch send: interrupted", file=sys.stderr)
        status = EXIT_INTERRUPTED
    elif not report.complete:
        return max(status, EXIT_INCOMPLETE)
    if status in (EXIT_STOPPED, EXIT_INTERRUPTED):
        if report.fix_first:
            print(f"First {report.fix_first}.", file=sys.stderr)
        if report.stop_category == "auth_or_funds":
            print(
                "The login and password come from SMSBATCH_LOGIN and SMSBATCH_PASSWORD.",
                file=sys.stderr,
            )
        print(f"To resume without sending anything twice:\n  {resume}", file=sys.stderr)
    return status


def _default_journal(file: Path) -> Path:
    """The journal of every run of a campaign from ``file``: one fixed name, so that running the
    same command again resumes instead of sending everything a second time."""
    return file.with_name(f"{file.stem}.smsbatch-journal.db")


#: Options a resume must not repeat: unknown outcomes are re-sent only after a new check.
_NOT_RESUMED = {"help", "journal", "resend_unknown"}


def _resume_command(args: argparse.Namespace, journal: Path) -> str:
    """Return the command that resumes this run from any folder: the same campaign, rebuilt
    from the parsed options (so an abbreviation such as ``--resend`` cannot slip through),
    with absolute paths and this run's journal."""
    words = ["smsbatch", args.command]
    for action in args.parser._actions:
        value = getattr(args, action.dest, None)
        if action.dest in _NOT_RESUMED or value is None or value == action.default:
            continue
        if isinstance(value, Path):
            value = value.absolute()
        flag, text = action.option_strings[:1], str(value)
        if value is True:
            words += flag
        elif flag and text.startswith("-"):
            words.append(f"{flag[0]}={text}")  # "--text -50%!" would read as an option
        else:
            words += [*flag, text]
    return shlex.join([*words, "--journal", str(journal)])


def _message_options(args: argparse.Namespace) -> dict[str, Any]:
    """Turn the shared arguments into the keyword arguments of preview() and send()."""
    vcard_fields = {
        field: getattr(args, f"vcard_{field}") for field in ("mobile", "phone", "email", "fax")
    }
    if args.vcard_name is None and any(vcard_fields.values()):
        raise PreparationError("--vcard-mobile/-phone/-email/-fax need --vcard-name")
    if args.binary_data is None and args.binary_udh is not None:
        raise PreparationError("--binary-udh needs --binary-data")
    options: dict[str, Any] = {
        "to": args.to,
        "region": args.region,
        "exclude": args.exclude,
        "max_segments": args.max_segments,
        "price_per_segment": args.price,
        "transliterate": args.transliterate,
    }
    if args.text is not None:
        options["text"] = args.text
    elif args.vcard_name is not None:
        vcard = {"name": args.vcard_name}
        vcard.update({field: value for field, value in vcard_fields.items() if value})
        options["vcard"] = vcard
    else:
        binary = {"data": args.binary_data}
        if args.binary_udh is not None:
            binary["udh"] = args.binary_udh
        options["binary"] = binary
    return options


def _show_preview(frame: pd.DataFrame, *, to: str, rows: int) -> Summary:
    """Print the first rows of a preview (what goes to whom), every row that will not be sent
    (the first rows are usually all fine; the problems are further down) and the summary,
    which is returned."""
    shown = frame.head(rows)[[to, *_PREVIEW_COLUMNS]]
    with pd.option_context("display.max_colwidth", 70, "display.width", 200):
        print(shown.to_string())
    if len(frame) > rows:
        print(f"... and {len(frame) - rows} more rows")
    problems = frame.loc[frame["sms_status"] != "ready", [to, "sms_status", "sms_error"]]
    if len(problems):
        print(f"\nRows that will not be sent ({len(problems)}):")
        with pd.option_context("display.max_colwidth", None, "display.width", 200):
            print(problems.head(_PROBLEM_ROWS).to_string())
        if len(problems) > _PROBLEM_ROWS:
            print(f"... and {len(problems) - _PROBLEM_ROWS} more")
    summary = summarize(frame)
    print(f"\n{summary}\n")
    return summary


def _check_results_path(path: Path) -> None:
    """Refuse a results file that could not be written, before anything is sent."""
    if path.suffix.lower() not in CSV_SUFFIXES | EXCEL_SUFFIXES:
        raise ResultsFileError(f"{path}: results must be .xlsx or .csv", path=path)
    if not path.resolve().parent.is_dir():
        raise ResultsFileError(f"{path}: the folder {path.parent} does not exist", path=path)


def _free_path(path: Path) -> Path:
    """Return ``path``, or ``stem-2.ext``, ``stem-3.ext``... whichever does not exist yet."""
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate


def _write_free(result: pd.DataFrame, path: Path) -> Path:
    """Write results to ``path`` or a free name next to it; never overwrite a file."""
    while True:
        try:
            return write_results(result, _free_path(path))
        except ResultsFileExistsError:
            continue  # another process took the name between the check and the write
