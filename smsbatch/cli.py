"""The ``smsbatch`` command line: one small function per subcommand.

Each subcommand has an ``_add_<name>`` function that declares its arguments and a ``_<name>``
function that runs it and returns the exit status. Errors print one line to stderr, never a
traceback and never the password.

The exit statuses a script can rely on are listed once, in ``_EXIT_CODES`` (shown by
``smsbatch --help``).

Only the parser is imported up front, so that ``--help`` and ``--version`` answer at once: each
command imports pandas, requests and the rest of smsbatch when it runs.
"""

from __future__ import annotations

import argparse
import logging
import shlex
import signal
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smsbatch import __version__
from smsbatch.exceptions import (
    CampaignStopped,
    PreparationError,
    ResultsFileError,
    ResultsFileExistsError,
    SmsBatchError,
)
from smsbatch.gateway.simulator import Simulator
from smsbatch.samples import (
    SAMPLE_SENDER,
    SAMPLE_TEMPLATE,
    SAMPLE_TO,
    notebook_paths,
    sample_path,
)
from smsbatch.sending.throttle import DEFAULT_RATE

if TYPE_CHECKING:
    import pandas as pd

    from smsbatch.preparation.summary import Summary

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_INCOMPLETE = 1
EXIT_USAGE = 2
EXIT_STOPPED = 3
EXIT_INTERRUPTED = 130

_DEFAULT_SIMULATOR_PORT = 8765
_DEMO_RESULTS = "smsbatch-demo-results.xlsx"
#: Fast enough that the demo takes a few seconds, slow enough to watch the progress bar.
_DEMO_RATE = 10.0
_PREVIEW_COLUMNS = ["sms_to", "sms_status", "sms_segments", "sms_text", "sms_error"]
#: Rows that will not be sent are listed up to this many; the summary counts the rest.
_PROBLEM_ROWS = 20
#: What to fix before a resume can help, by the category of the answer that stopped a send.
_FIX_FIRST = {
    "auth_or_funds": "First check the login and password (SMSBATCH_LOGIN, SMSBATCH_PASSWORD) or"
    " top up the credit: the gateway refused the account (40x).",
    "reseller_funds": "First ask the reseller to top up the credit: the gateway refused the"
    " account (70x).",
}

_EXIT_CODES = """\
exit status:
  0    every ready message was sent (or the dry run / preview / demo went through)
  1    some messages failed or their outcome is unknown (or the results file could not be
       written): read the summary
  2    nothing was sent: usage or preparation error, or confirmation refused
  3    the campaign stopped early (credentials, funds, failures in a row): resume it
  130  interrupted (Ctrl-C): resume it with the command printed
"""

_MAIN_EPILOG = f"""\
examples:
  smsbatch demo
      run a fictional campaign against a built-in simulator (no account needed)
  smsbatch notebooks
      copy the quickstart and panel notebooks into the current folder
  smsbatch preview klanten.xlsx --to telefoon --text "Beste {{voornaam}}, tot {{datum:%d-%m}}"
      show exactly what would be sent, to whom, in how many segments
  smsbatch send klanten.xlsx --to telefoon --text "Beste {{voornaam}}" --sender Bakkerij
      send it (asks for confirmation; credentials from SMSBATCH_LOGIN/SMSBATCH_PASSWORD)

Run 'smsbatch COMMAND --help' for the options of each command.

{_EXIT_CODES}"""

_PREVIEW_EPILOG = """\
examples:
  smsbatch preview klanten.csv --to telefoon --text "Beste {voornaam}, tot {datum:%d-%m}!"
  smsbatch preview klanten.xlsx --to mobiel --text "{bericht}" --exclude afmeldingen.csv
  smsbatch preview klanten.xlsx --to mobiel --text "Hoi {naam} – fijne dag…" --transliterate
  smsbatch preview klanten.xlsx --to mobiel --vcard-name "Bakkerij {filiaal}" --vcard-phone "{tel}"
  smsbatch preview klanten.xlsx --to mobiel --text "Hoi {naam}" --price 0.07 --max-segments 2

Templates use Python format syntax with column names: {voornaam}, {First name}, {datum:%d-%m}.
A placeholder that names no column is an error; a row with an empty value is marked invalid.

exit status:
  0    previewed (invalid, duplicate and excluded rows are listed, not an error)
  2    the file or the template cannot be used
"""

