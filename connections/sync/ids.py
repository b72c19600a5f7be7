"""Upload ids for one pull, made without a system call each.

``ULID()`` reads ``os.urandom`` and takes a process-wide lock for every id; with thousands
of small objects and dozens of download threads that shows. A pull draws one ULID when it
starts and numbers its uploads from there: the ids stay valid ULIDs, unique, and sorted in
the order the pull made them.
"""

from __future__ import annotations

import itertools

from ulid import ULID

from core.ids import Prefix

__all__ = ["IdSequence"]


class IdSequence:
    """``inv_…`` ids counting up from a fresh ULID.

    Counting up from a random point of the 80 random bits carries into the timestamp only
    if that point lies within a few million of the top: a chance of about 2**-58.
    """

    def __init__(self, prefix: Prefix = "inv") -> None:
        self._base = int(ULID())
        self._prefix = prefix
        self._counter = itertools.count(1)

    def next(self) -> str:
        """The next id."""
        return f"{self._prefix}_{ULID.from_int(self._base + next(self._counter))}"
