"""The options ``preview`` and ``send`` share (the recipients and the message; the rate, the
sending hours and the limit, with which a preview says when the campaign would be done) and
the ones only ``send`` has (sender, journal, confirmation), declared with argparse alone like
every argument (nothing heavy is imported here).

Their order is the order of ``--help`` and of the resume command ``send`` prints, which is
rebuilt from these declarations."""

from __future__ import annotations

import argparse
from pathlib import Path

from smsbatch.sending.throttle import DEFAULT_RATE

__all__ = ["add_message_arguments", "add_send_options", "add_timing_options", "rate"]


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


def add_message_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare what ``preview`` and ``send`` both take: the file, its phone column, the
    message (text, vCard or binary) and how it is checked."""
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


def add_timing_options(parser: argparse.ArgumentParser) -> None:
    """Declare how fast and when the messages go: ``send`` keeps to them, and ``preview`` (like
    ``send --dry-run``) says when the campaign would be done with them."""
    timing = parser.add_argument_group(
        "rate and sending hours",
        "preview and send --dry-run say when the campaign would be done with these",
    )
    timing.add_argument(
        "--rate",
        type=rate,
        default=DEFAULT_RATE,
        metavar="R",
        help=f"messages per second, or 'unlimited' (default {DEFAULT_RATE:g})",
    )
    timing.add_argument(
        "--window", metavar="HH:MM-HH:MM", help="send only between these times, e.g. 08:00-21:00"
    )
    timing.add_argument(
        "--days", default="mon-sun", metavar="DAYS", help="on these days, e.g. mon-sat or mon,wed"
    )
    timing.add_argument(
        "--tz", default="Europe/Amsterdam", metavar="ZONE", help="time zone of --window/--start-at"
    )
    timing.add_argument(
        "--start-at", metavar="WHEN", help="send nothing before this time, e.g. '2026-12-02 08:30'"
    )
    timing.add_argument(
        "--limit", type=int, metavar="N", help="send only the first N (run again for the rest)"
    )


def add_send_options(parser: argparse.ArgumentParser) -> None:
    """Declare what ``send`` takes after the message arguments: the sender, the journal, the
    timing options (in the order of ``--help``) and the confirmation."""
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
        "--journal-privacy",
        choices=["full", "minimal"],
        default="full",
        help="minimal: the journal never holds numbers or texts, only what a resume needs"
        " (default full: 'smsbatch journal show' can then list them)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="concurrent requests, within the same --rate (default 1)",
    )
    add_timing_options(parser)
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
        "--allow-repeat",
        action="store_true",
        help="also send the messages that another journal already sent to the same numbers"
        " (the history of sends finds them; by default they are skipped)",
    )
    parser.add_argument(
        "--no-history",
        action="store_true",
        help="neither check nor record this campaign in the history of sends (then nothing"
        " stops another journal from sending the same messages again)",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="preview and check everything and say when it would be done, send nothing (no"
        " credentials needed; it counts every ready message, before the journal's skips)",
    )