_SEND_EPILOG = f"""\
examples:
  export SMSBATCH_LOGIN=mylogin SMSBATCH_PASSWORD=...      # never on the command line
  smsbatch send klanten.xlsx --to telefoon --text "Beste {{voornaam}}" --sender Bakkerij
  smsbatch send klanten.xlsx --to telefoon --text "Beste {{voornaam}}" --sender Bakkerij \\
      --journal campagne.db --rate 5 --out resultaten.xlsx
  smsbatch send klanten.xlsx --to telefoon --text "Beste {{voornaam}}" --sender Bakkerij --dry-run
  smsbatch send klanten.xlsx ... --yes        # in scripts: confirm without a terminal

Every run keeps a journal that records each message before it leaves and each answer when it
arrives. By default it is FILE.smsbatch-journal.db next to FILE (klanten.xlsx ->
klanten.smsbatch-journal.db), the same file on every run: after a stop or Ctrl-C, just run the
same command again and messages already sent are skipped, never sent twice. It is keyed by
number and message, so only exact repeats are skipped; to send the same campaign again on
purpose, start afresh with --journal NEW.db. Results are written to --out (default:
FILE-results.xlsx next to FILE, like the journal); an existing file is never overwritten: a free
name like klanten-results-2.xlsx is used instead.

Try it without an account: start 'smsbatch simulate' in another terminal and export the
SMSBATCH_* variables it prints.

{_EXIT_CODES}"""

_DEMO_EPILOG = """\
examples:
  smsbatch demo
  smsbatch demo --rate 50      # faster

It starts a simulated Connect Call gateway on 127.0.0.1, reads the fictional sample list that
ships with smsbatch, previews it, sends it with a progress bar and writes
smsbatch-demo-results.xlsx in the current folder (or a free name next to it). Nothing leaves
this computer.
"""

_NOTEBOOKS_EPILOG = """\
examples:
  smsbatch notebooks              # into the current folder
  smsbatch notebooks campagnes    # into ./campagnes (made if needed)

quickstart.ipynb walks through a campaign step by step; panel.ipynb shows the campaign panel
(pip install "smsbatch[notebook]"). Both run as they are, against the simulator. A file that
already exists is skipped, never overwritten.
"""

