"""``smsbatch demo``, ``preview`` and ``send``: read the file, show the preview, confirm, then
let :func:`smsbatch.run_campaign` do the whole run and present its report."""

from __future__ import annotations

import argparse
import shlex
import sys
import warnings
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
from smsbatch.cli._results import check_results_path, free_path, write_free
from smsbatch.cli._show import finish_of_ready, repeats_line, show_preview
from smsbatch.exceptions import ConfigurationError, PreparationError, ResultsFileError
from smsbatch.gateway.client import Client
from smsbatch.gateway.simulator import Simulator
from smsbatch.preparation.campaign import Prepared, prepare
from smsbatch.samples import SAMPLE_SENDER, SAMPLE_TEMPLATE, SAMPLE_TO, sample_path
from smsbatch.sending.plan import SendPlan, plan_send
from smsbatch.sending.repeats import check_history
from smsbatch.sending.report import RunReport
from smsbatch.sending.run import run_campaign
from smsbatch.spreadsheets import read_recipients
from smsbatch.spreadsheets.reading import SOURCE_ATTR

_DEMO_RESULTS = "smsbatch-demo-results.xlsx"


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
    show_preview(prepare(recipients, **options).frame, to=SAMPLE_TO, rows=5)
    with (
        Simulator() as simulator,
        Client(simulator.login, simulator.password, simulator.url) as client,
    ):
        report = run_campaign(recipients, client, rate=args.rate, **options)
        received = len(simulator.messages)
    print(f"\n{report.summary()}", file=sys.stderr)
    path = write_free(report.result, Path(_DEMO_RESULTS), sender=options["sender"])
    print(f"\nThe simulator received {received} messages. Results written to {path}")
    print("Next: 'smsbatch preview --help', 'smsbatch send --help', or 'smsbatch notebooks'")
    return EXIT_OK


def preview(args: argparse.Namespace) -> int:
    shown = prepare(_read(args), sender=args.sender, **_message_options(args))
    ready = show_preview(shown.frame, to=args.to, rows=args.rows).counts.get("ready", 0)
    if ready == 0:
        print("smsbatch preview: no row is ready to send: see the reasons above", file=sys.stderr)
        return EXIT_INCOMPLETE
    print(finish_of_ready(shown, rate=args.rate, **_control(args)))
    _say_repeats(shown, _default_journal(args.file))
    return EXIT_OK


