"""Building catalog streams cheaply from catalog query rows.

A database with 10,000 tables of 20 columns yields 200,000 column rows. Columns are frozen
value objects and databases repeat the same few (``id integer not null``, ``updated_at
timestamp``) across tables, so each distinct column is built once and shared, and judged
once as a cursor candidate.
"""

from __future__ import annotations

from collections.abc import Iterable

from connectors.results import Column, ColumnType, Stream
from connectors.sql.cursors import cursor_rank
from connectors.sql.session import TableRef

__all__ = ["StreamBuilder"]


class StreamBuilder:
    """Builds :class:`Stream` objects, sharing identical :class:`Column` objects."""

    def __init__(self) -> None:
        self._columns: dict[tuple[str, ColumnType, bool], Column] = {}
        # The cursor rank of each shared column, by identity (the objects live as long).
        self._ranks: dict[int, int | None] = {}

    def column(self, name: str, type_: ColumnType, *, nullable: bool) -> Column:
        """The column ``name`` of ``type_``, built once per distinct triple."""
        key = (name, type_, nullable)
        column = self._columns.get(key)
        if column is None:
            column = Column(name=name, type=type_, nullable=nullable)
            self._columns[key] = column
            self._ranks[id(column)] = cursor_rank(name, type_)
        return column

    def stream(
        self,
        table: TableRef,
        columns: Iterable[Column],
        *,
        primary_key: tuple[str, ...] = (),
        increasing: Iterable[str] = (),
        record_estimate: int | None = None,
        size_bytes: int | None = None,
        description: str | None = None,
    ) -> Stream:
        """One stream; cursor candidates are ranked from the columns, best first.

        Args:
            table: The table or view.
            columns: Its columns in order, built by :meth:`column`.
            primary_key: Primary-key columns in key order.
            increasing: Identity / auto-increment columns.
            record_estimate: The server's row estimate, if it has one.
            size_bytes: The server's size estimate, if it has one.
            description: What it is ("table", "view"...).
        """
        cols = tuple(columns)
        grows = set(increasing)
        if len(primary_key) == 1:
            # A single-column integer key is almost always a sequence.
            grows.add(primary_key[0])
        ranks = self._ranks
        ranked = [
            (rank, i, c.name) for i, c in enumerate(cols) if (rank := ranks.get(id(c))) is not None
        ]
        for i, c in enumerate(cols):
            if c.name in grows and ranks.get(id(c)) is None:
                rank = cursor_rank(c.name, c.type, increasing=True)
                if rank is not None:
                    ranked.append((rank, i, c.name))
        ranked.sort()
        # The parts were built from validated values; validating 10,000 streams again
        # would be a large share of discovery's time.
        return Stream.model_construct(
            name=table.stream,
            columns=cols,
            primary_key=primary_key,
            cursor_candidates=tuple(name for _, _, name in ranked),
            size_bytes=size_bytes,
            record_estimate=record_estimate,
            file_count=None,
            description=description,
        )
