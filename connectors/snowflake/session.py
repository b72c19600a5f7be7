"""Connecting to Snowflake with its own connector (snowflake-connector-python 4.x).

The connector speaks HTTPS through its own vendored HTTP stack, which has no hook to
connect to an address we choose: the guard resolves and checks the account's host right
before the connection is opened, and the connector's own lookup a moment later is the
residual risk (as with boto3). ``validate_default_parameters`` makes Snowflake refuse a
login whose database, schema or warehouse does not exist, instead of opening a session
without them.

``connect`` is looked up at call time (``snowflake.connector.connect``), so that an
emulator patching it (fakesnow) or one passed in explicitly is used.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import snowflake.connector
from snowflake.connector import errors as sf_errors

from connectors.errors import ConnectorError
from connectors.results import Stream
from connectors.snowflake import catalog as sf_catalog
from connectors.snowflake.config import SnowflakeConfig
from connectors.snowflake.errors import LABEL, ConnectTarget, classify
from connectors.sql import errors as sql_errors
from connectors.sql.config import DatabaseSecrets
from connectors.sql.session import (
    DatabaseSession,
    Purpose,
    RowCursor,
    SchemaSurvey,
    Survey,
    TableRef,
)

__all__ = ["SnowflakeSession", "open_snowflake"]

_APPLICATION = "ingestion_agent"
_DISCOVER_TIMEOUT_FACTOR = 6


def _connect_kwargs(
    config: SnowflakeConfig, secrets: DatabaseSecrets, purpose: Purpose, timeout: float
) -> dict[str, Any]:
    # 0 leaves reads to the account's own limit; check and discovery are bounded.
    factor = {Purpose.READ: 0, Purpose.CHECK: 1, Purpose.DISCOVER: _DISCOVER_TIMEOUT_FACTOR}
    statement_seconds = math.ceil(timeout * factor[purpose])
    kwargs: dict[str, Any] = {
        "account": config.account,
        "user": secrets.username,
        # The one place the password leaves its SecretStr: into the login request.
        "password": secrets.password.get_secret_value(),
        "warehouse": config.warehouse,
        "database": config.database,
        "schema": config.schema,
        "role": config.role,
        "login_timeout": timeout,
        "network_timeout": None if purpose is Purpose.READ else timeout,
        "validate_default_parameters": True,
        "client_session_keep_alive": False,
        "application": _APPLICATION,
        "session_parameters": {
            "QUERY_TAG": "ingestion-agent",
            "STATEMENT_TIMEOUT_IN_SECONDS": statement_seconds,
        },
    }
    if config.host:
        kwargs["host"] = config.host
        kwargs["port"] = config.port
    return kwargs


def open_snowflake(
    config: SnowflakeConfig,
    secrets: DatabaseSecrets,
    purpose: Purpose,
    *,
    timeout: float,
    connect: Callable[..., Any] | None = None,
    show_cap: int = sf_catalog.SHOW_CAP,
) -> SnowflakeSession:
    """Log in (the guard has checked the host just before).

    Raises:
        ConnectorError: Classified (see :mod:`connectors.snowflake.errors`).
    """
    target = ConnectTarget(
        host=config.endpoint_host,
        port=config.port,
        account=config.account,
        database=config.database,
        warehouse=config.warehouse,
        role=config.role,
        username=secrets.username,
        timeout=timeout,
    )
    opener = connect or snowflake.connector.connect
    try:
        connection = opener(**_connect_kwargs(config, secrets, purpose, timeout))
    except (sf_errors.Error, OSError) as exc:
        raise classify(exc, target) from exc
    session = SnowflakeSession(connection, target, show_cap=show_cap)
    try:
        session.confirm_database(config.database)
    except BaseException:
        session.close()
        raise
    return session


class SnowflakeSession(DatabaseSession):
    """An open Snowflake session."""

    label = LABEL
    driver_errors = (sf_errors.Error, OSError)

    def __init__(
        self, connection: Any, target: ConnectTarget, *, show_cap: int = sf_catalog.SHOW_CAP
    ) -> None:
        super().__init__(username=target.username, database=target.database)
        self._connection = connection
        self._target = target
        self.current_database = target.database
        self.version = ""
        self.show_cap = show_cap

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cur = self._connection.cursor()
        try:
            cur.execute(sql, tuple(params) or None)
            names = [str(d[0]).lower() for d in cur.description or ()]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        finally:
            cur.close()

    def confirm_database(self, database: str) -> None:
        """Make sure the session opened in the configured database.

        Snowflake validates it at login (``validate_default_parameters``); this check
        also covers engines that open a session without it.

        Raises:
            ResourceNotFoundError: The session has no current database, or another one.
        """
        with self.translated():
            row = self._rows("SELECT CURRENT_DATABASE(), CURRENT_VERSION()")[0]
        current, version = (str(v) if v is not None else None for v in row.values())
        if current is None or current not in (database, database.upper()):
            raise sql_errors.no_such_database(LABEL, database)
        self.current_database = current
        self.version = version or ""

    def quote(self, identifier: str) -> str:
        """Double-quoted: names are used exactly as stored (unquoted ones are upper case)."""
        return sf_catalog.quote(identifier)

    def table_sql(self, table: TableRef) -> str:
        """``"DATABASE"."SCHEMA"."TABLE"``."""
        return f"{self.quote(self.current_database)}.{super().table_sql(table)}"

    def classify(self, exc: BaseException, *, table: TableRef | None = None) -> ConnectorError:
        """See :func:`~connectors.snowflake.errors.classify`."""
        return classify(exc, self._target, table=table)

    def survey(self, schemas: tuple[str, ...]) -> Survey:
        """Tables and views per schema; SHOW lists only what the role may use."""
        db = self.quote(self.current_database)
        names = [
            str(r["name"])
            for r in self._rows(f"SHOW SCHEMAS IN DATABASE {db}")
            if str(r["name"]).upper() != "INFORMATION_SCHEMA"
        ]
        by_fold = {n.casefold(): n for n in names}
        wanted = [by_fold.get(s.casefold(), s) for s in schemas] if schemas else names
        counts = dict.fromkeys(wanted, 0)
        for row in self._rows(f"SHOW TERSE OBJECTS IN DATABASE {db}"):
            schema = str(row.get("schema_name"))
            if schema in counts:
                counts[schema] += 1
        missing = tuple(s for s in wanted if s not in names)
        found = tuple(SchemaSurvey(s, counts[s], counts[s]) for s in wanted if s in names)
        server = f"Snowflake {self.version}".strip()
        return Survey(server=server, schemas=found, missing=missing, tls=True)

    def catalog(self, schemas: tuple[str, ...]) -> list[Stream]:
        """Every table and view, by SHOW commands (see :mod:`connectors.snowflake.catalog`)."""
        return sf_catalog.read_catalog(
            self._rows, self.current_database, schemas, cap=self.show_cap
        )

    def column_names(self, table: TableRef) -> list[str]:
        """One ``LIMIT 0`` query: the names as stored."""
        cur = self._connection.cursor()
        try:
            cur.execute(self.limit_sql(table, 0))
            return [str(d[0]) for d in cur.description or ()]
        finally:
            cur.close()

    @contextmanager
    def stream_rows(
        self, sql: str, params: Sequence[Any], *, batch_rows: int
    ) -> Iterator[RowCursor]:
        """Snowflake streams results in chunks; fetching a batch downloads only what it needs."""
        cur = self._connection.cursor()
        cur.arraysize = batch_rows
        try:
            cur.execute(sql, tuple(params) or None)
            yield cur
        finally:
            cur.close()

    def close(self) -> None:
        """Close the session; never raises."""
        try:
            self._connection.close()
        except Exception:  # noqa: BLE001 - a session that is gone cannot be closed twice
            return
