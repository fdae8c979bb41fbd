"""Fixtures shared by the tests: a history of sends of their own, and a terminal to type in."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def history(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every test's history of sends at a file of its own: no test writes to the real
    user's data folder or sees another test's sends. The variable reaches the subprocesses and
    notebook kernels a test starts."""
    path = tmp_path_factory.mktemp("history") / "history.db"
    monkeypatch.setenv("SMSBATCH_HISTORY", str(path))
    return path


class _Terminal(io.StringIO):
    """Standard input that says it is a terminal, with the person's answers typed in."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def at_terminal(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Make standard input a terminal where a person types ``answers``."""

    def type_in(answers: str) -> None:
        monkeypatch.setattr(sys, "stdin", _Terminal(answers))

    return type_in
