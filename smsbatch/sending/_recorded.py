"""What a journal says about each message of a campaign, read as columns.

A resume of a finished campaign of a million messages reads two million records. They are
matched to the campaign's messages with numpy and one pandas hash index, chunk by chunk as the
journal checks its file, so no Python object is made per record: only the distinct answers and
errors (usually a handful) become strings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from smsbatch.sending import _journal_format as fmt

__all__ = ["Recorded", "occurrences"]

# Folds the occurrence into a 64-bit half of the key for the hash index; every match is then
# checked against the whole key and occurrence.
_MIX = np.uint64(0x9E3779B97F4A7C15)


def occurrences(digests: np.ndarray) -> np.ndarray:
    """How many times each message came before in the campaign (0 unless ``dedupe=False``)."""
    count = np.zeros(len(digests), dtype=np.int64)
    if pd.Index(digests[:, 0]).is_unique:
        return count
    seen: dict[bytes, int] = {}
    for row, digest in enumerate(digests):
        key = digest.tobytes()
        count[row] = seen.get(key, 0)
        seen[key] = count[row] + 1
    return count


class Recorded:
    """The latest record of each message of a campaign, filled by the journal as it reads.

    Attributes
    ----------
    event : ndarray of uint8
        The latest record's event (``b``, ``a``, ``n``, ``u``; 0: the journal never saw it).
    sent_at : ndarray of float
        When its latest attempt left (seconds; NaN: never).
    note : ndarray of int64
        The latest record's answer or error, as an index for :meth:`answer` or :meth:`error`.
    """

    def __init__(self, digests: np.ndarray, occurrence: np.ndarray) -> None:
        n = len(digests)
        self.digests, self.occurrence = digests, occurrence
        self.event = np.zeros(n, dtype=np.uint8)
        self.sent_at = np.full(n, np.nan)
        self.note = np.full(n, -1, dtype=np.int64)
        self._notes: dict[bytes, int] = {}
        self._by_id: dict[int, str] | None = None
        index = pd.Index(_ident(digests, occurrence))
        self._index: pd.Index | None = index if index.is_unique else None
        self._exact: dict[tuple[bytes, int], int] = {}
        if self._index is None:  # a 64-bit clash: match on the whole key, in Python
            self._exact = {
                (digest.tobytes(), int(occ)): row
                for row, (digest, occ) in enumerate(zip(digests, occurrence, strict=True))
            }

    def __call__(self, chunk: fmt.Chunk) -> None:
        positions = self._positions(chunk)
        rows = np.flatnonzero(positions >= 0)
        if not len(rows):
            return
        positions = positions[rows]
        last, where = _last(rows, positions)
        self.event[where] = chunk.event[last]
        begins = chunk.event[rows] == fmt.BEGIN[0]
        began, began_where = _last(rows[begins], positions[begins])
        self.sent_at[began_where] = chunk.at(began) / 1e6
        ended = chunk.event[last] != fmt.BEGIN[0]  # an answer or an error: its tail says which
        self.note[where[ended]] = chunk.tail_ids(last[ended], self._notes)
        self.note[where[~ended]] = -1  # attempted again: an earlier chunk's answer is past

    @property
    def code(self) -> np.ndarray:
        """The gateway's code where the latest record is an answer (else 0), read once per
        distinct answer (``+000200<TAB>text<TAB>destination``; an error holds no raw tab)."""
        by_note = np.zeros(len(self._notes) + 1, dtype=np.int64)  # the last: no note (-1)
        for raw, note in self._notes.items():
            if raw[fmt.CODE_WIDTH : fmt.CODE_WIDTH + 1] == b"\t":
                by_note[note] = int(raw[: fmt.CODE_WIDTH])
        code: np.ndarray = np.where(self.event == fmt.ANSWERED[0], by_note[self.note], 0)
        return code

    def _positions(self, chunk: fmt.Chunk) -> np.ndarray:
        """Each record's row in ``digests`` (-1: not a message of this campaign)."""
        key, occurrence = chunk.key, chunk.occurrence
        if not len(self.digests):  # a campaign with nothing to send
            return np.full(len(key), -1, dtype=np.int64)
        if self._index is None:
            return np.array(
                [
                    self._exact.get((k.tobytes(), int(occ)), -1)
                    for k, occ in zip(key, occurrence, strict=True)
                ],
                dtype=np.int64,
            )
        # A record of the same message as the one before it (an answer after its attempt)
        # shares its row: only the others are looked for.
        head = np.ones(len(key), dtype=bool)
        head[1:] = (key[1:] != key[:-1]).any(axis=1) | (occurrence[1:] != occurrence[:-1])
        heads = np.flatnonzero(head)
        key, occurrence = key[heads], occurrence[heads]
        # A campaign sends its messages in order: each is first guessed to follow the one
        # before it, checked against its whole key; only what the guess misses is looked up.
        guess: np.ndarray = self._lookup(key[:1], occurrence[:1])[0] + np.arange(len(key))
        found = self._matches(guess, key, occurrence)
        missed = np.flatnonzero(~found)
        guess[missed] = self._lookup(key[missed], occurrence[missed])
        positions: np.ndarray = guess[np.cumsum(head) - 1]
        return positions

    def _lookup(self, key: np.ndarray, occurrence: np.ndarray) -> np.ndarray:
        assert self._index is not None
        positions = self._index.get_indexer(pd.Index(_ident(key, occurrence)))
        positions[~self._matches(positions, key, occurrence)] = -1
        return positions

    def _matches(self, rows: np.ndarray, key: np.ndarray, occurrence: np.ndarray) -> np.ndarray:
        """Which ``rows`` hold the message of ``key`` and ``occurrence`` (whole keys compared)."""
        valid = (rows >= 0) & (rows < len(self.digests))
        mine = np.where(valid, rows, 0)
        valid &= self.digests[mine, 1] == key[:, 1]
        valid &= self.occurrence[mine] == occurrence
        valid &= self.digests[mine, 0] == key[:, 0]
        return valid

    def release(self) -> None:
        """Drop what matching records needs (the hash index: tens of MiB at a million
        messages) once the journal is read; what it found stays."""
        self._index, self._exact = None, {}

    def answer(self, note: int) -> tuple[str, str]:
        """The gateway's text and destination (``=``: the number sent to) of an answer."""
        _, text, destination = self._decoded(note).split("\t")
        return fmt.unescape(text), fmt.unescape(destination)

    def error(self, note: int) -> str:
        """Why no answer was read, for a ``n`` or ``u`` record."""
        return fmt.unescape(self._decoded(note))

    def _decoded(self, note: int) -> str:
        if self._by_id is None or len(self._by_id) != len(self._notes):
            self._by_id = {value: raw.decode("utf-8") for raw, value in self._notes.items()}
        return self._by_id[note]


def _ident(digests: np.ndarray, occurrence: np.ndarray) -> np.ndarray:
    ident: np.ndarray = digests[:, 0] ^ (occurrence.astype(np.uint64) * _MIX)
    return ident


def _last(rows: np.ndarray, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The last of ``rows`` for each distinct position, and those positions."""
    if len(positions) > 1 and bool((positions[1:] >= positions[:-1]).all()):
        # In campaign order (nearly always): the last of each run of equal positions.
        end = np.append(positions[1:] != positions[:-1], True)
        return rows[end], positions[end]
    where, first_from_end = np.unique(positions[::-1], return_index=True)
    return rows[::-1][first_from_end], where
