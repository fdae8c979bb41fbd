"""Fixtures shared by the tests: a history of sends of their own, a simulated gateway with a
client for it, and a terminal to type in."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from smsbatch import Client, Simulator


@pytest.fixture(autouse=True)
def history(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every test's history of sends at a file of its own: no test writes to the real
    user's data folder or sees another test's sends. The variable reaches the subprocesses and
    notebook kernels a test starts."""
    path = tmp_path_factory.mktemp("history") / "history.db"
    monkeypatch.setenv("SMSBATCH_HISTORY", str(path))
    return path


@pytest.fixture
def sim() -> Iterator[Simulator]:
    """A simulated gateway on 127.0.0.1 (a module may define its own, with a password)."""
    with Simulator() as simulator:
        yield simulator


@pytest.fixture
def client(sim: Simulator) -> Iterator[Client]:
    """A client of ``sim``."""
    with Client(sim.login, sim.password, sim.url) as connected:
        yield connected


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
