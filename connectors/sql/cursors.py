"""Which columns could serve as an incremental cursor, best first.

A good cursor grows whenever a row is written. Best is a timestamp that every update
touches (``updated_at``, ``modified_on``); next one set on insert (``created_at``), which
catches new rows but not changed ones; then an increasing integer (an identity or
auto-increment column, or an integer primary key); last any other timestamp. Names are
judged once each and cached: discovery ranks every column of every table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from connectors.results import ColumnType

__all__ = ["CursorFacts", "cursor_candidates", "cursor_rank"]

# Matched against snake_case words: ``updatedAt`` and ``UPDATED_AT`` are ``updated_at``.
_UPDATED = re.compile(
    r"(^|_)(updated?|modified|modif|changed?|edited|synced|refreshed|mtime|upd|mod)(_|$)"
)
_CREATED = re.compile(
    r"(^|_)(created?|inserted|added|ingested|loaded|recorded|logged|ctime|creation)(_|$)"
)
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_COUNTER = re.compile(r"^(id|seq|sequence|row_?id|version|row_?version|serial|lsn)$")

_RANK_UPDATED = 0
_RANK_CREATED = 1
_RANK_COUNTER = 2
_RANK_TIMESTAMP = 3


@dataclass(frozen=True, slots=True)
class CursorFacts:
    """What discovery knows about a column that matters for choosing a cursor.

    Attributes:
        name: The column name.
        type: Its catalog type.
        increasing: An identity / auto-increment column or the table's single-column
            integer primary key: values only grow.
    """

    name: str
    type: ColumnType
    increasing: bool = False


@lru_cache(maxsize=8192)
def _timestamp_rank(name: str) -> int:
    words = _CAMEL_BOUNDARY.sub("_", name).lower()
    if _UPDATED.search(words):
        return _RANK_UPDATED
    if _CREATED.search(words):
        return _RANK_CREATED
    return _RANK_TIMESTAMP


@lru_cache(maxsize=8192)
def _is_counter_name(name: str) -> bool:
    return bool(_COUNTER.match(_CAMEL_BOUNDARY.sub("_", name).lower()))


def cursor_rank(name: str, type_: ColumnType, *, increasing: bool = False) -> int | None:
    """How good a cursor the column would be (lower is better), or ``None`` if unfit."""
    if type_ == "timestamp":
        return _timestamp_rank(name)
    if type_ == "integer" and (increasing or _is_counter_name(name)):
        return _RANK_COUNTER
    return None


def cursor_candidates(columns: Iterable[CursorFacts]) -> tuple[str, ...]:
    """The columns that could be cursors, best first; ties keep the table's column order.

    Args:
        columns: The table's columns in their order.

    Returns:
        Column names: update timestamps, insert timestamps, increasing integers, then
        other timestamps.
    """
    ranked = [
        (rank, i, c.name)
        for i, c in enumerate(columns)
        if (rank := cursor_rank(c.name, c.type, increasing=c.increasing)) is not None
    ]
    ranked.sort()
    return tuple(name for _, _, name in ranked)
