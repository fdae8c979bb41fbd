"""The journal's file as the operating system keeps it: created readable by its owner only,
locked for one campaign at a time, written in place, and checked to still be the file at its
path.

``journal`` says what goes into the file (the records, their meaning); ``_journal_format``
how each record is encoded; this module only handles the file descriptor, and turns what the
operating system refuses into a ``JournalError`` that says what to do next.
"""

from __future__ import annotations

import errno
import logging
import mmap
import os
import sys

from smsbatch.exceptions import JournalError

__all__ = [
    "CountField",
    "check_still_here",
    "close",
    "identity",
    "in_use",
    "lock",
    "open_file",
    "write_at",
    "write_problem",
]

# Logged as the journal, whose internals these are (as the simulator does for its own).
logger = logging.getLogger("smsbatch.sending.journal")

Identity = tuple[int, int]


def open_file(path: str) -> tuple[int, bool]:
    """Open the journal file, creating it (owner-only) if there is none; (fd, created)."""
    flags = os.O_RDWR | getattr(os, "O_BINARY", 0)
    try:
        return os.open(path, flags | os.O_CREAT | os.O_EXCL, 0o600), True
    except FileExistsError:
        pass
    except OSError as err:
        raise JournalError(f"cannot create the journal {path!r}: {_reason(err)}") from err
    try:
        return os.open(path, flags), False
    except OSError as err:
        raise JournalError(f"cannot open the journal {path!r}: {_reason(err)}") from err


def lock(fd: int, path: str) -> None:
    """Hold the file for this campaign; another campaign holding it raises ``JournalError``."""
    try:
        if sys.platform == "win32":
            import msvcrt

            # A byte far beyond the end: locked regions cannot be read on Windows.
            os.lseek(fd, 1 << 40, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as err:
        raise JournalError(
            f"the journal {path!r} is in use by another campaign; wait for it to finish or use "
            "another journal file"
        ) from err


def in_use(path: str) -> bool:
    """Whether a campaign holds the journal at ``path`` now (its lock dies with its process)."""
    try:
        fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    except OSError:
        return False
    try:
        lock(fd, path)
    except JournalError:
        return True
    finally:
        os.close(fd)  # and with it the lock, if this took it
    return False


def identity(fd: int) -> Identity:
    """What tells this file from another one put at its path later."""
    stat = os.fstat(fd)
    return stat.st_dev, stat.st_ino


def check_still_here(path: str, opened: Identity, size: int) -> None:
    """Raise ``JournalError`` unless the file at ``path`` is still the one ``opened``, with the
    ``size`` this campaign's appends gave it (a copy over it in place keeps the file itself)."""
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        raise JournalError(
            f"the journal {path!r} was deleted or moved away during the campaign, so "
            "the campaign stopped before the next message left. Put it back at that path "
            "before resuming; without it a resume would send the messages already sent "
            "again: then send only the rows whose sms_status is 'not_sent'"
        ) from None
    except OSError as err:
        raise JournalError(f"the journal {path!r} cannot be checked: {err}") from err
    if (stat.st_dev, stat.st_ino) != opened:
        raise JournalError(
            f"the journal {path!r} was replaced by another file during the campaign, "
            "so the campaign stopped before the next message left. Put the original journal "
            "back at that path before resuming"
        )
    if stat.st_size != size:
        raise JournalError(
            f"the journal {path!r} was overwritten or cut short by another program during the "
            f"campaign ({stat.st_size:,} bytes where this campaign had written {size:,}), so "
            "the campaign stopped before the next message left. What it recorded may be lost: "
            "restore it from a copy if you have one; else keep this run's result and send only "
            "the rows whose sms_status is 'not_sent'"
        )


def write_at(fd: int, data: bytes, offset: int, end: int) -> None:
    """Overwrite ``data`` at ``offset``; the next append still goes to ``end``."""
    if hasattr(os, "pwrite"):
        os.pwrite(fd, data, offset)
    else:  # Windows: the position is moved back to the end for the next append
        os.lseek(fd, offset, os.SEEK_SET)
        os.write(fd, data)
        os.lseek(fd, end, os.SEEK_SET)


class CountField:
    """The fixed-width counters in the file's header (``_journal_format.counters``),
    rewritten after every append.

    Where the platform allows, through a shared memory map of the header: the operating system
    holds the bytes at once, as with a write (so a ``kill -9`` keeps them), without a system call
    per record (which was about a tenth of the sender's CPU per message). Elsewhere (Windows,
    a file system without maps), with ``write_at``.
    """

    def __init__(self, fd: int, offset: int, width: int) -> None:
        self._fd, self._offset, self._width = fd, offset, width
        self._map: mmap.mmap | None = None
        if sys.platform != "win32":  # a mapped file cannot be truncated there
            try:
                self._map = mmap.mmap(fd, offset + width)
            except (OSError, ValueError):
                self._map = None

    def write(self, field: bytes, end: int) -> None:
        """Set the counters (``field``, of the width given); the next append still goes to
        ``end``."""
        if self._map is not None:
            self._map[self._offset : self._offset + self._width] = field
        else:
            write_at(self._fd, field, self._offset, end)

    def close(self) -> None:
        """Hand what was set to the file (before its fsync) and unmap it."""
        if self._map is not None:
            self._map.flush()
            self._map.close()
            self._map = None


def close(fd: int, path: str) -> None:
    """Flush the file to disk and close it; a failed flush is only a warning."""
    try:
        os.fsync(fd)
    except OSError as err:  # the records are written; only their durability is unsure
        logger.warning("%s: could not flush the journal to disk: %s", path, err)
    os.close(fd)


def write_problem(path: str, err: OSError) -> str:
    """Why the journal stopped accepting records, and what to do."""
    if err.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        problem = "disk full"
    else:
        problem = f"it cannot be written ({_reason(err)})"
    return (
        f"the journal {path!r} stopped accepting records: {problem}, so the campaign stopped "
        "before the next message left. Fix that, then resume with the same journal"
    )


def _reason(err: OSError) -> str:
    return err.strerror or str(err)
