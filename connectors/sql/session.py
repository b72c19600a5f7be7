"""What a database connector implements: one open connection and its dialect.

The shared connector (:class:`~connectors.sql.connector.SqlConnector`) runs check,
discovery and reads against this small interface; each database supplies a subclass of
:class:`DatabaseSession` that knows its catalog queries, its quoting, its server-side
cursors and its error codes. A session is used from one thread at a time and is blocking:
the connector calls it from worker threads, never from the event loop.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from typing import Any, ClassVar, Protocol

from connectors.errors import ConnectorError, InvalidConfigError
from connectors.results import Stream

__all__ = [
    "DatabaseSession",
    "Purpose",
    "RowCursor",
    "SchemaSurvey",
    "Survey",
    "TableRef",
]

# A name part that needs no quotes in a stream name.
_PLAIN_PART = re.compile(r'^[^."]+$')


class Purpose(Enum):
    """Why a connection is opened; it decides the timeouts it gets."""

    CHECK = "check"
    DISCOVER = "discover"
    READ = "read"


@dataclass(frozen=True, slots=True)
class TableRef:
    """A table or view: its schema (MySQL: its database) and its name, as stored."""

    schema: str
    name: str

    @property
    def stream(self) -> str:
        """The stream name: ``schema.table``; a part holding ``.`` or ``"`` is quoted."""
        return f"{_quote_part(self.schema)}.{_quote_part(self.name)}"

    @classmethod
    def parse(cls, stream: str) -> TableRef:
        """The table a stream name stands for (the inverse of :attr:`stream`).

        Raises:
            InvalidConfigError: Not of the form ``schema.table``.
        """
        parts = _split_stream(stream)
        if len(parts) != 2 or not all(parts):
            raise InvalidConfigError(
                f"A stream name is schema.table; {stream!r} is not.", field="streams"
            )
        return cls(parts[0], parts[1])


def _quote_part(part: str) -> str:
    if _PLAIN_PART.match(part):
        return part
    return '"' + part.replace('"', '""') + '"'


def _split_stream(stream: str) -> list[str]:
    """Split at dots outside double quotes; ``""`` inside quotes is one quote."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    i = 0
    while i < len(stream):
        char = stream[i]
        if quoted:
            if char == '"' and stream[i + 1 : i + 2] == '"':
                current.append('"')
                i += 1
            elif char == '"':
                quoted = False
            else:
                current.append(char)
        elif char == '"':
            quoted = True
        elif char == ".":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    parts.append("".join(current))
    return parts


@dataclass(frozen=True, slots=True)
class SchemaSurvey:
    """How many tables and views a schema has, and how many the user may read."""

    name: str
    tables: int
    readable: int


@dataclass(frozen=True, slots=True)
class Survey:
    """What the check's query step learned about the database.

    Attributes:
        server: The server product and version, e.g. ``PostgreSQL 15.4``.
        schemas: The schemas discovery would look at.
        missing: Schemas the config names that do not exist (or are invisible).
        tls: Whether the connection is encrypted, when known.
    """

    server: str
    schemas: tuple[SchemaSurvey, ...]
    missing: tuple[str, ...] = ()
    tls: bool | None = None


class RowCursor(Protocol):
    """The part of a DB-API cursor a read uses."""

    @property
    def description(self) -> Sequence[Sequence[Any]] | None:
        """Column descriptions; the first item of each is the name."""

    def fetchmany(self, size: int = ...) -> Sequence[Sequence[Any]]:
        """The next rows, at most ``size``."""


class DatabaseSession(ABC):
    """One open connection to a database; blocking, used from one thread.

    Attributes:
        label: The product name for messages (``PostgreSQL``).
        username: Who is logged in, for messages.
        database: The database connected to, for messages.
    """

    label: str
    # What the driver raises; anything else is a bug and propagates as it is.
    driver_errors: ClassVar[tuple[type[BaseException], ...]]

    def __init__(self, *, username: str, database: str) -> None:
        self.username = username
        self.database = database

    # -- dialect --------------------------------------------------------------------------

    @abstractmethod
    def quote(self, identifier: str) -> str:
        """``identifier`` quoted for this dialect."""

    def table_sql(self, table: TableRef) -> str:
        """The quoted, qualified name of ``table``."""
        return f"{self.quote(table.schema)}.{self.quote(table.name)}"

    def limit_sql(self, table: TableRef, limit: int) -> str:
        """A query for the first ``limit`` rows of ``table``, in no particular order."""
        return f"SELECT * FROM {self.table_sql(table)} LIMIT {int(limit)}"  # noqa: S608

    @abstractmethod
    def classify(self, exc: BaseException, *, table: TableRef | None = None) -> ConnectorError:
        """Translate a driver error raised while querying into a classified error.

        Never copies the driver's text: the message names what to check.
        """

    # -- what the connector asks for ------------------------------------------------------

    @abstractmethod
    def survey(self, schemas: tuple[str, ...]) -> Survey:
        """Run the check's query: the server version and what the user may read."""

    @abstractmethod
    def catalog(self, schemas: tuple[str, ...]) -> list[Stream]:
        """Every table and view of ``schemas`` (all user schemas when empty), described."""

    @abstractmethod
    def column_names(self, table: TableRef) -> list[str]:
        """The names of ``table``'s columns, in order (one cheap query)."""

    @abstractmethod
    @contextmanager
    def stream_rows(
        self, sql: str, params: Sequence[Any], *, batch_rows: int
    ) -> Iterator[RowCursor]:
        """Run ``sql`` on a server-side cursor; rows arrive ``batch_rows`` at a time.

        Leaving the block early (a preview that has enough rows) must not read the rest.
        """

    @abstractmethod
    def close(self) -> None:
        """Close the connection; never raises."""

    # -- helpers --------------------------------------------------------------------------

    @contextmanager
    def translated(self, table: TableRef | None = None) -> Iterator[None]:
        """Translate driver errors raised inside into classified connector errors."""
        try:
            yield
        except self.driver_errors as exc:
            raise self.classify(exc, table=table) from exc
