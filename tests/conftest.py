"""Fixtures shared by the tests: a history of sends of their own, a simulated gateway with a
client for it, a terminal to type in, and the sample recipients in a panel of their own."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
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


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh current folder for each test: a panel keeps its journal there."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="session")
def recipients() -> pd.DataFrame:
    """The sample recipients as a user reads them (never modified: a panel keeps a copy)."""
    from smsbatch import read_recipients
    from smsbatch.samples import sample_path

    return read_recipients(sample_path("recipients.csv"))


@pytest.fixture
def ready_panel(recipients: pd.DataFrame, client: Client) -> Any:
    """A panel of the sample, ready to confirm and send to the simulator, with no rate limit."""
    from smsbatch import panel

    return panel(recipients, client, to="telefoon", text="Hoi {voornaam}!", sender="Praktijk",
                 rate=None)  # fmt: skip
