"""Connecting to MySQL / MariaDB (PyMySQL through SQLAlchemy) behind the connection guard.

PyMySQL wraps TLS itself and resolves the host on its own, but it can be handed a socket
that is already connected (``defer_connect`` and ``connect(sock)``). So we dial the very
address the guard checked ourselves and give PyMySQL the socket, while PyMySQL keeps the
host name for the TLS handshake: the address is pinned even here. SQLAlchemy builds its
connections through that ``creator``.

Sessions are read-only (``SET SESSION TRANSACTION READ ONLY``). Reads use an unbuffered
server-side cursor (``SSCursor``); abandoning one part-way would make PyMySQL read the rest
of the result to close it, so an abandoned read drops the connection instead.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast

import pymysql
import pymysql.cursors
import sqlalchemy.exc
from sqlalchemy.engine import Connection, Engine

from connectors.errors import ConnectorError
from connectors.guard import IPAddress
from connectors.mysql import catalog as my_catalog
from connectors.mysql.config import MySqlConfig
from connectors.mysql.errors import LABEL, ConnectTarget, classify
from connectors.results import Stream
from connectors.sql.config import DatabaseSecrets
from connectors.sql.engine import EngineSession
from connectors.sql.session import Purpose, RowCursor, Survey, TableRef

__all__ = ["MySqlSession", "open_mysql"]

# Once logged in, a read may wait long for its first rows (a big ORDER BY); the socket
# still gives up after an hour of silence rather than hang a scheduled pull forever.
_READ_SOCKET_TIMEOUT = 3600.0
_DISCOVER_TIMEOUT_FACTOR = 6


def _tls_context(sslmode: str, trust: ssl.SSLContext | None) -> ssl.SSLContext | None:
    """The TLS context for ``sslmode``; ``None`` lets PyMySQL decide (``preferred``)."""
    if sslmode in ("disabled", "preferred"):
        return None
    # The operator's trust store (tests: a CA made in the test) replaces the system's.
    context = (
        ssl.create_default_context()
        if trust is None
        else ssl.create_default_context(cadata=_ca_data(trust))
    )
    if sslmode == "required":
        # Encrypted, certificate unchecked: what MySQL's own client does for REQUIRED.
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif sslmode == "verify-ca":
        context.check_hostname = False
    return context


def _ca_data(trust: ssl.SSLContext) -> str:
    certs = trust.get_ca_certs(binary_form=True)
    return "".join(ssl.DER_cert_to_PEM_cert(c) for c in certs)


def _dial(addresses: Sequence[IPAddress], port: int, timeout: float) -> socket.socket:
    """A TCP connection to the first checked address that answers."""
    error: OSError | None = None
    for address in addresses:
        try:
            sock = socket.create_connection((str(address), port), timeout)
        except OSError as exc:
            error = exc
            continue
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        return sock
    assert error is not None  # noqa: S101 - the guard never returns no address
    raise error


def _creator(
    config: MySqlConfig,
    secrets: DatabaseSecrets,
    addresses: Sequence[IPAddress],
    timeout: float,
    trust: ssl.SSLContext | None,
) -> Callable[[], pymysql.connections.Connection[Any]]:
    def create() -> pymysql.connections.Connection[Any]:
        context = _tls_context(config.sslmode, trust)
        tls: dict[str, Any] = (
            {"ssl_disabled": True} if config.sslmode == "disabled" else {"ssl": context}
        )
        connection: pymysql.connections.Connection[Any] = pymysql.connections.Connection(
            host=config.host,  # kept for TLS; the socket below goes to the checked address
            port=config.port,
            user=secrets.username,
            # The one place the password leaves its SecretStr. As bytes, so that PyMySQL
            # does not try to encode a non-Latin-1 password as Latin-1.
            password=secrets.password.get_secret_value().encode(),
            database=config.database,
            charset="utf8mb4",
            connect_timeout=timeout,
            read_timeout=timeout,
            write_timeout=timeout,
            init_command="SET SESSION TRANSACTION READ ONLY",
            local_infile=False,
            program_name="ingestion-agent",
            defer_connect=True,
            **tls,
        )
        connection.connect(_dial(addresses, config.port, timeout))
        return connection

    return create


def open_mysql(
    config: MySqlConfig,
    secrets: DatabaseSecrets,
    addresses: Sequence[IPAddress],
    purpose: Purpose,
    *,
    timeout: float,
    trust: ssl.SSLContext | None,
) -> MySqlSession:
    """Connect and log in to one of the guard-checked ``addresses``.

    Raises:
        ConnectorError: Classified (see :mod:`connectors.mysql.errors`).
    """
    target = ConnectTarget.of(config, secrets, timeout)
    session = MySqlSession.open(
        "mysql+pymysql://",
        target,
        classify,
        creator=_creator(config, secrets, addresses, timeout, trust),
    )
    session.set_read_timeout(purpose, timeout)
    return session


class _Tracked:
    """A cursor that remembers whether its result was read to the end."""

    def __init__(self, cursor: pymysql.cursors.SSCursor) -> None:
        self._cursor = cursor
        self.exhausted = False

    @property
    def description(self) -> Any:
        """The result's columns."""
        return self._cursor.description

    def fetchmany(self, size: int = 1) -> Sequence[Sequence[Any]]:
        """The next rows; an empty batch marks the end."""
        rows = self._cursor.fetchmany(size)
        if not rows:
            self.exhausted = True
        return rows


