"""Where the CLI writes results: a file name that is free, checked before anything is sent,
and a write that never overwrites a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from smsbatch.exceptions import ResultsFileError, ResultsFileExistsError
from smsbatch.spreadsheets import CSV_SUFFIXES, EXCEL_SUFFIXES, write_results

__all__ = ["check_results_path", "free_path", "write_free"]


def check_results_path(path: Path) -> None:
    """Refuse a results file that could not be written, before anything is sent."""
    if path.suffix.lower() not in CSV_SUFFIXES | EXCEL_SUFFIXES:
        raise ResultsFileError(f"{path}: results must be .xlsx or .csv", path=path)
    if not path.resolve().parent.is_dir():
        raise ResultsFileError(f"{path}: the folder {path.parent} does not exist", path=path)


def free_path(path: Path) -> Path:
    """Return ``path``, or ``stem-2.ext``, ``stem-3.ext``... whichever does not exist yet."""
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate


def write_free(result: pd.DataFrame, path: Path, **summary: Any) -> Path:
    """Write results to ``path`` or a free name next to it; never overwrite a file.

    ``summary`` (``sender``, ``journal``, ``tz``) goes to :func:`write_results`."""
    while True:
        try:
            return write_results(result, free_path(path), **summary)
        except ResultsFileExistsError:
            continue  # another process took the name between the check and the write
