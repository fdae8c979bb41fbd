"""The notebooks run top to bottom in a real kernel, in a scratch folder, against the simulator.

The kernel is this interpreter (a kernel spec written into a temporary Jupyter path), so the test
works in a fresh clone where only ``pip install -e ".[dev]"`` ran, and it imports this checkout's
smsbatch.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from ipykernel.kernelspec import write_kernel_spec
from nbclient import NotebookClient

ROOT = Path(__file__).parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
KERNEL = "smsbatch-test-python"


@pytest.fixture(scope="module")
def kernel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    jupyter_path = tmp_path_factory.mktemp("jupyter")
    write_kernel_spec(jupyter_path / "kernels" / KERNEL)
    saved = {name: os.environ.get(name) for name in ("JUPYTER_PATH", "PYTHONPATH")}
    os.environ["JUPYTER_PATH"] = str(jupyter_path)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), saved["PYTHONPATH"]]))
    yield KERNEL
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def _run(notebook: Path, folder: Path, kernel: str) -> nbformat.NotebookNode:
    copy = Path(shutil.copy(notebook, folder))
    nb = nbformat.read(copy, as_version=4)
    NotebookClient(
        nb, kernel_name=kernel, timeout=60, resources={"metadata": {"path": str(folder)}}
    ).execute()
    return nb


def _text(nb: nbformat.NotebookNode) -> str:
    """Everything the notebook showed, as one string."""
    return json.dumps([cell.get("outputs", []) for cell in nb.cells], ensure_ascii=False)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_notebooks_are_stored_without_outputs(notebook: Path) -> None:
    nb = nbformat.read(notebook, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:40]


def test_quickstart_sends_the_campaign_and_saves_it(tmp_path: Path, kernel: str) -> None:
    nb = _run(ROOT / "notebooks" / "quickstart.ipynb", tmp_path, kernel)
    shown = _text(nb)
    assert '"output_type": "error"' not in shown
    assert "Beste Sanne, tot 03-12 om 09:30 in Amsterdam" in shown  # the preview
    assert "The simulator received 20 messages" in shown
    assert (tmp_path / "campagne-resultaten.xlsx").is_file()
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".ipynb") == [
        "quickstart.ipynb"
    ]


def test_panel_notebook_shows_the_panel(tmp_path: Path, kernel: str) -> None:
    nb = _run(ROOT / "notebooks" / "panel.ipynb", tmp_path, kernel)
    shown = _text(nb)
    assert '"output_type": "error"' not in shown
    assert "application/vnd.jupyter.widget-view+json" in shown
    assert "Nothing sent yet" in shown


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_a_reopened_notebook_says_to_run_all_cells_first(notebook: Path) -> None:
    first = nbformat.read(notebook, as_version=4).cells[0]
    assert first.cell_type == "markdown" and "run all cells" in first.source.lower()


def test_each_notebook_keeps_its_own_journal() -> None:
    journals = {
        n.stem: re.findall(r"[\w-]+\.db\b", "".join(c.source for c in nbformat.read(n, 4).cells))
        for n in NOTEBOOKS
    }
    assert all(journals.values()), journals
    assert not set(journals["panel"]) & set(journals["quickstart"]), journals


def test_run_all_leaves_the_panel_s_simulator_running() -> None:
    """Only a commented-out last cell stops it: Run All must leave the panel able to send."""
    cells = nbformat.read(ROOT / "notebooks" / "panel.ipynb", 4).cells
    code = [c.source for c in cells if c.cell_type == "code"]
    live = [line for source in code for line in source.splitlines() if not line.startswith("#")]
    assert not any(".stop()" in line for line in live)
    assert "gateway.stop()" in code[-1]
