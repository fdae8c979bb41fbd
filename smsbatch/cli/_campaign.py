"""``smsbatch demo``, ``preview`` and ``send``: read the file, show the preview, confirm, then
let :func:`smsbatch.run_campaign` do the whole run and present its report."""

from __future__ import annotations

import argparse
import datetime as dt
import shlex
import sys
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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
from smsbatch.preparation.campaign import Prepared, prepare
from smsbatch.preparation.summary import Summary, summarize
from smsbatch.samples import SAMPLE_SENDER, SAMPLE_TEMPLATE, SAMPLE_TO, sample_path
from smsbatch.sending.hours import SendingHours, parse_start, when_done
from smsbatch.sending.report import RunReport
from smsbatch.sending.run import run_campaign
from smsbatch.spreadsheets import CSV_SUFFIXES, EXCEL_SUFFIXES, read_recipients, write_results
from smsbatch.spreadsheets.reading import SOURCE_ATTR

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
        report = run_campaign(recipients, client, rate=args.rate, **options)
        received = len(simulator.messages)
    print(f"\n{report.summary()}", file=sys.stderr)
    path = _write_free(report.result, Path(_DEMO_RESULTS), sender=options["sender"])
    print(f"\nThe simulator received {received} messages. Results written to {path}")
    print("Next: 'smsbatch preview --help', 'smsbatch send --help', or 'smsbatch notebooks'")
    return EXIT_OK


def preview(args: argparse.Namespace) -> int:
    shown = prepare(_read(args), sender=args.sender, **_message_options(args))
    ready = _show_preview(shown.frame, to=args.to, rows=args.rows).counts.get("ready", 0)
    if ready == 0:
        print("smsbatch preview: no row is ready to send: see the reasons above", file=sys.stderr)
        return EXIT_INCOMPLETE
    return EXIT_OK


def send(args: argparse.Namespace) -> int:
    options = _message_options(args)
    recipients = _read(args)
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
    control = {
        "window": args.window,
        "days": args.days,
        "tz": args.tz,
        "start_at": args.start_at,
        "limit": args.limit,
    }
    if args.test_to:
        with client:
            trial = run_campaign(shown, client, rate=None, test_to=args.test_to, **control)
        for _, row in trial.result.iterrows():
            print(f"Test to {row['sms_to']}: {row['sms_status']} ({row['sms_response_text']})")
        if args.yes:
            print("Test sent; the campaign was not. Run again without --test-to to send it.")
            return EXIT_OK if trial.complete else EXIT_INCOMPLETE
        client = Client.from_env()
    print(_timing(args, ready))
    refusal = None if args.yes else _confirm(shown, client, resuming=journal.exists())
    if refusal:
        print(f"smsbatch send: {refusal}", file=sys.stderr)
        return EXIT_USAGE
    with client:
        report = run_campaign(
            recipients,
            client,
            confirmed=shown,
            sender=args.sender,
            journal=journal,
            workers=args.workers,
            resend_unknown=args.resend_unknown,
            rate=args.rate,
            **control,
            **options,
        )
    shown_in_results = {"sender": shown.sender, "journal": journal, "tz": args.tz}
    return _present(report, out, resume=_resume_command(args, journal), **shown_in_results)


def _read(args: argparse.Namespace) -> pd.DataFrame:
    """Read the recipients and say what was read: the sheet, the header row, what was left out."""
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        recipients = read_recipients(args.file, sheet=args.sheet, header_row=args.header_row)
    source = recipients.attrs.get(SOURCE_ATTR, {})
    where = f"sheet {source['sheet']!r}, " if source.get("sheet") else ""
    print(f"Read {len(recipients)} rows from {args.file} ({where}column names in row "
          f"{source.get('header_row', 1)})")
    for note in source.get("warnings", []):
        print(f"  note: {note}")
    return recipients


