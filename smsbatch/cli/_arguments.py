"""Every subcommand's arguments and help, declared with argparse alone (nothing heavy is
imported here, so ``smsbatch --help`` is instant). Each parser names the module and function
that run it (``run=("_campaign", "send")``); :func:`smsbatch.cli.main` imports it then."""

from __future__ import annotations

import argparse
from pathlib import Path

from smsbatch import __version__
from smsbatch.sending.throttle import DEFAULT_RATE

EXIT_OK = 0
EXIT_INCOMPLETE = 1
EXIT_USAGE = 2
EXIT_STOPPED = 3
EXIT_INTERRUPTED = 130

_DEFAULT_SIMULATOR_PORT = 8765
#: Fast enough that the demo takes a few seconds, slow enough to watch the progress bar.
DEMO_RATE = 10.0

EXIT_CODES = """\
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

{EXIT_CODES}"""

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

Credentials come from SMSBATCH_LOGIN and SMSBATCH_PASSWORD; SMSBATCH_BASE_URL sets another
API address (default https://portal.business-isp.nl/api/). Try it without an account: start
'smsbatch simulate' in another terminal and export the SMSBATCH_* variables it prints.

{EXIT_CODES}"""

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


def rate(text: str) -> float | None:
    """``--rate``: a positive number of messages per second, or ``unlimited`` (no throttle)."""
    if text.strip().lower() in ("unlimited", "none", "max"):
        return None
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of messages per second (or 'unlimited')"
        ) from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(
            f"{text} is not a rate: give a number above 0, or 'unlimited' for no limit"
        )
    return value


def port(text: str) -> int:
    """``--port``: a TCP port number, 0 to 65535 (0 picks a free one)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port: use 0 to 65535")
    return value


def parser() -> argparse.ArgumentParser:
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


def _add_demo(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = _command(
        commands,
        "demo",
        help="run a fictional campaign end to end against a built-in simulator",
        epilog=_DEMO_EPILOG,
    )
    parser.add_argument(
        "--rate",
        type=rate,
        default=DEMO_RATE,
        help=f"messages per second, or 'unlimited' (default {DEMO_RATE:g})",
    )
    parser.set_defaults(run=("_campaign", "demo"))


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
    parser.set_defaults(run=("_files", "notebooks"))


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
    parser.set_defaults(run=("_campaign", "preview"))


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
        type=rate,
        default=DEFAULT_RATE,
        metavar="R",
        help=f"messages per second across all workers, or 'unlimited' (default {DEFAULT_RATE:g})",
    )
    parser.add_argument(
        "--workers", type=int, default=1, metavar="N", help="concurrent requests (default 1)"
    )
    hours = parser.add_argument_group("when to send")
    hours.add_argument(
        "--window", metavar="HH:MM-HH:MM", help="send only between these times, e.g. 08:00-21:00"
    )
    hours.add_argument(
        "--days", default="mon-sun", metavar="DAYS", help="on these days, e.g. mon-sat or mon,wed"
    )
    hours.add_argument(
        "--tz", default="Europe/Amsterdam", metavar="ZONE", help="time zone of --window/--start-at"
    )
    hours.add_argument(
        "--start-at", metavar="WHEN", help="send nothing before this time, e.g. '2026-12-02 08:30'"
    )
    parser.add_argument(
        "--limit", type=int, metavar="N", help="send only the first N (run again for the rest)"
    )
    parser.add_argument(
        "--test-to",
        action="append",
        metavar="NUMBER",
        help="first send the first message to this number of yours (repeatable), show the"
        " answer, then ask about the campaign (with --yes: stop after the test)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="RESULTS",
        help="results file, .xlsx or .csv (default: FILE-results.xlsx next to FILE; Excel and"
        " LibreOffice drop the leading 0 of numbers in a CSV, an .xlsx keeps them)",
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
    parser.set_defaults(run=("_campaign", "send"), parser=parser)


def _add_simulate(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = _command(
        commands,
        "simulate",
        help="run a local Connect Call gateway simulator (no account, nothing leaves 127.0.0.1)",
        epilog=_SIMULATE_EPILOG,
    )
    parser.add_argument(
        "--port",
        type=port,
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
    parser.set_defaults(run=("_simulate", "simulate"))


def _add_message_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file", type=Path, metavar="FILE", help="recipients: .csv, .xlsx, .xls or .ods"
    )
    parser.add_argument(
        "--sheet", metavar="NAME", help="workbook sheet to read (default: the active one)"
    )
    parser.add_argument(
        "--header-row",
        type=int,
        metavar="N",
        help="row with the column names, from 1 (default: found below any title rows)",
    )
    parser.add_argument(
        "--to", default="phone", metavar="COL", help="column with phone numbers (default phone)"
    )
    kinds = parser.add_mutually_exclusive_group(required=True)
    kinds.add_argument("--text", metavar="TEMPLATE", help='message template, e.g. "Hoi {naam}"')
    kinds.add_argument(
        "--text-file",
        type=Path,
        metavar="FILE",
        help="read the message template from a UTF-8 text file (for long templates)",
    )
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
        "--footer",
        metavar="TEXT",
        help='appended to every text, e.g. " Afmelden? Sms STOP naar 3010" (counted in parts)',
    )
    parser.add_argument(
        "--commercial",
        action="store_true",
        help="refuse to send without --footer or with a numeric sender (what the law asks of"
        " commercial SMS)",
    )
    parser.add_argument(
        "--transliterate",
        action="store_true",
        help="replace curly quotes, dashes, ellipses... with plain characters (cheaper SMS)",
    )