class MySqlSession(EngineSession):
    """An open, read-only MySQL / MariaDB connection."""

    label = LABEL
    driver_errors = (pymysql.err.Error, sqlalchemy.exc.DBAPIError, OSError)

    def __init__(self, engine: Engine, connection: Connection, target: ConnectTarget) -> None:
        super().__init__(engine, connection, target)
        raw = connection.connection.driver_connection
        assert isinstance(raw, pymysql.connections.Connection)  # noqa: S101 - the dialect
        self.raw: pymysql.connections.Connection[Any] = raw
        self.is_mariadb = bool(getattr(engine.dialect, "is_mariadb", False))

    def set_read_timeout(self, purpose: Purpose, timeout: float) -> None:
        """Widen the socket timeout once logged in: discovery and reads may take long.

        PyMySQL has no public setter, but re-applies ``_read_timeout`` before every read.
        """
        raw = cast("Any", self.raw)
        if purpose is Purpose.READ:
            raw._read_timeout = _READ_SOCKET_TIMEOUT
        elif purpose is Purpose.DISCOVER:
            raw._read_timeout = timeout * _DISCOVER_TIMEOUT_FACTOR

    @property
    def server(self) -> str:
        """``MariaDB 10.11.6`` or ``MySQL 8.0.36``."""
        version = ".".join(str(p) for p in self._engine.dialect.server_version_info or ())
        return f"{'MariaDB' if self.is_mariadb else 'MySQL'} {version}".strip()

    @property
    def tls(self) -> bool:
        """Whether the connection is encrypted."""
        return isinstance(getattr(self.raw, "_sock", None), ssl.SSLSocket)

    def classify(self, exc: BaseException, *, table: TableRef | None = None) -> ConnectorError:
        """See :func:`~connectors.mysql.errors.classify`."""
        return classify(exc, self._target, table=table)

    def survey(self, schemas: tuple[str, ...]) -> Survey:
        """Tables per database, and whether the user may SELECT from them.

        MySQL's privilege tables are many (global, database, table, column, roles), so
        instead of interpreting them the survey tries ``SELECT ... LIMIT 0`` on one table
        per database: a database whose tables may be seen but not read shows up as such.
        """
        wanted = schemas or (self.database,)
        with self.raw.cursor() as cur:
            cur.execute(my_catalog.survey_sql(wanted), wanted)
            found = my_catalog.survey_rows(cur.fetchall())
        surveyed = []
        for name in wanted:
            if name not in found:
                continue
            tables, sample = found[name]
            readable = sample is None or self._can_read(TableRef(name, sample))
            surveyed.append(my_catalog.to_survey(name, tables, readable=readable))
        missing = tuple(s for s in wanted if s not in found)
        return Survey(server=self.server, schemas=tuple(surveyed), missing=missing, tls=self.tls)

    def _can_read(self, table: TableRef) -> bool:
        try:
            with self.raw.cursor() as cur:
                cur.execute(self.limit_sql(table, 0))
        except pymysql.err.OperationalError as exc:
            if exc.args and exc.args[0] in (1142, 1143):
                return False
            raise
        return True

    def catalog(self, schemas: tuple[str, ...]) -> list[Stream]:
        """Every table and view, in three ``information_schema`` queries."""
        wanted = schemas or (self.database,)
        with self.raw.cursor() as cur:
            return my_catalog.streams(cur, wanted, mariadb=self.is_mariadb)

    def column_names(self, table: TableRef) -> list[str]:
        """One ``LIMIT 0`` query: the names as the server spells them."""
        with self.raw.cursor() as cur:
            cur.execute(self.limit_sql(table, 0))
            return [str(c[0]) for c in cur.description or ()]

    @contextmanager
    def stream_rows(
        self,
        sql: str,
        params: Sequence[Any],
        *,
        batch_rows: int,  # noqa: ARG002 - unbuffered: rows arrive as they are fetched
    ) -> Iterator[RowCursor]:
        """An unbuffered cursor; left early, the connection is dropped, not drained."""
        cursor = self.raw.cursor(pymysql.cursors.SSCursor)
        tracked = _Tracked(cursor)
        try:
            cursor.execute(sql, tuple(params) or None)
            yield tracked
        finally:
            if tracked.exhausted:
                cursor.close()
            else:
                self._abandon(cursor)

    def _abandon(self, cursor: pymysql.cursors.SSCursor) -> None:
        """Drop the connection under an unfinished result instead of reading it to the end.

        PyMySQL would drain the result when the cursor or the result is closed or
        garbage-collected; marking the result finished first keeps it from reading a
        socket that is gone.
        """
        result = getattr(cursor, "_result", None)
        if result is not None:
            result.unbuffered_active = False
        cursor.connection = None  # type: ignore[assignment]
        self._connection.invalidate()
