"""The README is a manual people copy from: its set-up commands come first and every Python
block and every command-line example in it runs, in order, against the simulator."""

from __future__ import annotations

import re
import shlex
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from smsbatch import Simulator, sample_path
from smsbatch.cli import main

README = Path(__file__).parent.parent / "README.md"
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _blocks() -> list[tuple[str, str]]:
    return BLOCK.findall(README.read_text(encoding="utf-8"))


def test_the_two_set_up_commands_come_first() -> None:
    assert _blocks()[:2] == [
        ("bash", "pip install -e . && smsbatch demo\n"),
        ("bash", 'pip install -e ".[dev]" && pytest\n'),
    ]


def test_every_python_block_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("SMSBATCH_LOGIN", "SMSBATCH_PASSWORD", "SMSBATCH_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    blocks = [code for language, code in _blocks() if language == "python"]
    assert len(blocks) >= 4
    namespace: dict[str, object] = {"__name__": "__readme__"}
    for number, code in enumerate(blocks, 1):
        exec(compile(code, f"README.md python block {number}", "exec"), namespace)
    # What the tour promises a reader to see.
    assert (namespace["result"]["sms_status"] == "sent").sum() > 0  # type: ignore[index]
    assert (tmp_path / "tour-results.xlsx").is_file()


def _cli_examples() -> list[list[str]]:
    """The smsbatch command lines of the README's shell blocks, continuation lines joined.

    ``demo`` and ``simulate`` run elsewhere (test_cli, test_simulator) as real processes.
    """
    examples = []
    for language, code in _blocks():
        if language != "bash":
            continue
        for line in code.replace("\\\n", " ").splitlines():
            if line.startswith("smsbatch ") and not line.startswith(
                ("smsbatch demo", "smsbatch simulate")
            ):
                examples.append(shlex.split(line, comments=True)[1:])
    return examples


def test_every_cli_example_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, at_terminal: Callable[[str], None]
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copy(sample_path("recipients.xlsx"), "klanten.xlsx")
    shutil.copy(sample_path("optouts.csv"), "afmeldingen.csv")
    Path("klanten.csv").write_text(
        "mobiel;bericht\n06-1234 5678;Uw pakket ligt klaar.\n0612345679;Tot morgen!\n",
        encoding="utf-8",
    )
    examples = _cli_examples()
    assert [argv[0] for argv in examples] == [
        "notebooks",
        "--version",
        "notebooks",
        "preview",
        "preview",
        "preview",
        "send",
        "journal",
        "journal",
    ]
    with Simulator() as gateway:
        monkeypatch.setenv("SMSBATCH_LOGIN", gateway.login)
        monkeypatch.setenv("SMSBATCH_PASSWORD", gateway.password)
        monkeypatch.setenv("SMSBATCH_BASE_URL", gateway.url)
        for argv in examples:
            at_terminal("yes\n")
            assert main(argv) == 0, argv
        assert len(gateway.messages) > 0
    assert Path("resultaten.xlsx").is_file()
    assert Path("wat-er-gebeurde.xlsx").is_file()  # what the journal recorded, read back
