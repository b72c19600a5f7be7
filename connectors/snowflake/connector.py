"""The Snowflake connector: tables and views as streams (snowflake-connector-python 4.x).

snowflake-sqlalchemy needs the 5.x connector while the emulator our tests use needs 4.x
(DESIGN.md section 5), so this connector talks to Snowflake through the connector's DB-API
directly; everything else is the shared database flow of :mod:`connectors.sql.connector`.

Importing ``snowflake.connector`` takes a good part of a second, so the modules that need
it are imported when a Snowflake session is first opened, not with the registry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connectors.base import ConnectorContext
from connectors.guard import IPAddress
from connectors.results import FailureClass
from connectors.snowflake.catalog import SHOW_CAP
from connectors.snowflake.config import SnowflakeConfig
from connectors.sql.config import DatabaseSecrets
from connectors.sql.connector import DATABASE_REASK, SqlConnector, database_spec
from connectors.sql.session import DatabaseSession, Purpose

__all__ = ["Connect", "SnowflakeConnector"]

Connect = Callable[..., Any]
"""``snowflake.connector.connect`` or a stand-in taking its keyword arguments."""


class SnowflakeConnector(SqlConnector[SnowflakeConfig]):
    """A Snowflake database, read with a warehouse and a role.

    Streams are ``SCHEMA.TABLE`` as stored (unquoted names are upper case).
    """

    config_model = SnowflakeConfig
    label = "Snowflake"
    grant_hint = "Grant its role USAGE on the schema and SELECT on the tables."
    spec = database_spec(
        type_="SNOWFLAKE",
        label="Snowflake",
        aliases=("snowflake", "snow", "sf", "snow flake"),
        config_model=SnowflakeConfig,
        dsn_schemes=("snowflake",),
        dsn_form="account",
        reask={
            **DATABASE_REASK,
            FailureClass.NOT_FOUND: ("database", "schema"),
            FailureClass.UNREACHABLE: ("host", "port", "account"),
            FailureClass.TIMEOUT: ("host", "port", "account"),
            FailureClass.TLS: ("host",),
        },
    )

    # SHOW's row cap (Snowflake's is 10,000); tests lower it to exercise the narrowing.
    show_cap: int = SHOW_CAP

    def __init__(
        self, context: ConnectorContext | None = None, *, connect: Connect | None = None
    ) -> None:
        """Create the connector.

        Args:
            context: Guard policy and timeout.
            connect: Opens a session with ``snowflake.connector.connect``'s keyword
                arguments; by default that function itself, looked up at call time. Tests
                pass an emulator here.
        """
        super().__init__(context)
        self._connect = connect

    def endpoint(self, config: SnowflakeConfig) -> tuple[str, int]:
        """The account's host (or the configured one) and port."""
        return config.endpoint_host, config.port

    def open_session(
        self,
        config: SnowflakeConfig,
        secrets: DatabaseSecrets,
        addresses: list[IPAddress],  # noqa: ARG002 - checked just before; cannot be pinned
        purpose: Purpose,
    ) -> DatabaseSession:
        """Log in; the guard checked the host's addresses right before (no pinning hook)."""
        from connectors.snowflake.session import open_snowflake  # noqa: PLC0415 - see above

        return open_snowflake(
            config,
            secrets,
            purpose,
            timeout=self.context.timeout,
            connect=self._connect,
            show_cap=self.show_cap,
        )

    def host_field(self, config: SnowflakeConfig) -> str:
        """``host`` when one is configured, else the account it is derived from."""
        return "host" if config.host else "account"

    def describe_connection(self, config: SnowflakeConfig, session: DatabaseSession) -> str:  # noqa: ARG002
        """The account reached over HTTPS."""
        return f"Reached Snowflake account {config.account} at {config.endpoint_host} over HTTPS."
