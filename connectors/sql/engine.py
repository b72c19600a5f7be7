"""Sessions over SQLAlchemy, as PostgreSQL and MySQL open them: what the two share.

Each session has an engine of its own with one connection (no pool: a check, a discovery
or a read opens a connection and closes it), dialled to a guard-checked address. A failure
to connect is classified by the database's own rules; the engine is disposed of either way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Self

import sqlalchemy
import sqlalchemy.exc
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

from connectors.errors import ConnectorError
from connectors.sql.config import DatabaseSecrets, ServerConfig
from connectors.sql.session import DatabaseSession

__all__ = ["ConnectTarget", "EngineSession", "driver_error"]


@dataclass(frozen=True, slots=True)
class ConnectTarget:
    """What a message about a failure may name."""

    host: str
    port: int
    database: str
    username: str
    sslmode: str
    timeout: float

    @classmethod
    def of(cls, config: ServerConfig, secrets: DatabaseSecrets, timeout: float) -> Self:
        """The target a server config and login describe."""
        return cls(
            host=config.host,
            port=config.port,
            database=config.database,
            username=secrets.username,
            sslmode=config.sslmode,
            timeout=timeout,
        )


def driver_error(exc: BaseException) -> BaseException:
    """The driver's error inside SQLAlchemy's wrapper, or ``exc`` itself."""
    if isinstance(exc, sqlalchemy.exc.DBAPIError) and exc.orig is not None:
        return exc.orig
    return exc


class EngineSession(DatabaseSession):
    """One open connection of its own SQLAlchemy engine; subclasses add the dialect."""

    def __init__(self, engine: Engine, connection: Connection, target: ConnectTarget) -> None:
        super().__init__(username=target.username, database=target.database)
        self._engine = engine
        self._connection = connection
        self._target = target
        self._quote = engine.dialect.identifier_preparer.quote_identifier

    @classmethod
    def open(
        cls,
        url: str,
        target: ConnectTarget,
        classify: Callable[[BaseException, ConnectTarget], ConnectorError],
        **engine_args: Any,
    ) -> Self:
        """Connect and log in through an engine made from ``url`` and ``engine_args``.

        Raises:
            ConnectorError: A driver error, as ``classify`` names it.
        """
        engine = sqlalchemy.create_engine(url, poolclass=NullPool, **engine_args)
        try:
            connection = engine.connect()
        except cls.driver_errors as exc:
            engine.dispose()
            raise classify(exc, target) from exc
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, connection, target)

    def quote(self, identifier: str) -> str:
        """Quoted as the dialect quotes: names are used exactly as stored."""
        return self._quote(identifier)

    def close(self) -> None:
        """Close (rolling back: nothing was written); never raises."""
        try:
            if not self._connection.invalidated:
                self._connection.close()
        except Exception:  # noqa: BLE001 - closing a broken connection may fail; it is gone
            self._connection.invalidate()
        finally:
            self._engine.dispose()
