"""The incremental cursor of the S3 source: which objects of each stream were read.

State passed to and from ``read`` has one cursor per stream::

    {"streams": {"orders": {"last_modified": ..., "seen": {...}, "lookback_seconds": 3600}}}

so a stream selected later still gets its older files. What is new is decided by the rule
pulls use too, :class:`connectors.files.LookBack`; a cursor only keeps its inputs in the
state. During a read each requested stream's cursor is a mutable :class:`CursorTracker`
(O(1) amortised per file); an immutable :class:`S3Cursor` is made only when a checkpoint is
due (:class:`CheckpointCadence`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from connectors.errors import InvalidConfigError
from connectors.files import LookBack
from connectors.results import FileInfo

__all__ = [
    "CheckpointCadence",
    "CursorTracker",
    "S3Cursor",
    "SeenObject",
    "cursors_from_state",
]


class SeenObject(BaseModel):
    """An object the cursor remembers inside its look-back window."""

    model_config = ConfigDict(frozen=True)

    etag: str
    last_modified: datetime


class S3Cursor(BaseModel):
    """Which objects were already read: a LastModified high-water mark plus recent keys.

    A plain "newer than the cursor" filter misses objects that become visible late with an
    older LastModified (airbytehq/airbyte#5365), so the keys and ETags seen within a
    look-back window are remembered too (:class:`~connectors.files.LookBack`), and an
    object in the window that was not seen is still read once. The memory is bounded by
    the window.
    """

    model_config = ConfigDict(frozen=True)

    last_modified: datetime | None = None
    seen: dict[str, SeenObject] = Field(default_factory=dict)
    lookback_seconds: int = 3600

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> S3Cursor:
        """Restore from one stream's entry of the read state (empty: from the beginning)."""
        return cls.model_validate(dict(state))

    def to_state(self) -> dict[str, Any]:
        """The stream's entry in the read state."""
        return self.model_dump(mode="json")

    def is_new(self, file: FileInfo) -> bool:
        """Whether ``file`` still has to be read."""
        return _is_new(self.last_modified, self.seen, self.lookback_seconds, file)

    def new_files(self, files: Iterable[FileInfo]) -> list[FileInfo]:
        """The files still to read, oldest first (the order that keeps the cursor honest)."""
        return sorted((f for f in files if self.is_new(f)), key=lambda f: (f.last_modified, f.key))

    def advance(self, file: FileInfo) -> S3Cursor:
        """The cursor after ``file`` was read completely.

        This copies the cursor; a read advances a :class:`CursorTracker` instead.
        """
        tracker = CursorTracker(self)
        tracker.advance(file)
        return tracker.snapshot()


def _is_new(
    high: datetime | None, seen: Mapping[str, SeenObject], lookback_seconds: int, file: FileInfo
) -> bool:
    lookback = timedelta(seconds=lookback_seconds)
    return LookBack(high, lookback, _InWindow(seen, high, lookback)).is_new(file)


class _InWindow:
    """The ``(key, etag)`` versions a cursor remembers inside its window, as a container.

    An entry older than the window counts as forgotten, pruned yet or not.
    """

    __slots__ = ("_seen", "_start")

    def __init__(
        self, seen: Mapping[str, SeenObject], high: datetime | None, lookback: timedelta
    ) -> None:
        self._seen = seen
        self._start = None if high is None else high - lookback

    def __contains__(self, item: object) -> bool:
        if not isinstance(item, tuple) or len(item) != 2:
            return False
        key, etag = item
        known = self._seen.get(key)
        if known is None or known.etag != etag:
            return False
        return self._start is None or known.last_modified >= self._start


class CursorTracker:
    """One stream's cursor during a read: cheap to advance, snapshotted at checkpoints.

    Advancing records the file in a mutable map; entries that fell out of the look-back
    window are pruned only when the map has doubled since the last pruning (and at each
    snapshot), so advancing costs O(1) amortised instead of a copy of the whole map.
    """

    _MIN_PRUNE_SIZE = 1024

    def __init__(self, cursor: S3Cursor | None = None) -> None:
        cursor = cursor or S3Cursor()
        self._high = cursor.last_modified
        self._seen = dict(cursor.seen)
        self._lookback_seconds = cursor.lookback_seconds
        self._prune_above = max(self._MIN_PRUNE_SIZE, 2 * len(self._seen))
        self._snapshot: S3Cursor | None = cursor

    def is_new(self, file: FileInfo) -> bool:
        """Whether ``file`` still has to be read."""
        return _is_new(self._high, self._seen, self._lookback_seconds, file)

    def advance(self, file: FileInfo) -> None:
        """Record that ``file`` was read completely (or is to be skipped for good)."""
        if self._high is None or file.last_modified > self._high:
            self._high = file.last_modified
        self._seen[file.key] = SeenObject(etag=file.etag, last_modified=file.last_modified)
        self._snapshot = None
        if len(self._seen) > self._prune_above:
            self._prune()

    def snapshot(self) -> S3Cursor:
        """The cursor as it stands, pruned to the window, immutable."""
        if self._snapshot is None:
            self._prune()
            # The values were validated on the way in; a copy is all that is needed.
            self._snapshot = S3Cursor.model_construct(
                last_modified=self._high,
                seen=dict(self._seen),
                lookback_seconds=self._lookback_seconds,
            )
        return self._snapshot

    def _prune(self) -> None:
        if self._high is not None:
            start = self._high - timedelta(seconds=self._lookback_seconds)
            self._seen = {k: v for k, v in self._seen.items() if v.last_modified >= start}
        self._prune_above = max(self._MIN_PRUNE_SIZE, 2 * len(self._seen))


def cursors_from_state(state: Mapping[str, Any]) -> dict[str, S3Cursor]:
    """Each stream's cursor from a read state (``{}`` means nothing read yet).

    Raises:
        InvalidConfigError: The state is not one this connector wrote.
    """
    unreadable = InvalidConfigError(
        "The saved sync state is not one this S3 source wrote; it cannot resume from it.",
        field="state",
    )
    streams = state.get("streams", {})
    if not isinstance(streams, Mapping):
        raise unreadable
    try:
        return {str(name): S3Cursor.from_state(entry) for name, entry in streams.items()}
    except (TypeError, ValidationError):
        raise unreadable from None


class CheckpointCadence:
    """Decides when a read emits a checkpoint: every ``files`` files or ``seconds`` seconds.

    Checkpointing after every file would copy the cursor (up to a window's worth of keys)
    each time, which is quadratic over a long read. A read stopped between checkpoints
    re-reads at most the files since the last one; downstream de-duplicates by key and ETag.
    """

    def __init__(self, *, files: int = 100, seconds: float = 1.0) -> None:
        self._every_files = files
        self._every_seconds = seconds
        self._files = 0
        self._since = time.monotonic()
        self._made = 0

    def file_done(self) -> bool:
        """Count one finished file; return whether a checkpoint is due now."""
        self._files += 1
        now = time.monotonic()
        if self._files >= self._every_files or now - self._since >= self._every_seconds:
            self._files = 0
            self._since = now
            self._made += 1
            return True
        return False

    def due_at_end(self) -> bool:
        """Whether the read's end needs a checkpoint: yes, unless the last file just had one."""
        return self._files > 0 or self._made == 0
