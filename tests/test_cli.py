"""The command line, driven as a user drives it: in-process for the output, and as real
processes where a terminal, a signal or the installed entry point matters."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import pty
import re
import select
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl
import pytest

import smsbatch
from smsbatch import Simulator, read_recipients
from smsbatch.cli import _parser, main
from smsbatch.samples import SAMPLE_SENDER, SAMPLE_TEMPLATE, sample_path

ROOT = Path(__file__).parent.parent
RECIPIENTS = str(sample_path("recipients.csv"))
PASSWORD = "pa&ss=w0rd#Geheim"
# The sample campaign: 25 rows, 19 reachable numbers not opted out, with SAMPLE_TEMPLATE.
READY = 19
OPTOUTS = str(sample_path("optouts.csv"))
CAMPAIGN = [
    *("--to", "telefoon", "--text", SAMPLE_TEMPLATE, "--sender", SAMPLE_SENDER),
    *("--exclude", OPTOUTS),
]
SUBCOMMANDS = sorted(_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]


@pytest.fixture
def recipients(tmp_path: Path) -> str:
    """The sample list copied into its own folder, where its journal and results go."""
    folder = tmp_path / "lijsten"
    folder.mkdir()
    return shutil.copy(sample_path("recipients.csv"), folder)


@pytest.fixture
def simulator() -> Iterator[Simulator]:
    with Simulator(login="tandarts", password=PASSWORD) as sim:
        yield sim


@pytest.fixture
def account(simulator: Simulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Simulator:
    """Credentials for the simulator in the environment, and a fresh current folder."""
    monkeypatch.setenv("SMSBATCH_LOGIN", simulator.login)
    monkeypatch.setenv("SMSBATCH_PASSWORD", PASSWORD)
    monkeypatch.setenv("SMSBATCH_BASE_URL", simulator.url)
    monkeypatch.chdir(tmp_path)
    return simulator


def _run(args: list[str], cwd: Path, env: dict[str, str], **kwargs) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "smsbatch", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        text=True,
        **{"stdin": subprocess.DEVNULL, "stdout": subprocess.PIPE, "stderr": subprocess.PIPE,
           **kwargs},
    )  # fmt: skip


def _env(simulator: Simulator) -> dict[str, str]:
    return {
        "SMSBATCH_LOGIN": simulator.login,
        "SMSBATCH_PASSWORD": PASSWORD,
        "SMSBATCH_BASE_URL": simulator.url,
    }


def _received(simulator: Simulator) -> Counter[tuple[str, str]]:
    return Counter((m.to, m.text or "") for m in simulator.messages)


# --- help -----------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [[], *([c] for c in SUBCOMMANDS)], ids=lambda c: c or "main")
def test_help_teaches_with_examples(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*command, "--help"]) == 0
    out = capsys.readouterr().out
    assert "examples:" in out
    assert "smsbatch " in out.split("examples:")[1]


def test_help_documents_the_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--help"])
    out = capsys.readouterr().out
    for code in ("0", "1", "2", "3", "130"):
        assert re.search(rf"^  {code} ", out, re.MULTILINE), code


def test_version_is_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"smsbatch {smsbatch.__version__}\n"


def test_every_subcommand_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [c for c in SUBCOMMANDS if not re.search(rf"^#+ .*`smsbatch {c}", readme, re.M)]
    assert not missing, f"README.md has no section heading for: {missing}"


# --- preview --------------------------------------------------------------------------------


def test_preview_shows_what_goes_to_whom_and_the_summary(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["--to", "telefoon", "--text", "Hoi {voornaam}!", "--exclude", OPTOUTS]
    code = main(["preview", RECIPIENTS, *args])
    out = capsys.readouterr().out
    assert code == 0
    assert "31612345601" in out and "Hoi Sanne!" in out
    assert f"{READY} ready, 4 invalid, 1 duplicate, 1 excluded" in out


def problems_block(out: str, count: int) -> str:
    """The list under "Rows that will not be sent (count):" in a preview's output."""
    return out.split(f"Rows that will not be sent ({count}):\n")[1].split("\n\n")[0]


