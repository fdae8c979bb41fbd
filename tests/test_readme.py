"""The README is a manual people copy from: its set-up commands come first and every Python
block in it runs, in order, against the simulator."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

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
