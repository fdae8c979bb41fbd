"""The sdist and the wheel hold the project and nothing a run left in the tree, the wheel ships
the notebooks and the licence, and the version is the one written in smsbatch/__init__.py."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path, PurePosixPath

import pytest
from packaging.version import Version

import smsbatch

ROOT = Path(__file__).parent.parent
SHIPPED = ["smsbatch", "notebooks", "sample_data", "tests", "benchmarks"]
TOP_FILES = ["README.md", "LICENSE", "pyproject.toml"]
#: Data files that ship on purpose; any other spreadsheet or database is debris.
SAMPLES = ("smsbatch/data/", "sample_data/", "tests/testdata/")
STRAYS = [
    "x.db",
    "notebooks/campagne-resultaten.xlsx",
    "smsbatch/klanten.smsbatch-journal.db",
    "smsbatch/data/campagne.db",
    "tests/klanten-results.xlsx",
    "sample_data/tour-results.csv",
]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the sdist and the wheel from a copy of the tree littered with a campaign's files."""
    tree = tmp_path_factory.mktemp("tree")
    for name in SHIPPED:
        shutil.copytree(ROOT / name, tree / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in TOP_FILES:
        shutil.copy(ROOT / name, tree / name)
    for stray in STRAYS:
        (tree / stray).write_bytes(b"not for shipping")
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--sdist", "--wheel", "-o", str(out)],
        cwd=tree,
        capture_output=True,
        text=True,
        env={**os.environ, "PIP_NO_INDEX": "1"},
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def _sdist_names(dist: Path) -> list[str]:
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        return [str(PurePosixPath(*PurePosixPath(n).parts[1:])) for n in archive.getnames()]


def _wheel(dist: Path) -> zipfile.ZipFile:
    (wheel,) = dist.glob("*.whl")
    return zipfile.ZipFile(wheel)


def _debris(names: list[str]) -> list[str]:
    data = (".db", ".xlsx", ".csv", ".db-wal", ".db-journal")
    return [n for n in names if n.endswith(data) and not n.startswith(SAMPLES)]


def test_the_archives_hold_no_stray_data_files(dist: Path) -> None:
    assert _debris(_sdist_names(dist)) == []
    assert _debris(_wheel(dist).namelist()) == []


def test_the_sdist_holds_the_project(dist: Path) -> None:
    names = _sdist_names(dist)
    for name in [*TOP_FILES, "smsbatch/data/recipients.xlsx", "tests/test_distribution.py"]:
        assert name in names
    assert {n.split("/")[0] for n in names if "/" in n} == set(SHIPPED)


def test_the_wheel_ships_the_notebooks_the_licence_and_the_version(dist: Path) -> None:
    wheel = _wheel(dist)
    for notebook in (ROOT / "notebooks").glob("*.ipynb"):
        assert wheel.read(f"smsbatch/notebooks/{notebook.name}") == notebook.read_bytes()
    info = f"smsbatch-{smsbatch.__version__}.dist-info"
    assert f"{info}/licenses/LICENSE" in wheel.namelist()
    assert f"\nVersion: {smsbatch.__version__}\n" in wheel.read(f"{info}/METADATA").decode()


def test_an_installed_wheel_finds_its_notebooks(dist: Path, tmp_path: Path) -> None:
    _wheel(dist).extractall(tmp_path)
    code = "from smsbatch.samples import notebook_paths; print([str(p) for p in notebook_paths()])"
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    notebooks = tmp_path / "smsbatch" / "notebooks"
    assert done.stdout.strip() == str(
        [str(notebooks / n) for n in ("panel.ipynb", "quickstart.ipynb")]
    )


def test_ci_tests_every_runtime_dependency_at_its_floor() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    declared = [*project["dependencies"], *extras["notebook"], *extras["polars"]]
    floors = {name.lower(): Version(v) for name, v in (d.split(">=") for d in declared)}
    lines = (ROOT / ".ci" / "lowest-constraints.txt").read_text(encoding="utf-8").splitlines()
    pins = (line.split("==") for line in lines if line and not line.startswith("#"))
    pinned = {name: Version(version) for name, version in pins}
    assert pinned == floors