def _confirm(shown: Prepared, client: Client, *, resuming: bool) -> str | None:
    """Ask the person at the terminal, telling the whole truth; return why not to send, or
    None to go ahead."""
    summary = summarize(shown.frame)
    ready = summary.counts.get("ready", 0)
    if not sys.stdin.isatty():
        return (
            f"refusing to send {ready} messages without confirmation: there is no terminal to"
            " ask; add --yes to send from a script"
        )
    count = f"up to {ready:,}" if resuming else f"{ready:,}"
    parts = f"{summary.segments:,} SMS part{'s' if summary.segments != 1 else ''}"
    cost = "" if summary.cost is None else f", estimated cost {summary.cost:,.2f}"
    host = urlsplit(client.base_url).hostname
    skipped = "\nThe journal skips messages sent with it in an earlier run." if resuming else ""
    first = next(shown.messages(), None)
    example = f"\nFirst message, to {first[1].to}: {first[1].text}" if first else ""
    print(
        f"Send {count} messages ({parts}{cost}) from {shown.sender!r} through {host}?"
        f"{skipped}{example}"
    )
    try:
        answer = input("Type 'yes' to send: ")
    except EOFError:  # Ctrl-D
        answer = ""
        print()
    if answer.strip().lower() != "yes":
        return "not confirmed; nothing was sent"
    return None


def _timing(args: argparse.Namespace, ready: int) -> str:
    """When the campaign would be done at its rate, within its sending hours."""
    hours = SendingHours.parse(args.window or "00:00-24:00", args.days, args.tz)
    now = dt.datetime.now(hours.tz)
    start = now if args.start_at is None else parse_start(args.start_at, hours.tz, now)
    done = when_done(ready, args.rate, hours, start).astimezone(hours.tz)
    pace = "as fast as the gateway answers" if args.rate is None else f"at {args.rate:g}/s"
    within = f" within {args.window or '00:00-24:00'} {args.days} ({args.tz})"
    within = within if args.window or args.days != "mon-sun" else ""
    begins = "" if args.start_at is None else f" from {start:%a %d %b %H:%M}"
    when = "about now" if args.rate is None else f"about {done:%a %d %b %H:%M}"
    return f"{ready:,} messages {pace}{within}{begins}: done {when}"


def _present(report: RunReport, out: Path, *, resume: str, **summary: Any) -> int:
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
        print(f"Results written to {_write_free(report.result, out, **summary)}")
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
_NOT_RESUMED = {"help", "journal", "resend_unknown", "test_to", "start_at", "limit"}


def _resume_command(args: argparse.Namespace, journal: Path) -> str:
    """Return the command that resumes this run from any folder: the same campaign, rebuilt
    from the parsed options (so an abbreviation such as ``--resend`` cannot slip through),
    with absolute paths and this run's journal."""
    words = ["smsbatch", args.command]
    for action in args.parser._actions:
        value = getattr(args, action.dest, None)
        if action.dest in _NOT_RESUMED or value == action.default:
            continue
        if value is None:
            if action.dest != "rate":
                continue
            value = "unlimited"
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
        "footer": args.footer,
        "commercial": args.commercial,
    }
    if args.text_file is not None:
        options["text"] = _read_template(args.text_file)
    elif args.text is not None:
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


def _read_template(path: Path) -> str:
    """The template in a text file, without the newline editors add at its end."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise PreparationError(f"--text-file {path}: cannot read it as UTF-8 text: {err}") from err
    return text.removesuffix("\n").removesuffix("\r")


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
        _show_problems(problems)
    summary = summarize(frame)
    print(f"\n{summary}\n")
    return summary


def _show_problems(problems: pd.DataFrame) -> None:
    """List the rows that will not be sent: each on its own line, but a reason shared by
    several rows once, with how many and which (a date error in every row is one line)."""
    reason = problems["sms_status"].astype(str) + ": " + problems["sms_error"].astype(str)
    shared = reason.duplicated(keep=False)
    single = problems[~shared]
    with pd.option_context("display.max_colwidth", None, "display.width", 200):
        if len(single):
            print(single.head(_PROBLEM_ROWS).to_string())
        if len(single) > _PROBLEM_ROWS:
            print(f"... and {len(single) - _PROBLEM_ROWS} more")
    for text, rows in reason[shared].groupby(reason[shared], sort=False):
        labels = ", ".join(map(str, rows.index[:5])) + (", ..." if len(rows) > 5 else "")
        print(f"{len(rows)} rows ({labels}): {text}")


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


def _write_free(result: pd.DataFrame, path: Path, **summary: Any) -> Path:
    """Write results to ``path`` or a free name next to it; never overwrite a file.

    ``summary`` (``sender``, ``journal``, ``tz``) goes to :func:`write_results`."""
    while True:
        try:
            return write_results(result, _free_path(path), **summary)
        except ResultsFileExistsError:
            continue  # another process took the name between the check and the write