_SIMULATE_EPILOG = """\
examples:
  smsbatch simulate                          # http://127.0.0.1:8765/api/, login demo/demo
  smsbatch simulate --port 0 --latency 0.05  # any free port, 50 ms per answer
  smsbatch simulate --funds 10               # answers 'insufficient funds' after 10 messages

exit status:
  0    stopped with Ctrl-C
  1    could not start (the port is taken, say)
"""


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``smsbatch`` with ``argv`` (default: the process arguments); return the exit status.

    Examples
    --------
    >>> main(["preview", "klanten.csv", "--to", "tel", "--text", "Hoi {naam}"])  # doctest: +SKIP
    0
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, or a usage error argparse already explained
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print(f"\nsmsbatch {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except SmsBatchError as err:
        print(f"smsbatch {args.command}: error: {err}", file=sys.stderr)
        return EXIT_USAGE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smsbatch",
        description="Send templated SMS campaigns from spreadsheets through the Connect Call API:"
        " preview first, send row by row, never twice.",
        epilog=_MAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_demo(commands)
    _add_notebooks(commands)
    _add_preview(commands)
    _add_send(commands)
    _add_simulate(commands)
    return parser


def _command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    *,
    help: str,
    epilog: str,
) -> argparse.ArgumentParser:
    return commands.add_parser(
        name,
        help=help,
        description=help[0].upper() + help[1:] + ".",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


# --- demo -----------------------------------------------------------------------------------


def _add_demo(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = _command(
        commands,
        "demo",
        help="run a fictional campaign end to end against a built-in simulator",
        epilog=_DEMO_EPILOG,
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=_DEMO_RATE,
        help=f"messages per second (default {_DEMO_RATE:g}; 0 = no limit)",
    )
    parser.set_defaults(run=_demo)


def _demo(args: argparse.Namespace) -> int:
    from smsbatch.gateway.client import Client
    from smsbatch.preparation.campaign import preview
    from smsbatch.sending.run import send
    from smsbatch.spreadsheets import read_recipients

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
    _show_preview(preview(recipients, **options), to=SAMPLE_TO, rows=5)
    with (
        Simulator() as simulator,
        Client(simulator.login, simulator.password, simulator.url) as client,
    ):
        result = send(recipients, client, rate=args.rate or None, progress=True, **options)
        received = len(simulator.messages)
    path = _write_free(result, Path(_DEMO_RESULTS))  # send() printed the summary
    print(f"\nThe simulator received {received} messages. Results written to {path}")
    print("Next: 'smsbatch preview --help', 'smsbatch send --help', or 'smsbatch notebooks'")
    return EXIT_OK


# --- notebooks ------------------------------------------------------------------------------


def _add_notebooks(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = _command(
        commands,
        "notebooks",
        help="copy the example notebooks into a folder, never overwriting a file",
        epilog=_NOTEBOOKS_EPILOG,
    )
    parser.add_argument(
        "dir", type=Path, nargs="?", default=Path(), metavar="DIR", help="default: this folder"
    )
    parser.set_defaults(run=_notebooks)


def _notebooks(args: argparse.Namespace) -> int:
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


# --- preview --------------------------------------------------------------------------------


def _add_preview(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = _command(
        commands,
        "preview",
        help="show what would be sent to whom, without sending anything",
        epilog=_PREVIEW_EPILOG,
    )
    _add_message_arguments(parser)
    parser.add_argument("--sender", help="check this sender name or number too")
    parser.add_argument(
        "--rows", type=int, default=10, metavar="N", help="rows to show (default 10)"
    )
    parser.set_defaults(run=_preview)


def _preview(args: argparse.Namespace) -> int:
    from smsbatch.preparation.campaign import preview
    from smsbatch.spreadsheets import read_recipients

    frame = preview(read_recipients(args.file), sender=args.sender, **_message_options(args))
    _show_preview(frame, to=args.to, rows=args.rows)
    return EXIT_OK


# --- send -----------------------------------------------------------------------------------


def _add_send(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = _command(
        commands,
        "send",
        help="send a campaign (previews it and asks for confirmation first)",
        epilog=_SEND_EPILOG,
    )
    _add_message_arguments(parser)
    parser.add_argument(
        "--sender",
        required=True,
        help="sender shown on the phone: up to 11 letters/digits, or a number of up to 16 digits",
    )
    parser.add_argument(
        "--journal",
        metavar="J",
        type=Path,
        help="journal file, reused to resume (default: FILE.smsbatch-journal.db next to FILE);"
        " a new name starts afresh",
    )
    parser.add_argument(
        "--rate",
        type=float,
        metavar="R",
        help=f"messages per second, across all workers (default {DEFAULT_RATE:g}; 0 = no limit)",
    )
    parser.add_argument(
        "--workers", type=int, default=1, metavar="N", help="concurrent requests (default 1)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="RESULTS",
        help="results file, .xlsx or .csv (default: FILE-results.xlsx next to FILE)",
    )
    parser.add_argument(
        "--yes", action="store_true", help="do not ask for confirmation (for scripts)"
    )
    parser.add_argument(
        "--resend-unknown",
        action="store_true",
        help="on resume, send again the messages whose outcome is unknown: only after the"
        " provider confirmed they did not arrive (never part of the printed resume command)",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="preview and check everything, send nothing (no credentials needed)",
    )
    parser.set_defaults(run=_send, parser=parser)


def _send(args: argparse.Namespace) -> int:
    from smsbatch.gateway.client import Client
    from smsbatch.preparation.campaign import prepare
    from smsbatch.sending.run import EARLIER_RUN, send
    from smsbatch.spreadsheets import read_recipients

    options = _message_options(args)
    recipients = read_recipients(args.file)
    out = _free_path(args.out or args.file.with_name(f"{args.file.stem}-results.xlsx"))
    _check_results_path(out)
    shown = prepare(recipients, sender=args.sender, **options)
    frame = shown.frame
    ready = _show_preview(frame, to=args.to, rows=5).counts.get("ready", 0)
    if args.dry_run:
        print("Dry run: nothing was sent.")
        if args.out:
            print(f"Preview written to {_write_free(frame, out)}")
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
    # Prepared again (an opt-out file may have changed while the person read the preview), and
    # sent only if it is still exactly what was shown; then that very preparation is sent.
    current = prepare(recipients, sender=args.sender, **options)
    if not current.same_messages(shown):
        print(
            "smsbatch send: the campaign changed since the preview was shown (the exclude "
            "list?); nothing was sent: run the command again to see the new preview",
            file=sys.stderr,
        )
        return EXIT_USAGE
    stopped: CampaignStopped | None = None
    extra = {} if args.rate is None else {"rate": args.rate or None}
    # send() words its warnings for Python callers; the command line says it its own way.
    with client, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = send(
                current,
                client,
                journal=journal,
                workers=args.workers,
                resend_unknown=args.resend_unknown,
                progress=True,
                **extra,
            )
        except CampaignStopped as err:
            result, stopped = err.result, err
    for warning in caught:
        logger.info("send() warned: %s", warning.message)
    earlier = int((result["sms_error"] == EARLIER_RUN).sum())
    if earlier:
        print(
            f"{earlier} messages were already sent with this journal in an earlier run and were"
            " skipped, not sent again. To send the campaign afresh, use --journal NEW.db."
        )
    return _report(result, out, stopped, resume=_resume_command(args, journal))


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


def _report(
    result: pd.DataFrame, out: Path, stopped: CampaignStopped | None, *, resume: str
) -> int:
    """Save a send's result and say how to resume; return the exit status.

    send() has already printed the summary under its progress bar.
    """
    from smsbatch.preparation.summary import summarize

    status = EXIT_OK
    try:
        print(f"Results written to {_write_free(result, out)}")
    except ResultsFileError as err:
        print(f"smsbatch send: error: {err}", file=sys.stderr)
        print(f"Every answer is in the journal; to write the results: {resume}", file=sys.stderr)
        status = EXIT_INCOMPLETE
    counts = summarize(result).counts
    if stopped is not None:
        print(f"smsbatch send: stopped: {stopped.reason}", file=sys.stderr)
        status = EXIT_STOPPED
    elif counts.get("not_sent", 0):
        print("smsbatch send: interrupted", file=sys.stderr)
        status = EXIT_INTERRUPTED
    elif counts.get("failed", 0) or counts.get("unknown", 0):
        return max(status, EXIT_INCOMPLETE)
    if status in (EXIT_STOPPED, EXIT_INTERRUPTED):
        if stopped is not None and stopped.category in _FIX_FIRST:
            print(_FIX_FIRST[stopped.category], file=sys.stderr)
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


# --- simulate -------------------------------------------------------------------------------


def _add_simulate(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = _command(
        commands,
        "simulate",
        help="run a local Connect Call gateway simulator (no account, nothing leaves 127.0.0.1)",
        epilog=_SIMULATE_EPILOG,
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


# --- shared by preview and send ---------------------------------------------------------------


def _add_message_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, metavar="FILE", help="recipients, .csv or .xlsx")
    parser.add_argument(
        "--to", default="phone", metavar="COL", help="column with phone numbers (default phone)"
    )
    kinds = parser.add_mutually_exclusive_group(required=True)
    kinds.add_argument("--text", metavar="TEMPLATE", help='message template, e.g. "Hoi {naam}"')
    kinds.add_argument("--vcard-name", metavar="TEMPLATE", help="send a vCard with this name")
    kinds.add_argument("--binary-data", metavar="HEX", help="send binary data (hex template)")
    vcard = parser.add_argument_group("vCard fields (with --vcard-name)")
    for field in ("mobile", "phone", "email", "fax"):
        vcard.add_argument(f"--vcard-{field}", metavar="TEMPLATE", help=f"the vCard's {field}")
    parser.add_argument(
        "--binary-udh", metavar="HEX", help="user data header for --binary-data (06050415811581)"
    )
    parser.add_argument(
        "--region", default="NL", help="country for numbers without +CC (default NL)"
    )
    parser.add_argument(
        "--exclude", type=Path, metavar="FILE", help="opt-out list (CSV of phone numbers)"
    )
    parser.add_argument(
        "--max-segments", type=int, metavar="N", help="mark messages longer than N parts invalid"
    )
    parser.add_argument(
        "--price", type=float, metavar="P", help="price per segment, to estimate the cost"
    )
    parser.add_argument(
        "--transliterate",
        action="store_true",
        help="replace curly quotes, dashes, ellipses... with plain characters (cheaper SMS)",
    )


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
    import pandas as pd

    from smsbatch.preparation.summary import summarize

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
    from smsbatch.spreadsheets import CSV_SUFFIXES, EXCEL_SUFFIXES

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
    from smsbatch.spreadsheets import write_results

    while True:
        try:
            return write_results(result, _free_path(path))
        except ResultsFileExistsError:
            continue  # another process took the name between the check and the write