def send(args: argparse.Namespace) -> int:
    options = _message_options(args)
    recipients = _read(args)
    out = free_path(args.out or args.file.with_name(f"{args.file.stem}-results.xlsx"))
    check_results_path(out)
    shown = prepare(recipients, sender=args.sender, **options)
    ready = show_preview(shown.frame, to=args.to, rows=5).counts.get("ready", 0)
    control = _control(args)
    if args.dry_run:
        if ready:
            print(finish_of_ready(shown, rate=args.rate, **control))
            if not args.no_history:
                _say_repeats(shown, args.journal or _default_journal(args.file))
        print("Dry run: nothing was sent.")
        if args.out:
            print(f"Preview written to {write_free(shown.frame, out)}")
        return EXIT_OK
    if ready == 0:
        print("smsbatch send: nothing to send: no row is ready", file=sys.stderr)
        return EXIT_USAGE
    client = Client.from_env()
    journal = (args.journal or _default_journal(args.file)).absolute()
    reused = (
        " (from an earlier run: messages already sent with it are skipped)"
        if journal.exists()
        else ""
    )
    if args.test_to:
        with client:
            trial = run_campaign(shown, client, rate=None, test_to=args.test_to, **control)
        for _, row in trial.result.iterrows():
            print(f"Test to {row['sms_to']}: {row['sms_status']} ({row['sms_response_text']})")
        if args.yes:
            print("Test sent; the campaign was not. Run again without --test-to to send it.")
            return EXIT_OK if trial.complete else EXIT_INCOMPLETE
        client = Client.from_env()
    planned = plan_send(
        shown,
        gateway=client.base_url,
        journal=journal,
        history=not args.no_history,
        allow_repeat=args.allow_repeat,
        resend_unknown=args.resend_unknown,
        rate=args.rate,
        **control,
    )  # raises for a journal that cannot be trusted: said before anything about it
    print(f"Journal: {journal}{reused}")
    headline, *details = _plan_lines(planned, allowed=args.allow_repeat)
    if planned.messages == 0 and not (planned.journal_sent or planned.journal_unknown):
        print(repeats_line(planned.repeats, allowed=args.allow_repeat))
        print(
            "smsbatch send: nothing to send: every ready message was already sent through"
            " another journal (--allow-repeat sends them again)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    asking = not args.yes and planned.messages > 0
    refusal = _confirm(headline, details, planned.messages) if asking else None
    if not asking:
        print("\n".join(details))
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
            journal_privacy=args.journal_privacy,
            workers=args.workers,
            resend_unknown=args.resend_unknown,
            rate=args.rate,
            history=not args.no_history,
            allow_repeat=args.allow_repeat,
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


def _plan_lines(planned: SendPlan, *, allowed: bool) -> list[str]:
    """What a send will do, as the question and the lines under it: the whole truth a person
    confirms (what the journal, the history and the limit leave out, when it will be done, the
    first message); with ``--yes`` the lines are printed without the question."""
    count = f"{planned.messages:,} message{'s' if planned.messages != 1 else ''}"
    parts = f"{planned.parts:,} SMS part{'s' if planned.parts != 1 else ''}"
    cost = "" if planned.cost is None else f", estimated cost {planned.cost:,.2f}"
    lines = [f"Send {count} ({parts}{cost}) from {planned.sender!r} through {planned.host}?"]
    if planned.journal_sent:
        lines.append(f"The journal skips {planned.journal_sent:,} sent with it in an earlier run.")
    if planned.journal_unknown:
        lines.append(
            f"The journal holds back {planned.journal_unknown:,} whose outcome is unknown"
            " (ask the provider; --resend-unknown sends them again)."
        )
    if planned.repeats:
        lines.append(repeats_line(planned.repeats, allowed=allowed))
    if planned.beyond_limit:
        lines.append(
            f"--limit: the other {planned.beyond_limit:,} stay not_sent, for a later run with"
            " the same journal."
        )
    lines.append(str(planned.finish))
    if planned.first is not None:
        lines.append(f"First message, to {planned.first.to}: {planned.first.text}")
    return lines


def _confirm(question: str, details: list[str], messages: int) -> str | None:
    """Ask the person at the terminal; return why not to send, or None to go ahead."""
    if not sys.stdin.isatty():
        count = f"{messages:,} message{'s' if messages != 1 else ''}"
        return (
            f"refusing to send {count} without confirmation: there is no terminal to ask; add"
            " --yes to send from a script"
        )
    print("\n".join([question, *details]))
    try:
        answer = input("Type 'yes' to send: ")
    except EOFError:  # Ctrl-D
        answer = ""
        print()
    if answer.strip().lower() != "yes":
        return "not confirmed; nothing was sent"
    return None


def _present(report: RunReport, out: Path, *, resume: str, **summary: Any) -> int:
    """Show what a run did, save its result and say how to resume; return the exit status."""
    print(f"\n{report.summary()}\n", file=sys.stderr)
    if report.already_sent:
        print(
            f"{report.already_sent} messages were already sent with this journal in an earlier"
            " run and were skipped, not sent again. To send the campaign afresh, use"
            " --journal NEW.db --allow-repeat."
        )
    if report.repeats:
        print(
            f"{report.repeats} messages were already sent to the same numbers through another"
            " journal and were skipped (their rows say when and through which journal);"
            " --allow-repeat sends them again."
        )
    status = EXIT_OK
    try:
        print(f"Results written to {write_free(report.result, out, **summary)}")
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


def _say_repeats(shown: Prepared, journal: Path) -> None:
    """Say what ``send`` would skip because another journal sent it (the history of sends),
    where no credentials are needed: the gateway is the one ``SMSBATCH_BASE_URL`` names."""
    try:
        gateway = Client.base_url_from_env()
    except ConfigurationError:  # send will say so; a preview goes on without it
        return
    repeats = check_history(shown, journal=journal.absolute(), gateway=gateway)
    if repeats:
        print(repeats_line(repeats, allowed=False))


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


def _control(args: argparse.Namespace) -> dict[str, Any]:
    """The sending hours and the limit, as the keyword arguments of run_campaign()."""
    return {
        "window": args.window,
        "days": args.days,
        "tz": args.tz,
        "start_at": args.start_at,
        "limit": args.limit,
    }


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