def test_preview_lists_every_row_that_will_not_be_sent(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The first rows are all fine; the problems further down are listed with their reason."""
    args = ["--to", "telefoon", "--text", "Hoi {voornaam}!", "--exclude", OPTOUTS, "--rows", "3"]
    assert main(["preview", RECIPIENTS, *args]) == 0
    problems = problems_block(capsys.readouterr().out, 6)
    lines = problems.splitlines()[1:]
    assert [line.split()[0] for line in lines] == ["17", "18", "19", "20", "21", "22"]
    assert "010-1234567    invalid" in problems and "landline number" in problems
    assert "duplicate" in lines[4] and "same number and message as row 0" in lines[4]
    assert "0650123456   excluded  " in lines[5] and "on the exclude list" in lines[5]


def test_a_reason_shared_by_many_rows_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    numbers = tmp_path / "nummers.csv"
    numbers.write_text("phone\n0612345678\n" + "12\n" * 25, encoding="utf-8")
    assert main(["preview", str(numbers), "--text", "Hoi"]) == 0
    problems = problems_block(capsys.readouterr().out, 25)
    assert problems.splitlines() == [
        "25 rows (1, 2, 3, 4, 5, ...): invalid: phone: too few digits for a number in NL (+31);"
        " write foreign numbers with + and the country code"
    ]


def test_a_long_list_of_different_problems_ends_with_how_many_more(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    numbers = tmp_path / "nummers.csv"
    unique = [f"06{10000000 + i}" for i in range(25)]
    numbers.write_text("phone\n" + "\n".join(unique * 2) + "\n", encoding="utf-8")
    assert main(["preview", str(numbers), "--text", "Hoi"]) == 0
    problems = problems_block(capsys.readouterr().out, 25)
    assert problems.count("duplicate") == 20 and problems.endswith("... and 5 more")


def test_a_date_error_in_every_row_is_said_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dates = tmp_path / "afspraken.csv"
    rows = [f"06{10000000 + i},2026-13-{i:02d}" for i in range(20)]  # month 13: text
    dates.write_text("phone,datum\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert main(["preview", str(dates), "--text", "Tot {datum:%d-%m}"]) == 1
    out = capsys.readouterr().out
    problems = problems_block(out, 20)
    assert problems.splitlines() == [
        "20 rows (0, 1, 2, 3, 4, ...): invalid: column 'datum': … is text, not a date, so"
        " {datum:%d-%m} cannot format it; use {datum} to send it as written, or write dates as"
        " 2026-12-03 (or as Excel dates) in the file"
    ]
    assert out.count("is text, not a date") == 10 + 2  # the first rows, the list, the summary
    assert "in the file (20x)" in out and "other reasons" not in out


def test_preview_exits_1_when_no_row_is_ready(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    numbers = tmp_path / "nummers.csv"
    numbers.write_text("phone\n12\n13\n", encoding="utf-8")
    assert main(["preview", str(numbers), "--text", "Hoi"]) == 1
    assert "no row is ready" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("timing", "finish"),
    [
        (
            ["--rate", "2", "--window", "08:00-21:00"],
            f"{READY} messages at 2/s within 08:00-21:00 mon-sun (Europe/Amsterdam)",
        ),
        (["--rate", "2", "--limit", "5"], "5 messages at 2/s: done "),
        (["--rate", "unlimited"], f"{READY} messages as fast as the gateway answers: done about"),
        ([], f"{READY} messages at 10/s: done "),
    ],
    ids=["window", "limit", "unlimited", "default-rate"],
)
def test_preview_ends_with_when_the_ready_messages_would_be_done(
    timing: list[str], finish: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["preview", RECIPIENTS, *CAMPAIGN, *timing]) == 0
    out = capsys.readouterr().out
    summary = out.index(f"{READY} ready, 4 invalid, 1 duplicate, 1 excluded")
    assert out.strip().splitlines()[-1].startswith(finish)
    assert out.rindex(finish) > summary


def test_preview_with_a_start_in_the_past_is_a_one_line_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["preview", RECIPIENTS, *CAMPAIGN, "--start-at", "2020-01-01 08:00"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("smsbatch preview: error: start_at 2020-01-01 08:00 is in the past")
    assert len(err.strip().splitlines()) == 1


def test_unknown_placeholder_is_one_line_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["preview", RECIPIENTS, "--to", "telefoon", "--text", "Hoi {voornam}"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "voornam" in err and "voornaam" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["preview", "missing.csv", "--text", "x"], "missing.csv"),
        (["preview", RECIPIENTS, "--to", "telefoon"], "--text"),
        (["preview", RECIPIENTS, "--to", "telefoon", "--text", "x", "--binary-udh", "00"], "udh"),
        (["send", RECIPIENTS, "--text", "x"], "--sender"),
    ],
    ids=["missing-file", "no-message", "udh-without-data", "send-without-sender"],
)
def test_usage_errors_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str], tmp_path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    assert message in capsys.readouterr().err


# --- send -----------------------------------------------------------------------------------


@pytest.fixture
def no_account(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No credentials in the environment, and a fresh current folder."""
    for name in ("SMSBATCH_LOGIN", "SMSBATCH_PASSWORD", "SMSBATCH_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_dry_run_sends_nothing_and_needs_no_credentials(
    recipients: str, simulator: Simulator, no_account: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["send", recipients, *CAMPAIGN, "--dry-run"]) == 0
    assert "Dry run: nothing was sent" in capsys.readouterr().out
    assert simulator.requests == 0


def test_dry_run_says_when_the_limited_campaign_would_be_done(
    recipients: str, simulator: Simulator, no_account: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["send", recipients, *CAMPAIGN, "--dry-run", "--limit", "3"]) == 0
    out = capsys.readouterr().out
    assert out.index("3 messages at 10/s: done ") < out.index("Dry run: nothing was sent.")
    assert simulator.requests == 0


def test_missing_credentials_name_the_variables(
    recipients: str, no_account: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["send", recipients, *CAMPAIGN, "--yes"]) == 2
    assert "SMSBATCH_LOGIN" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("answer", "code", "sent"),
    [("yes\n", 0, READY), ("no\n", 2, 0), ("", 2, 0)],
    ids=["yes", "no", "ctrl-d"],
)
def test_a_person_at_a_terminal_confirms_by_typing_yes(
    recipients: str, answer: str, code: int, sent: int, account: Simulator, at_terminal, capsys
) -> None:
    at_terminal(answer)
    assert main(["send", recipients, *CAMPAIGN, "--rate", "unlimited"]) == code
    out = capsys.readouterr().out
    host = account.url.split("/")[2]
    question = out.index(
        f"Send {READY} messages ({READY} SMS parts) from '{SAMPLE_SENDER}' through {host}?"
    )
    assert out.index("Rows that will not be sent (6):") < question  # every problem, before
    assert "First message, to 31612345601: Beste Sanne," in out[question:]
    assert len(account.messages) == sent


