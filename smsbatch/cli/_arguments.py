"""Every subcommand's arguments and help, declared with argparse alone (nothing heavy is
imported here, so ``smsbatch --help`` is instant), and the exit statuses. The options of
``preview`` and ``send`` are declared in :mod:`smsbatch.cli._options`. Each parser names the
module and function that run it (``run=("_campaign", "send")``); :func:`smsbatch.cli.main`
imports it then."""

from __future__ import annotations

import argparse
from pathlib import Path

from smsbatch import __version__
from smsbatch.cli._options import (
    add_message_arguments,
    add_send_options,
    add_timing_options,
    rate,
)

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
  smsbatch preview klanten.xlsx --to mobiel --text "Hoi {naam}" --rate 5 --window 08:00-21:00

It ends with when the ready messages would be sent, at send's rate and sending hours (--rate,
--window, --days, --tz, --start-at, --limit), before any journal's skips.

Templates use Python format syntax with column names: {voornaam}, {First name}, {datum:%d-%m}.
A placeholder that names no column is an error; a row with an empty value is marked invalid.

exit status:
  0    previewed (invalid, duplicate and excluded rows are listed, not an error)
  2    the file, the template or the sending hours cannot be used
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
purpose, start afresh with --journal NEW.db --allow-repeat. Results are written to --out
(default: FILE-results.xlsx next to FILE, like the journal); an existing file is never
overwritten: a free name like klanten-results-2.xlsx is used instead.

A history of sends in your data folder (keyed hashes, no numbers or texts, kept 90 days)
remembers what every journal sent: messages another journal already sent (a renamed copy of
FILE gets a fresh journal) are shown before you confirm and skipped, unless --allow-repeat.

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
    _add_journal(commands)
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


_JOURNAL_EPILOG = """\
examples:
  smsbatch journal show klanten.smsbatch-journal.db
  smsbatch journal show klanten.smsbatch-journal.db --out wat-er-gebeurde.xlsx
  smsbatch journal purge klanten.smsbatch-journal.db --older-than 30d

'show' prints what the journal recorded (how many messages were sent, failed, are unknown)
and with --out writes one row per message (number, text, status, the gateway's answer, times,
attempts): what happened, even when the results file is lost. 'purge' removes the numbers and
texts of messages settled longer ago than --older-than (30d, 12h, 2w) and keeps what a resume
needs, so a purged journal still prevents a double send.

exit status:
  0    done
  2    the journal cannot be read (missing, in use, not a journal to trust)
"""


def _add_journal(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = _command(
        commands,
        "journal",
        help="show what a campaign's journal recorded, or purge its numbers and texts",
        epilog=_JOURNAL_EPILOG,
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    show = actions.add_parser(
        "show",
        help="print what the journal recorded; --out writes one row per message",
        description="Print what the journal recorded; --out writes one row per message.",
        epilog=_JOURNAL_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    show.add_argument("journal", type=Path, metavar="J", help="the journal file")
    show.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="write every message to FILE, .xlsx or .csv (an existing file is never"
        " overwritten: a free name next to it is used)",
    )
    show.set_defaults(run=("_journal", "show"))
    purge = actions.add_parser(
        "purge",
        help="remove numbers and texts of messages settled long enough ago",
        description="Remove the numbers and texts of messages settled longer ago than"
        " --older-than; what a resume needs stays, so nobody is texted twice.",
        epilog=_JOURNAL_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    purge.add_argument("journal", type=Path, metavar="J", help="the journal file")
    purge.add_argument(
        "--older-than",
        required=True,
        metavar="AGE",
        help="how long ago a message's last record must be: 30d, 12h, 2w",
    )
    purge.set_defaults(run=("_journal", "purge"))


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
    add_message_arguments(parser)
    parser.add_argument("--sender", help="check this sender name or number too")
    parser.add_argument(
        "--rows", type=int, default=10, metavar="N", help="rows to show (default 10)"
    )
    add_timing_options(parser)
    parser.set_defaults(run=("_campaign", "preview"))


def _add_send(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = _command(
        commands,
        "send",
        help="send a campaign (previews it and asks for confirmation first)",
        epilog=_SEND_EPILOG,
    )
    add_message_arguments(parser)
    add_send_options(parser)
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
