"""Reading a table in batches: full refresh or incremental by cursor, with checkpoints.

A stream with a cursor column is read in cursor order, from just after the saved value::

    SELECT * FROM t WHERE cursor > :saved ORDER BY cursor

Checkpoints are only taken where the cursor value changes, so rows sharing a value are
never split across a checkpoint: resuming with ``>`` then loses nothing and repeats
nothing. Rows whose cursor is NULL are read by the first read only (they cannot be placed
after any saved value). A stream without a cursor column is read whole each time.

Rows come from a server-side cursor a batch at a time (the first batches small, so a
preview that stops early costs little), so memory stays bounded whatever the table's size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

import structlog

from connectors.base import ReadMessage
from connectors.errors import InvalidConfigError
from connectors.results import RecordMessage, StateMessage
from connectors.sql.session import DatabaseSession, RowCursor, TableRef
from connectors.sql.state import StreamState
from connectors.sql.values import record_maker

__all__ = ["ReadSettings", "read_stream", "resolve_column", "select_sql"]

log = structlog.get_logger(__name__)

# The first fetch is small and later ones grow tenfold up to ``batch_rows``: a consumer
# that stops after a few rows (a preview through ``read``) has fetched little.
_FIRST_BATCH = 100
_RAMP = 10


@dataclass(frozen=True, slots=True)
class ReadSettings:
    """How a read fetches and checkpoints.

    Attributes:
        batch_rows: Rows fetched per round trip from the server-side cursor.
        checkpoint_rows: A checkpoint after at least this many rows (at the next change
            of cursor value), and always at the end of a stream.
    """

    batch_rows: int = 5000
    checkpoint_rows: int = 10_000


def resolve_column(wanted: str, columns: list[str], stream: str) -> str:
    """The table's own spelling of the cursor column ``wanted``.

    An exact match wins; otherwise a case-insensitive one (Snowflake keeps unquoted names
    in upper case, people type them in lower case).

    Raises:
        InvalidConfigError: No such column, naming a few that exist.
    """
    if wanted in columns:
        return wanted
    folded = [c for c in columns if c.casefold() == wanted.casefold()]
    if len(folded) == 1:
        return folded[0]
    shown = ", ".join(columns[:8]) + (", ..." if len(columns) > 8 else "")
    raise InvalidConfigError(
        f"The stream {stream} has no column {wanted!r} to use as its cursor; its columns "
        f"are {shown}.",
        field="cursor_fields",
    )


def select_sql(
    session: DatabaseSession, table: TableRef, cursor: str | None, *, after: bool
) -> str:
    """The read query: everything, or in cursor order after a saved value (``%s``).

    With a parameter, the drivers treat ``%`` as a placeholder mark, so a ``%`` inside a
    name is doubled.
    """
    source = session.table_sql(table)
    quoted = session.quote(cursor) if cursor is not None else ""
    if after:
        source, quoted = source.replace("%", "%%"), quoted.replace("%", "%%")
    sql = f"SELECT * FROM {source}"  # noqa: S608 - quoted identifiers
    if cursor is None:
        return sql
    if after:
        sql += f" WHERE {quoted} > %s"
    return f"{sql} ORDER BY {quoted}"


def read_stream(
    session: DatabaseSession,
    table: TableRef,
    *,
    cursor_field: str | None,
    saved: StreamState,
    states: MutableMapping[str, Any],
    settings: ReadSettings,
) -> Iterator[ReadMessage]:
    """Yield one stream's records and checkpoints; ``states`` is updated as it goes.

    Args:
        session: An open connection.
        table: The table or view to read.
        cursor_field: The chosen cursor column (as configured), or ``None`` for a full
            refresh.
        saved: The stream's state from the last read. A different cursor column than
            the saved one starts the stream over.
        states: Every stream's state (JSON form), by stream name; each checkpoint
            updates this stream's entry and yields a copy of the whole.
        settings: Batch and checkpoint sizes.

    Raises:
        ConnectorError: Classified: a missing table, an unknown cursor column, a lost
            connection.
    """
    stream = table.stream
    with session.translated(table):
        columns = session.column_names(table)
    cursor = resolve_column(cursor_field, columns, stream) if cursor_field else None
    start = saved if cursor is not None and saved.cursor_field == cursor else None
    if start is None:
        if cursor is not None and saved.cursor_field is not None:
            log.info("sql_cursor_changed", stream=stream, cursor_field=cursor)
        start = StreamState(cursor_field=cursor)
    after = start.cursor is not None
    sql = select_sql(session, table, cursor, after=after)
    with (
        session.translated(table),
        session.stream_rows(
            sql, (start.cursor,) if after else (), batch_rows=settings.batch_rows
        ) as rows,
    ):
        names = [str(d[0]) for d in rows.description or ()]
        emitter = _Emitter(
            stream=stream,
            position=names.index(cursor) if cursor is not None else -1,
            start=start,
            states=states,
            settings=settings,
        )
        yield from emitter.emit(rows, record_maker(names))


@dataclass
class _Emitter:
    """Turns one stream's rows into records and checkpoints (see the module docstring)."""

    stream: str
    position: int  # of the cursor column in a row; -1 for a full refresh
    start: StreamState
    states: MutableMapping[str, Any]
    settings: ReadSettings

    def emit(
        self, rows: RowCursor, make: Callable[[Sequence[Any]], dict[str, Any]]
    ) -> Iterator[ReadMessage]:
        position, stream, every = self.position, self.stream, self.settings.checkpoint_rows
        last = self.start.cursor
        since_checkpoint = 0
        size = _FIRST_BATCH
        while batch := rows.fetchmany(size):
            size = min(size * _RAMP, self.settings.batch_rows)
            for row in batch:
                if position >= 0:
                    value = row[position]
                    if value is not None and value != last:
                        if since_checkpoint >= every:
                            # Every row up to ``last`` was yielded: a safe place to resume.
                            yield self._checkpoint(last)
                            since_checkpoint = 0
                        last = value
                yield RecordMessage.model_construct(stream=stream, data=make(row))
                since_checkpoint += 1
            if position < 0 and since_checkpoint >= every:
                # A full refresh cannot resume part-way; this checkpoint marks progress.
                yield self._checkpoint(None)
                since_checkpoint = 0
        yield self._checkpoint(last)

    def _checkpoint(self, value: object) -> StateMessage:
        state = StreamState(cursor_field=self.start.cursor_field, cursor=value)
        self.states[self.stream] = state.to_json()
        copied = {
            name: dict(entry) if isinstance(entry, Mapping) else entry
            for name, entry in self.states.items()
        }
        return StateMessage(state={"streams": copied})