def test_a_resume_asks_for_exactly_what_is_left_and_a_finished_one_asks_nothing(
    recipients: str, account: Simulator, at_terminal, capsys
) -> None:
    at_terminal("yes\n")
    assert main(["send", recipients, *CAMPAIGN, "--rate", "unlimited", "--limit", "5"]) == 0
    assert "--limit: the other 14 stay not_sent, for a later run" in capsys.readouterr().out
    at_terminal("yes\n")
    assert main(["send", recipients, *CAMPAIGN, "--rate", "unlimited"]) == 0
    out = capsys.readouterr().out
    assert f"Send {READY - 5} messages ({READY - 5} SMS parts) from '{SAMPLE_SENDER}'" in out
    assert "The journal skips 5 sent with it in an earlier run." in out
    assert "5 messages were already sent with this journal" in out

    at_terminal("")  # a finished campaign: nothing to confirm, the results written again
    assert main(["send", recipients, *CAMPAIGN, "--rate", "unlimited"]) == 0
    out = capsys.readouterr().out
    assert "Type 'yes'" not in out and "Results written to" in out
    assert f"{READY} messages were already sent with this journal" in out
    assert len(account.messages) == READY


def _read_until(master: int, seen: bytearray, wanted: bytes | None, timeout: float = 30) -> None:
    """Read what the program writes to its terminal until ``wanted`` shows (None: until the
    program closes its terminal)."""
    deadline = time.monotonic() + timeout
    while wanted is None or wanted not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"{wanted!r} never came; the terminal shows:\n{seen.decode()}"
        if not select.select([master], [], [], left)[0]:
            continue
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the program closed its terminal
            chunk = b""
        if not chunk:
            assert wanted is None, f"it exited before {wanted!r}:\n{seen.decode()}"
            return
        seen += chunk


