"""The versions a source's pulls already took (``seen_objects``), for the look-back rule.

What is new is decided by :class:`connectors.files.LookBack`: a file modified at or after
the window's start and whose ``(key, etag)`` was not seen. The pull loads the seen pairs of
the window (:func:`load_seen`), the committer records each upload's pair in the same
transaction as its row (:func:`remember`), and the end of a pull forgets the pairs that fell
out of the window (:func:`prune_seen`): the table stays the size of one window, not of the
bucket.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from connections.db.models import SeenObject
from connections.db.types import utcnow

__all__ = [
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
