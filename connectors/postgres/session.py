"""Connecting to PostgreSQL (psycopg 3 through SQLAlchemy) behind the connection guard.

libpq can be told both names: ``host`` (kept for TLS verification) and ``hostaddr`` (the
address actually dialled). We pass the addresses the guard checked as ``hostaddr``, one per
address with the same ``host`` repeated, so what was checked is what is contacted and a
second DNS answer cannot swap in another address.

libpq also reads defaults from the environment and the home directory; a password file
could hand an operator's password to a customer's server, so ``passfile`` names a file
that cannot exist (nobody can create files in ``/proc``; elsewhere the path is absent).
Every session is read-only (``default_transaction_read_only``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import count
from typing import Any

import psycopg
import sqlalchemy.exc
from sqlalchemy.engine import Connection, Engine

from connectors.errors import ConnectorError
from connectors.guard import IPAddress
from connectors.postgres import catalog as pg_catalog
from connectors.postgres.config import PostgresConfig
from connectors.postgres.errors import (
    ConnectTarget,
    classify_connect_error,
    classify_query_error,
)
from connectors.results import Stream
from connectors.sql.config import DatabaseSecrets
from connectors.sql.engine import EngineSession
from connectors.sql.session import Purpose, RowCursor, Survey, TableRef

__all__ = ["PostgresSession", "open_postgres"]

_APPLICATION = "ingestion-agent"
# libpq's connect_timeout is whole seconds, and it treats values below 2 as 2.
_MIN_CONNECT_TIMEOUT = 2
# Discovery's catalog queries may take a while on a huge catalog; reads are unbounded
# (a large table takes as long as it takes) but keep TCP keepalives to notice a dead peer.
_DISCOVER_TIMEOUT_FACTOR = 6
_KEEPALIVE_IDLE = 60
_cursor_names = count(1)
_NO_PASSFILE = "/proc/ingestion-agent-has-no-passfile"


def _statement_timeout_ms(purpose: Purpose, timeout: float) -> int:
    if purpose is Purpose.READ:
        return 0
    factor = _DISCOVER_TIMEOUT_FACTOR if purpose is Purpose.DISCOVER else 1
    return max(1, int(timeout * factor * 1000))


def _connect_args(
    config: PostgresConfig,
    secrets: DatabaseSecrets,
    addresses: Sequence[IPAddress],
    purpose: Purpose,
    timeout: float,
) -> dict[str, Any]:
    options = (
        "-c default_transaction_read_only=on "
        f"-c statement_timeout={_statement_timeout_ms(purpose, timeout)}"
    )
    args: dict[str, Any] = {
        "host": ",".join([config.host] * len(addresses)),
        "hostaddr": ",".join(str(a) for a in addresses),
        "port": config.port,
        "dbname": config.database,
        "user": secrets.username,
        # The one place the password leaves its SecretStr: into libpq's connection call.
        "password": secrets.password.get_secret_value(),
        "sslmode": config.sslmode,
        "connect_timeout": max(_MIN_CONNECT_TIMEOUT, math.ceil(timeout)),
        "application_name": _APPLICATION,
        "options": options,
        "passfile": _NO_PASSFILE,
        "gssencmode": "disable",
        "keepalives": 1,
        "keepalives_idle": _KEEPALIVE_IDLE,
    }
    if config.sslmode == "verify-full" and psycopg.pq.version() >= 160000:
        # The system trust store, as browsers use; without it libpq wants a CA file in
        # ~/.postgresql. libpq allows "system" with verify-full only: verify-ca still
        # needs that file (an operator's choice).
        args["sslrootcert"] = "system"
    return args


def open_postgres(
    config: PostgresConfig,
    secrets: DatabaseSecrets,
    addresses: Sequence[IPAddress],
    purpose: Purpose,
    *,
    timeout: float,
) -> PostgresSession:
    """Connect and log in to the guard-checked ``addresses``.

    Raises:
        ConnectorError: Classified (see :mod:`connectors.postgres.errors`).
    """
    target = ConnectTarget.of(config, secrets, timeout)
    return PostgresSession.open(
        "postgresql+psycopg://",
        target,
        classify_connect_error,
        connect_args=_connect_args(config, secrets, addresses, purpose, timeout),
    )


class PostgresSession(EngineSession):
    """An open, read-only PostgreSQL connection."""

    label = "PostgreSQL"
    driver_errors = (psycopg.Error, sqlalchemy.exc.DBAPIError)

    def __init__(self, engine: Engine, connection: Connection, target: ConnectTarget) -> None:
        super().__init__(engine, connection, target)
        raw = connection.connection.driver_connection
        assert isinstance(raw, psycopg.Connection)  # noqa: S101 - the psycopg dialect
        self.raw: psycopg.Connection[Any] = raw

    @property
    def tls(self) -> bool:
        """Whether the connection is encrypted."""
        return bool(self.raw.pgconn.ssl_in_use)

    @property
    def server(self) -> str:
        """``PostgreSQL 15.4``."""
        version = self.raw.info.server_version
        major, minor = divmod(version, 10000)
        return f"PostgreSQL {major}.{minor}" if major >= 10 else f"PostgreSQL {version}"

    def classify(self, exc: BaseException, *, table: TableRef | None = None) -> ConnectorError:
        """See :func:`~connectors.postgres.errors.classify_query_error`."""
        return classify_query_error(exc, table=table, target=self._target)

    def survey(self, schemas: tuple[str, ...]) -> Survey:
        """What the user may read in the schemas discovery would look at."""
        found = pg_catalog.survey(self.raw, schemas)
        missing = tuple(s for s in schemas if s not in {f.name for f in found})
        return Survey(server=self.server, schemas=tuple(found), missing=missing, tls=self.tls)

    def catalog(self, schemas: tuple[str, ...]) -> list[Stream]:
        """Every readable table and view, in two catalog queries."""
        return pg_catalog.streams(self.raw, schemas)

    def column_names(self, table: TableRef) -> list[str]:
        """One ``LIMIT 0`` query: the names as the server spells them."""
        with self.raw.cursor() as cur:
            cur.execute(self.limit_sql(table, 0).encode())
            return [c.name for c in cur.description or ()]

    @contextmanager
    def stream_rows(
        self, sql: str, params: Sequence[Any], *, batch_rows: int
    ) -> Iterator[RowCursor]:
        """A named (server-side) cursor; closing it early does not fetch the rest."""
        name = f"ia_read_{next(_cursor_names)}"
        with self.raw.cursor(name=name) as cur:
            cur.itersize = batch_rows
            cur.execute(sql.encode(), tuple(params) or None)
            yield cur
