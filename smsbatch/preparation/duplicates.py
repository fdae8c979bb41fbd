"""Duplicates: a later row with the same number and the same message as an earlier one."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["mark_duplicates"]


def mark_duplicates(
    index: pd.Index, digits: np.ndarray, body: np.ndarray, status: np.ndarray, error: np.ndarray
) -> None:
    """Mark later ready rows with the same number and message as an earlier one, in place."""
    ready = np.flatnonzero(status == "ready")
    # Hashing the numbers first leaves only the few rows that share one to compare texts.
    shared = pd.Series(digits[ready], dtype=object).duplicated(keep=False).to_numpy()
    if not shared.any():
        return
    rows = ready[shared]
    pairs = pd.DataFrame({"to": digits[rows], "text": body[rows]}, dtype=object)
    group = pairs.groupby(["to", "text"], sort=False).ngroup().to_numpy()
    _, first = np.unique(group, return_index=True)
    first_of = first[group]
    later = first_of != np.arange(len(rows))
    status[rows[later]] = "duplicate"
    originals = index[rows[first_of[later]]]
    error[rows[later]] = [f"same number and message as row {label}" for label in originals]
