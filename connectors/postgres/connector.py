"""The PostgreSQL connector: tables and views as streams (psycopg 3 through SQLAlchemy)."""

from __future__ import annotations

from connectors.guard import IPAddress
from connectors.postgres.config import PostgresConfig
from connectors.postgres.session import PostgresSession, open_postgres
from connectors.sql.config import DatabaseSecrets, OpenLoginSecrets
from connectors.sql.connector import SqlConnector, database_spec
from connectors.sql.session import DatabaseSession, Purpose

__all__ = ["PostgresConnector"]


class PostgresConnector(SqlConnector[PostgresConfig]):
    """A PostgreSQL database (also Amazon RDS / Aurora, Cloud SQL, Supabase, Neon...).

    Streams are ``schema.table``; see :mod:`connectors.sql.connector` for the contract
    and :mod:`connectors.postgres.catalog` for discovery.
    """

    config_model = PostgresConfig
    label = "PostgreSQL"
    grant_hint = "Grant USAGE on the schema and SELECT on its tables."
    spec = database_spec(
        type_="POSTGRES",
        label="PostgreSQL",
        aliases=(
            "pg",
            "postgres",
            "postgresql",
            "psql",
            "postgre",
            "postgres sql",
            "pgsql",
            "postgre sql",
            "pg sql",
            "aurora postgres",
            "timescale",
            "timescaledb",
            "supabase",
            "neon",
        ),
        config_model=PostgresConfig,
        secrets_model=OpenLoginSecrets,
        dsn_schemes=("postgres", "postgresql", "pg", "pgsql"),
    )
    secrets_model = OpenLoginSecrets

    def endpoint(self, config: PostgresConfig) -> tuple[str, int]:
        """The configured host and port."""
        return config.host, config.port

    def open_session(
        self,
        config: PostgresConfig,
        secrets: DatabaseSecrets,
        addresses: list[IPAddress],
        purpose: Purpose,
    ) -> DatabaseSession:
        """Connect to the checked addresses (``hostaddr``), keeping the name for TLS."""
        return open_postgres(config, secrets, addresses, purpose, timeout=self.context.timeout)

    def describe_connection(self, config: PostgresConfig, session: DatabaseSession) -> str:
        """Where we connected, and whether TLS protects the connection."""
        tls = isinstance(session, PostgresSession) and session.tls
        how = "over TLS" if tls else "without TLS"
        return f"Connected to {config.host}:{config.port} {how} (sslmode {config.sslmode})."
