"""The look-back window: which listed objects are new, remembered in ``seen_objects``.

A plain "newer than the last pull" filter silently skips an object that becomes visible
late with an older LastModified (airbytehq/airbyte#5365): an upload that took long to
complete, a replicated bucket, a clock that lags. So a pull takes every object

* modified after ``since - lookback`` (``since`` is the newest LastModified the source's
  last complete pull listed; the window reaches back from there), and
* not seen before with the same ETag.

Seen ``(key, etag)`` pairs are kept only while inside the window: older objects are never
candidates again, so their rows are pruned. Memory and the seen table are bounded by the
number of objects modified within one window, not by the size of the bucket.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Insert, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from connections.db.models import SeenObject
from connections.db.types import utcnow
from connectors.results import FileInfo

__all__ = [
    "LookBack",
    "insert_ignoring_duplicates",
    "load_seen",
    "prune_seen",
    "remember",
]


def insert_ignoring_duplicates(db: AsyncSession, model: Any, unique: Sequence[str]) -> Insert:
    """``INSERT … ON CONFLICT (unique) DO NOTHING`` for the session's database."""
    dialect = db.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model).on_conflict_do_nothing(index_elements=list(unique))
    if dialect == "sqlite":
        return sqlite.insert(model).on_conflict_do_nothing(index_elements=list(unique))
    raise NotImplementedError(f"pulls do not support the {dialect} dialect")


async def remember(
    db: AsyncSession, source_id: str, objects: Iterable[tuple[str, str, datetime | None]]
) -> None:
    """Record ``(key, etag, last_modified)`` as seen (already seen ones stay as they are)."""
    now = utcnow()
    rows = [
        {"source_id": source_id, "key": k, "etag": e, "last_modified": m, "seen_at": now}
        for k, e, m in objects
    ]
    if rows:
        table = SeenObject.__table__
        await db.execute(insert_ignoring_duplicates(db, table, ["source_id", "key", "etag"]), rows)


async def load_seen(
    db: AsyncSession, source_id: str, start: datetime | None
) -> set[tuple[str, str]]:
    """The ``(key, etag)`` pairs seen in the window starting at ``start`` (None: all)."""
    query = select(SeenObject.key, SeenObject.etag).where(SeenObject.source_id == source_id)
    if start is not None:
        query = query.where(SeenObject.last_modified >= start)
    return {(k, e) for k, e in (await db.execute(query)).all()}


async def prune_seen(db: AsyncSession, source_id: str, start: datetime) -> int:
    """Forget what was modified before the window's ``start``; return how many rows went."""
    result = await db.execute(
        delete(SeenObject).where(
            SeenObject.source_id == source_id, SeenObject.last_modified < start
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


class LookBack:
    """Decides, object by object, what a pull takes.

    Args:
        since: The newest LastModified of the last complete pull (None: never pulled).
        lookback: The window's length.
        seen: ``(key, etag)`` pairs already taken or deliberately passed over.
    """

    def __init__(
        self, since: datetime | None, lookback: timedelta, seen: set[tuple[str, str]]
    ) -> None:
        self.start = None if since is None else since - lookback
        self._seen = seen
        self.newest = since

    def is_new(self, file: FileInfo) -> bool:
        """Whether to take ``file``; every listed file should pass through here once."""
        if self.newest is None or file.last_modified > self.newest:
            self.newest = file.last_modified
        if self.start is not None and file.last_modified < self.start:
            return False
        return (file.key, file.etag) not in self._seen
