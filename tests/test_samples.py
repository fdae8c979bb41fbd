"""The sample files ship inside the package and stay identical to sample_data/."""

from __future__ import annotations

from pathlib import Path

import pytest

from smsbatch import RecipientsFileError, read_recipients
from smsbatch.samples import SAMPLE_TO, notebook_paths, sample_path

REPO_SAMPLES = Path(__file__).parent.parent / "sample_data"


@pytest.mark.parametrize("name", ["recipients.csv", "recipients.xlsx", "optouts.csv"])
def test_shipped_sample_is_the_repository_sample(name: str) -> None:
    assert sample_path(name).read_bytes() == (REPO_SAMPLES / name).read_bytes()


def test_sample_path_works_from_any_directory(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    recipients = read_recipients(sample_path())
    assert len(recipients) == 25
    assert recipients.loc[0, SAMPLE_TO] == "0612345601"


def test_unknown_sample_names_the_available_ones() -> None:
    with pytest.raises(RecipientsFileError, match="optouts.csv"):
        sample_path("klanten.csv")


def test_the_notebooks_are_found_in_a_checkout() -> None:
    # In a wheel they are smsbatch/notebooks/: see test_distribution.
    assert notebook_paths() == sorted((REPO_SAMPLES.parent / "notebooks").glob("*.ipynb"))
