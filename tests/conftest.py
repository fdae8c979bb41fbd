"""Fixtures shared by the tests of the front ends."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable

import pytest


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