@pytest.mark.skipif(os.name != "posix", reason="a pseudo-terminal")
def test_at_a_real_terminal_the_question_tells_the_whole_truth(
    recipients: str, account: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    first = ["send", recipients, *CAMPAIGN, "--yes", "--rate", "unlimited", "--limit", "3"]
    assert main(first) == 0
    capsys.readouterr()
    earlier = {m.to for m in account.messages}
    master, slave = pty.openpty()
    args = ["send", recipients, *CAMPAIGN, "--rate", "unlimited", "--limit", "10"]
    process = _run([*args, "--price", "0.07"], Path.cwd(), _env(account),
                   stdin=slave, stdout=slave, stderr=slave)  # fmt: skip
    os.close(slave)
    seen = bytearray()
    try:
        _read_until(master, seen, b"Type 'yes' to send: ")
        os.write(master, b"yes\n")
        _read_until(master, seen, None)
    finally:
        os.close(master)
        process.wait(timeout=30)
    screen = seen.decode().replace("\r\n", "\n")
    host = account.url.split("/")[2]
    question = screen[screen.index("Send 10 messages") :]
    lines = question.splitlines()
    assert lines[0] == (
        f"Send 10 messages (10 SMS parts, estimated cost 0.70) from '{SAMPLE_SENDER}'"
        f" through {host}?"
    )
    assert lines[1] == "The journal skips 3 sent with it in an earlier run."
    assert lines[2] == "--limit: the other 6 stay not_sent, for a later run with the same journal."
    assert lines[3].startswith("10 messages as fast as the gateway answers: done ")
    first = re.fullmatch(r"First message, to (\d+): Beste \w+, .*", lines[4])
    assert lines[5] == "Type 'yes' to send: yes"
    assert first and first[1] not in earlier
    assert process.returncode == 0, screen
    assert len(account.messages) == 13 and account.messages[3].to == first[1]
    assert PASSWORD not in screen


def test_without_a_terminal_and_without_yes_it_refuses(
    recipients: str, simulator: Simulator, tmp_path
) -> None:
    process = _run(["send", recipients, *CAMPAIGN], tmp_path, _env(simulator))
    out, err = process.communicate(timeout=30)
    assert process.returncode == 2
    assert "--yes" in err
    assert simulator.requests == 0
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == ["recipients.csv"]


def test_send_with_yes_sends_each_message_once_and_writes_results(
    recipients: str, simulator: Simulator, tmp_path
) -> None:
    args = ["send", recipients, *CAMPAIGN, "--yes", "--rate", "unlimited"]
    process = _run(args, tmp_path, _env(simulator))
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert len(_received(simulator)) == len(simulator.messages) == READY
    results = Path(recipients).with_name("recipients-results.xlsx")  # next to the input
    assert f"Results written to {results}" in out
    assert (read_recipients(results)["sms_status"] == "sent").sum() == READY
    summary = openpyxl.load_workbook(results)["Summary"]
    facts = {row[0]: row[1] for row in summary.iter_rows(values_only=True) if row[0]}
    assert facts["sender"] == SAMPLE_SENDER and facts["sent"] == READY
    assert facts["journal"] == str(Path(recipients).with_name("recipients.smsbatch-journal.db"))
    assert PASSWORD not in out + err
    with zipfile.ZipFile(results) as workbook:  # every part, unpacked
        assert not [n for n in workbook.namelist() if PASSWORD.encode() in workbook.read(n)]


@pytest.mark.parametrize(
    ("message", "kind", "expected"),
    [
        (["--vcard-name", "Tandarts {plaats}", "--vcard-phone", "0201234567"], "vcard",
         {"name": "Tandarts Amsterdam", "phone": "0201234567"}),
        (["--binary-data", "024a3a", "--binary-udh", "06050415811581"], "binary",
         {"data": "024A3A", "udh": "06050415811581"}),
    ],
    ids=["vcard", "binary"],
)
def test_vcard_and_binary_flags_reach_the_gateway(
    recipients: str, message: list[str], kind: str, expected: dict[str, str], account: Simulator
) -> None:
    args = ["send", recipients, "--to", "telefoon", *message, "--sender", "Praktijk"]
    assert main([*args, "--yes", "--rate", "unlimited"]) == 0
    first = account.messages[0]
    assert first.to == "31612345601" and first.kind == kind
    got = first.vcard if kind == "vcard" else {"data": first.data, "udh": first.udh}
    assert {field: got[field] for field in expected} == expected  # type: ignore[index]


def test_an_existing_results_file_is_never_overwritten(
    recipients: str, account: Simulator, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    (tmp_path / "uit.csv").write_text("yesterday's results\n", encoding="utf-8")
    args = ["send", recipients, *CAMPAIGN, "--yes", "--rate", "unlimited", "--out", "uit.csv"]
    assert main(args) == 0
    assert (tmp_path / "uit.csv").read_text(encoding="utf-8") == "yesterday's results\n"
    assert "Results written to uit-2.csv" in capsys.readouterr().out


def test_failed_rows_exit_1(recipients: str, account: Simulator) -> None:
    account.fail_numbers({"31612345601"}, code=601)
    assert main(["send", recipients, *CAMPAIGN, "--yes", "--rate", "unlimited"]) == 1
    assert len(account.messages) == READY - 1


def test_wrong_password_stops_with_3_and_never_shows_it(
    recipients: str, account: Simulator, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    monkeypatch.setenv("SMSBATCH_PASSWORD", "Wr0ng&Secret")
    assert main(["send", recipients, *CAMPAIGN, "--yes", "--rate", "unlimited"]) == 3
    captured = capsys.readouterr()
    assert "stopped" in captured.err
    fix_first, resume = captured.err.split("To resume without sending anything twice:")
    assert "First check the login and password" in fix_first and "SMSBATCH_PASSWORD" in fix_first
    assert "Wr0ng&Secret" not in captured.out + captured.err
    assert not account.messages


def test_a_wrong_base_url_stops_at_once_and_says_which_setting_to_check(
    recipients: str, account: Simulator, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    monkeypatch.setenv("SMSBATCH_BASE_URL", account.url.replace("/api/", "/"))
    assert main(["send", recipients, *CAMPAIGN, "--yes", "--rate", "unlimited"]) == 3
    captured = capsys.readouterr()
    fix_first, _ = captured.err.split("To resume without sending anything twice:")
    assert "HTTP 404" in fix_first and "First check SMSBATCH_BASE_URL / base_url" in fix_first
    assert "1 failed, 0 unknown" in fix_first
    assert PASSWORD not in captured.out + captured.err
    assert not account.messages


def test_a_stopped_campaign_resumes_with_the_printed_command(
    recipients: str, account: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    account.funds = 5
    assert main(["send", recipients, *CAMPAIGN, "--yes", "--rate", "unlimited"]) == 3
    err = capsys.readouterr().err
    assert "or top up the credit" in err.split("To resume")[0]
    resume = shlex.split(err.split("To resume without sending anything twice:\n")[1].strip())
    assert resume[0] == "smsbatch" and "--journal" in resume

    account.funds = None
    assert main(resume[1:]) == 0
    received = _received(account)
    assert len(received) == READY and max(received.values()) == 1


def test_ctrl_c_exits_130_and_the_resume_sends_the_rest_once(
    recipients: str, simulator: Simulator, tmp_path
) -> None:
    args = ["send", recipients, *CAMPAIGN, "--yes", "--rate", "10"]
    process = _run(args, tmp_path, _env(simulator))
    assert simulator.wait_for(messages=3)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    assert 3 <= len(simulator.messages) < READY
    resume = err.split("To resume without sending anything twice:\n")[1].strip()

    process = _run([*shlex.split(resume)[1:], "--rate", "unlimited"], tmp_path, _env(simulator))
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    received = _received(simulator)
    assert len(received) == READY and max(received.values()) == 1



def test_running_the_same_command_again_resumes_instead_of_sending_twice(
    recipients: str, account: Simulator, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    """After a funds stop, arrow-up and enter: the fixed journal next to the input is reused."""
    command = ["send", recipients, *CAMPAIGN, "--yes", "--rate", "unlimited"]
    account.funds = 5
    assert main(command) == 3
    journal = Path(recipients).with_name("recipients.smsbatch-journal.db")
    assert f"Journal: {journal}\n" in capsys.readouterr().out

    account.funds = None
    assert main(command) == 0
    out = capsys.readouterr().out
    received = _received(account)
    assert len(received) == READY and max(received.values()) == 1
    assert f"Journal: {journal} (from an earlier run" in out
    assert "5 messages were already sent with this journal" in out and "--journal NEW" in out
    assert sorted(p.name for p in Path(recipients).parent.iterdir()) == [
        "recipients-results-2.xlsx",
        "recipients-results.xlsx",
        "recipients.csv",
        "recipients.smsbatch-journal.db",
    ]
    assert not list(tmp_path.glob("*.*"))  # nothing in the current folder


def test_the_resume_command_never_resends_unknown_outcomes(
    recipients: str, account: Simulator, capsys: pytest.CaptureFixture[str], tmp_path, monkeypatch
) -> None:
    """--resend-unknown (even abbreviated) is for one checked run; the resume must not repeat it,
    or pasting it re-sends the messages whose outcome became unknown in this run."""
    account.drop_next(1, delivered=True)  # the first message arrives, its answer is lost
    account.funds = 5
    command = ["send", recipients, *CAMPAIGN, "--yes", "--rate", "unlimited", "--journal", "c.db"]
    assert main([*command, "--resend"]) == 3
    err = capsys.readouterr().err
    resume = shlex.split(err.split("To resume without sending anything twice:\n")[1].strip())
    assert not any(word.startswith("--resend") for word in resume)
    assert resume[:3] == ["smsbatch", "send", recipients]
    assert resume[resume.index("--journal") + 1] == str(tmp_path / "c.db")

    account.funds = None
    monkeypatch.chdir(Path(recipients).parent)  # absolute paths: pasting works from anywhere
    assert main(resume[1:]) == 1  # the unknown one stays unknown, for the user to check
    received = _received(account)
    assert len(received) == READY and max(received.values()) == 1


# --- notebooks ------------------------------------------------------------------------------


def test_notebooks_are_copied_into_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["notebooks"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Wrote panel.ipynb",
        "Wrote quickstart.ipynb",
    ]
    for name in ("panel.ipynb", "quickstart.ipynb"):
        assert (tmp_path / name).read_bytes() == (ROOT / "notebooks" / name).read_bytes()


def test_notebooks_never_overwrite_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "campagnes" / "mei"
    assert main(["notebooks", str(folder)]) == 0  # made if needed
    (folder / "quickstart.ipynb").write_text("my edits")
    capsys.readouterr()
    assert main(["notebooks", str(folder)]) == 0
    out = capsys.readouterr().out
    assert f"Skipped {folder / 'quickstart.ipynb'}: it exists (not overwritten)" in out
    assert (folder / "quickstart.ipynb").read_text() == "my edits"


def test_notebooks_into_a_file_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes").write_text("")
    assert main(["notebooks", str(tmp_path / "notes")]) == 2
    assert capsys.readouterr().err.startswith("smsbatch notebooks: error: ")


# --- demo -----------------------------------------------------------------------------------


def test_demo_runs_a_campaign_from_any_folder(tmp_path: Path) -> None:
    process = _run(["demo", "--rate", "200"], tmp_path, {})
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert (tmp_path / "smsbatch-demo-results.xlsx").is_file()
    assert f"The simulator received {READY} messages" in out
    assert "smsbatch-demo-results.xlsx" in out
    assert f"{READY} sent" in err  # the summary under the progress bar


def test_demo_never_overwrites_earlier_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "smsbatch-demo-results.xlsx").write_bytes(b"mine")
    assert main(["demo", "--rate", "unlimited"]) == 0
    assert (tmp_path / "smsbatch-demo-results.xlsx").read_bytes() == b"mine"
    assert "smsbatch-demo-results-2.xlsx" in capsys.readouterr().out


def test_a_campaign_that_changes_while_the_person_reads_it_is_not_sent(
    tmp_path: Path, account: Simulator, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    people = tmp_path / "klanten.csv"
    people.write_text("telefoon;naam\n0650000001;Anna\n0650000002;Bob\n", encoding="utf-8")
    optouts = tmp_path / "afmeldingen.csv"
    optouts.write_text("telefoon\n0650000009\n", encoding="utf-8")

    class BobOptsOutWhileTheQuestionIsAsked(io.StringIO):
        def isatty(self) -> bool:
            return True

        def readline(self, *args: object) -> str:
            optouts.write_text("telefoon\n0650000002\n", encoding="utf-8")
            return "yes\n"

    monkeypatch.setattr(sys, "stdin", BobOptsOutWhileTheQuestionIsAsked())
    argv = ["send", str(people), "--to", "telefoon", "--text", "Hoi {naam}", "--sender", "Test"]
    assert main([*argv, "--exclude", str(optouts), "--rate", "unlimited"]) == 2
    assert "changed since its preview was confirmed" in capsys.readouterr().err
    assert account.requests == 0


# --- as a newcomer meets it -----------------------------------------------------------------


def test_a_send_piped_into_head_finishes_and_exits_0(
    recipients: str, simulator: Simulator, tmp_path: Path
) -> None:
    """head reads one line and goes away; the send still completes and its results are saved."""
    process = _run(
        ["send", recipients, *CAMPAIGN, "--yes", "--rate", "unlimited"], tmp_path, _env(simulator)
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    process.stdout.close()  # the reader is gone, as with `| head -1`
    _, err = process.communicate(timeout=60)
    assert first and process.returncode == 0, err
    assert "BrokenPipe" not in err and "Traceback" not in err
    assert len(simulator.messages) == READY
    assert (Path(recipients).parent / "recipients-results.xlsx").exists()


def test_a_port_out_of_range_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--port", "99999"]) == 2
    assert "99999 is not a port: use 0 to 65535" in capsys.readouterr().err


@pytest.mark.parametrize("rate", ["0", "-5", "snel"])
def test_a_rate_that_is_no_rate_is_refused_and_unlimited_is_spelled_out(
    rate: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["send", RECIPIENTS, *CAMPAIGN, "--dry-run", "--rate", rate]) == 2
    assert "'unlimited'" in capsys.readouterr().err


def test_the_resume_command_keeps_an_unlimited_rate(
    recipients: str, account: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    account.funds = 2
    assert main(["send", recipients, *CAMPAIGN, "--yes", "--rate", "unlimited"]) == 3
    resume = capsys.readouterr().err.split("To resume without sending anything twice:\n")[1]
    assert "--rate unlimited" in resume


def test_a_warning_is_one_plain_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    optouts = tmp_path / "afmeldingen.csv"
    optouts.write_text("telefoon\n0201234567\n", encoding="utf-8")  # a landline
    args = ["preview", RECIPIENTS, "--to", "telefoon", "--text", "Hoi", "--exclude", str(optouts)]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert err.startswith("smsbatch preview: warning: 1 exclude-list entry is not a valid mobile")
    assert err.count("\n") == 1 and ".py" not in err


def test_a_long_template_comes_from_a_text_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = tmp_path / "bericht.txt"
    template.write_text("Beste {voornaam},\nTot {datum:%d-%m}!\n", encoding="utf-8")
    assert main(["preview", RECIPIENTS, "--to", "telefoon", "--text-file", str(template)]) == 0
    assert "Beste Sanne,\\nTot " in capsys.readouterr().out


# --- campaign control -----------------------------------------------------------------------


def test_a_test_send_with_yes_texts_only_the_test_number(
    recipients: str, account: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["send", recipients, *CAMPAIGN, "--yes", "--test-to", "0619990000"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Test to 31619990000: sent (SMS message sent.)" in out
    assert "the campaign was not" in out
    assert [m.to for m in account.messages] == ["31619990000"]


def test_a_limit_sends_the_first_n_and_says_when_it_would_be_done(
    recipients: str, account: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["send", recipients, *CAMPAIGN, "--yes", "--limit", "3", "--rate", "5"]) == 0
    out = capsys.readouterr().out
    assert re.search(
        r"\n3 messages at 5/s: done (today|tomorrow) at \d\d:\d\d \(Europe/Amsterdam\)\n", out
    )
    assert len(account.messages) == 3


def test_sending_hours_that_never_open_send_nothing(
    recipients: str, account: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["send", recipients, *CAMPAIGN, "--yes", "--window", "21:00-08:00"]) == 2
    assert "closes before it opens" in capsys.readouterr().err
    assert account.requests == 0
def test_preview_reads_the_sheet_and_header_row_given_and_says_so(capsys):
    workbook = str(Path(__file__).parent / "testdata" / "libreoffice_klanten.xlsx")
    options = ["--to", "telefoon", "--text", "Hoi {voornaam}"]
    assert main(["preview", workbook, *options]) == 0
    out = capsys.readouterr().out
    assert f"Read 3 rows from {workbook} (sheet 'Klanten', column names in row 3)" in out
    assert "note: left out 2 hidden or filtered-out rows" in out
    assert main(["preview", workbook, "--sheet", "Oud", "--header-row", "1", *options]) == 0
    out = capsys.readouterr().out
    assert "(sheet 'Oud', column names in row 1)" in out and "Hoi Oude Lijst" in out
    assert "31612340000" in out
# --- never twice across journals -----------------------------------------------------------


def test_a_renamed_copy_of_the_input_skips_what_the_first_journal_sent(
    recipients: str, simulator: Simulator, history: Path
) -> None:
    """Two real processes: the renamed copy gets a fresh default journal, and the history of
    sends (named by the environment the processes inherit) stops it from texting anyone twice."""
    folder = Path(recipients).parent
    args = ["send", recipients, *CAMPAIGN, "--yes", "--rate", "unlimited"]
    first = _run(args, folder, _env(simulator))
    assert first.communicate(timeout=60)[0] and first.returncode == 0
    copy = str(shutil.copy(recipients, folder / "recipients-kopie.csv"))

    again = _run(["send", copy, *CAMPAIGN, "--yes", "--rate", "unlimited"], folder, _env(simulator))
    out, err = again.communicate(timeout=60)

    assert again.returncode == 2, err
    assert re.search(
        rf"{READY} messages were sent to the same numbers on \d\d \w+ \d{{4}} through another"
        r" journal \(recipients\.smsbatch-journal\.db\): they will be skipped"
        r" \(--allow-repeat sends them again\)",
        out,
    ), out
    assert "nothing to send: every ready message was already sent through another journal" in err
    assert len(simulator.messages) == READY and simulator.requests == READY
    assert not (folder / "recipients-kopie.smsbatch-journal.db").exists()
    assert history.is_file()



def test_after_kill_9_a_renamed_copy_of_the_input_texts_nobody_twice(
    recipients: str, simulator: Simulator, history: Path
) -> None:
    """The history is written a few times a second; a campaign killed between two writes
    leaves its last sends in its journal only, and the next campaign copies them from there."""
    folder = Path(recipients).parent
    first = _run(["send", recipients, *CAMPAIGN, "--yes", "--rate", "5"], folder, _env(simulator))
    try:
        assert simulator.wait_for(messages=8)
        first.kill()  # SIGKILL: no finally, no flush
        first.communicate(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == -signal.SIGKILL
    copy = str(shutil.copy(recipients, folder / "recipients-kopie.csv"))
    again = _run(["send", copy, *CAMPAIGN, "--yes", "--rate", "unlimited"], folder, _env(simulator))
    out, err = again.communicate(timeout=60)
    received = _received(simulator)
    assert max(received.values()) == 1, (out, err)
    # Each of the first campaign's messages is skipped; the one in flight when it was killed
    # (delivered or not: unknown) is held back, not sent again.
    assert len(received) >= READY - 1
    assert "through another journal (recipients.smsbatch-journal.db" in out


def test_two_campaigns_of_the_same_list_at_once_text_nobody_twice(
    recipients: str, simulator: Simulator, history: Path
) -> None:
    """The first claims its messages in the history before its first one leaves; here it then
    waits for its start time, so the second surely starts while the first runs, and finds every
    message being sent."""
    folder = Path(recipients).parent
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")
    first = _run(["send", recipients, *CAMPAIGN, "--yes", "--start-at", later, "--tz", "UTC"],
                 folder, _env(simulator))  # fmt: skip
    copy = str(shutil.copy(recipients, folder / "recipients-kopie.csv"))
    try:
        _until(lambda: _claimed(history) == READY)
        again = _run(["send", copy, *CAMPAIGN, "--yes", "--rate", "unlimited"], folder,
                     _env(simulator))  # fmt: skip
        out, err = again.communicate(timeout=60)
        first.send_signal(signal.SIGINT)  # the paused first campaign stops as any Ctrl-C does
        first.communicate(timeout=60)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 130  # interrupted
    assert again.returncode == 2, (out, err)
    assert f"{READY} messages were sent to the same numbers" in out
    assert f"{READY} of them being sent right now by a campaign that runs" in out
    assert "nothing to send: every ready message was already sent" in err
    assert simulator.requests == 0
    assert _claimed(history) == 0  # the interrupted campaign's claims went with it


def _claimed(history: Path) -> int:
    with contextlib.closing(sqlite3.connect(history)) as db:
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'claimed'").fetchone():
            return 0  # no campaign has made the table yet
        count: int = db.execute("SELECT count(*) FROM claimed").fetchone()[0]
        return count


def _until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Poll a condition another process makes true (no event crosses the process boundary)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_preview_and_dry_run_say_what_another_journal_sent(
    recipients: str, account: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["send", recipients, *CAMPAIGN, "--yes", "--rate", "unlimited"]) == 0
    copy = str(shutil.copy(recipients, Path(recipients).with_name("kopie.csv")))
    capsys.readouterr()
    said = f"{READY} messages were sent to the same numbers on "
    assert main(["preview", copy, *CAMPAIGN]) == 0
    out = capsys.readouterr().out
    assert said in out and "they will be skipped (--allow-repeat sends them again)" in out
    assert main(["preview", recipients, *CAMPAIGN]) == 0  # its own journal: a resume's business
    assert said not in capsys.readouterr().out
    assert main(["send", copy, *CAMPAIGN, "--dry-run"]) == 0
    assert said in capsys.readouterr().out
    assert main(["send", copy, *CAMPAIGN, "--dry-run", "--no-history"]) == 0
    assert said not in capsys.readouterr().out
    assert len(account.messages) == READY

def test_the_question_counts_only_what_another_journal_did_not_send(
    recipients: str, account: Simulator, at_terminal, capsys: pytest.CaptureFixture[str]
) -> None:
    account.funds = 5
    assert main(["send", recipients, *CAMPAIGN, "--yes", "--rate", "unlimited"]) == 3
    account.funds = None
    copy = str(shutil.copy(recipients, Path(recipients).with_name("kopie.csv")))
    capsys.readouterr()

    at_terminal("yes\n")
    assert main(["send", copy, *CAMPAIGN, "--rate", "unlimited"]) == 0

    out = capsys.readouterr().out
    line = out.index("5 messages were sent to the same numbers on ")
    ask = f"Send {READY - 5} messages ({READY - 5} SMS parts) from '{SAMPLE_SENDER}'"
    assert out.index(ask) < line < out.index("Type 'yes' to send")  # part of the question
    assert "5 messages were already sent to the same numbers through another journal" in out
    received = _received(account)
    assert len(received) == READY and max(received.values()) == 1
    results = read_recipients(Path(copy).with_name("kopie-results.xlsx"))
    assert results["sms_status"].value_counts()["duplicate"] == 5 + 1  # and the sample's own


@pytest.mark.parametrize("flag", ["--allow-repeat", "--no-history"])
def test_allow_repeat_and_no_history_send_the_renamed_copy_again(
    recipients: str, account: Simulator, flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["send", recipients, *CAMPAIGN, "--yes", "--rate", "unlimited"]) == 0
    copy = str(shutil.copy(recipients, Path(recipients).with_name("kopie.csv")))
    capsys.readouterr()

    assert main(["send", copy, *CAMPAIGN, "--yes", "--rate", "unlimited", flag]) == 0

    out = capsys.readouterr().out
    assert len(account.messages) == 2 * READY
    if flag == "--allow-repeat":
        assert f"{READY} messages were sent to the same numbers on " in out
        assert "--allow-repeat: they will be sent again" in out
    else:
        assert "through another journal" not in out


def test_no_history_records_nothing(recipients: str, account: Simulator, history: Path) -> None:
    args = ["send", recipients, *CAMPAIGN, "--yes", "--rate", "unlimited", "--no-history"]
    assert main(args) == 0
    assert not history.exists()
# --- journal ------------------------------------------------------------------------------------


def test_journal_show_prints_the_summary_and_writes_every_message(
    recipients: str, account: Simulator, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    account.funds = 5
    assert main(["send", recipients, *CAMPAIGN, "--yes", "--rate", "unlimited"]) == 3
    journal = Path(recipients).with_name("recipients.smsbatch-journal.db")
    capsys.readouterr()
    assert main(["journal", "show", str(journal), "--out", "wat-er-gebeurde.xlsx"]) == 0
    out = capsys.readouterr().out
    assert f"Journal: {journal}" in out
    assert "6 messages" in out and re.search(r"sent +5\n", out) and re.search(r"failed +1\n", out)
    table = read_recipients(tmp_path / "wat-er-gebeurde.xlsx")
    assert table["status"].tolist() == ["sent"] * 5 + ["failed"]
    assert set(table["number"]) == {m.to for m in account.messages} | {table["number"].iloc[-1]}


def test_journal_purge_keeps_the_campaign_from_texting_anyone_twice(
    recipients: str, account: Simulator, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    command = ["send", recipients, *CAMPAIGN, "--yes", "--rate", "unlimited"]
    account.funds = 5
    assert main(command) == 3
    journal = Path(recipients).with_name("recipients.smsbatch-journal.db")
    later = time.time() + 40 * 24 * 3600
    with monkeypatch.context() as in_40_days:
        in_40_days.setattr(time, "time", lambda: later)
        assert main(["journal", "purge", str(journal), "--older-than", "30d"]) == 0
    out = capsys.readouterr().out
    assert "6 messages settled more than 30d ago lost their number and text" in out
    for message in account.messages:
        assert message.to.encode() not in journal.read_bytes()
    account.funds = None
    assert main(command) == 0
    received = _received(account)
    assert len(received) == READY and max(received.values()) == 1




def test_advice_names_the_command_line_option_too(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["preview", RECIPIENTS, "--text", "Hoi {voornaam}"]) == 2  # no --to
    assert "to='phone' (--to phone) names no column" in capsys.readouterr().err
    assert main(["preview", RECIPIENTS, "--to", "telefoon", "--text", "Hoi {voornaam} – ok"]) == 0
    assert "transliterate=True (--transliterate) replaces" in capsys.readouterr().out

def test_journal_purge_of_a_missing_file_says_so_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "campange.db"
    assert main(["journal", "purge", str(missing), "--older-than", "30d"]) == 2
    err = capsys.readouterr().err
    assert "there is no journal" in err and len(err.strip().splitlines()) == 1
    assert not missing.exists()

def test_journal_privacy_minimal_keeps_numbers_out_of_the_journal(
    recipients: str, account: Simulator
) -> None:
    assert main(["send", recipients, *CAMPAIGN, "--yes", "--rate", "unlimited",
                 "--journal-privacy", "minimal"]) == 0
    data = Path(recipients).with_name("recipients.smsbatch-journal.db").read_bytes()
    for message in account.messages:
        assert message.to.encode() not in data
        assert (message.text or "").encode() not in data


@pytest.mark.parametrize(
    "content", [b"", b"smsbatch-journal v9 whatever\n"], ids=["empty", "newer-format"]
)
def test_a_journal_that_cannot_be_trusted_is_one_line_and_exit_2(
    recipients: str, account: Simulator, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    journal = Path(recipients).with_name("recipients.smsbatch-journal.db")
    journal.write_bytes(content)
    assert main(["send", recipients, *CAMPAIGN, "--yes", "--rate", "unlimited"]) == 2
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and err.startswith("smsbatch send: error: ")
    assert str(journal) in err
    assert "Journal:" not in out  # never "from an earlier run" first, then the refusal
    assert account.requests == 0
    assert main(["journal", "show", str(journal)]) == 2
    assert capsys.readouterr().err.startswith("smsbatch journal: error: ")
