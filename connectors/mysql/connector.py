"""The MySQL / MariaDB connector: tables and views as streams (PyMySQL through SQLAlchemy)."""

from __future__ import annotations

from connectors.guard import IPAddress
from connectors.mysql.config import MySqlConfig
from connectors.mysql.session import MySqlSession, open_mysql
from connectors.sql.config import DatabaseSecrets, OpenLoginSecrets
from connectors.sql.connector import SqlConnector, database_spec
from connectors.sql.session import DatabaseSession, Purpose

__all__ = ["MySqlConnector"]


class MySqlConnector(SqlConnector[MySqlConfig]):
    """A MySQL or MariaDB database (also Amazon RDS / Aurora MySQL, PlanetScale...).

    Streams are ``database.table``; see :mod:`connectors.sql.connector` for the contract
    and :mod:`connectors.mysql.catalog` for discovery.
    """

    config_model = MySqlConfig
    label = "MySQL"
    grant_hint = "Grant it SELECT on the database's tables."
    schema_word = "database"
    spec = database_spec(
        type_="MYSQL",
        label="MySQL / MariaDB",
        aliases=(
            "mysql",
            "mariadb",
            "my sql",
            "maria",
            "maria db",
            "aurora mysql",
            "percona",
            "planetscale",
        ),
        config_model=MySqlConfig,
        secrets_model=OpenLoginSecrets,
        dsn_schemes=("mysql", "mariadb"),
    )
    secrets_model = OpenLoginSecrets

    def endpoint(self, config: MySqlConfig) -> tuple[str, int]:
        """The configured host and port."""
        return config.host, config.port

    def open_session(
        self,
        config: MySqlConfig,
        secrets: DatabaseSecrets,
        addresses: list[IPAddress],
        purpose: Purpose,
    ) -> DatabaseSession:
        """Dial a checked address ourselves and hand PyMySQL the socket."""
        return open_mysql(
            config,
            secrets,
            addresses,
            purpose,
            timeout=self.context.timeout,
            trust=self.context.ssl_context,
        )

    def describe_connection(self, config: MySqlConfig, session: DatabaseSession) -> str:
        """Where we connected, and whether TLS protects the connection."""
        tls = isinstance(session, MySqlSession) and session.tls
        how = "over TLS" if tls else "without TLS"
        return f"Connected to {config.host}:{config.port} {how} (sslmode {config.sslmode})."
