"""A PostgreSQL database for this package's tests, on the real server at 127.0.0.1:5432.

One database per test module, with two schemas of tables and views and three roles: a
reader with SELECT on everything but ``finance.salaries``, a role with LOGIN and no
grants, and a role without LOGIN. All are dropped when the module is done.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import pytest

from connectors.base import ConnectorContext
from connectors.postgres import PostgresConnector
from tests.conftest import LOOPBACK
from tests.connectors.sql.databases import (
    POSTGRES,
    pg_admin,
    temporary_pg_database,
    temporary_pg_role,
)

PASSWORD = "pg-reader-password-7731"

SCHEMA = [
    "CREATE SCHEMA sales",
    "CREATE SCHEMA finance",
    """CREATE TABLE sales.orders (
        id bigserial PRIMARY KEY,
        customer_id integer NOT NULL,
        amount numeric(10, 2),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz
    )""",
    """CREATE TABLE sales.order_items (
        order_id integer,
        line integer,
        sku text,
        modified_on timestamp,
        PRIMARY KEY (order_id, line)
    )""",
    "CREATE VIEW sales.big_orders AS SELECT id, amount FROM sales.orders WHERE amount > 100",
    """CREATE TABLE finance.ledger (
        entry_id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        posted date NOT NULL,
        amount numeric
    )""",
    "CREATE TABLE finance.salaries (name text, amount numeric)",
    "INSERT INTO sales.orders (customer_id, amount) SELECT g, g * 10 FROM generate_series(1, 50) g",
    "ANALYZE sales.orders",
]


@dataclass(frozen=True)
class PgDatabase:
    """The module's database and its roles."""

    name: str
    reader: str
    no_grants: str
    no_login: str

    def config(self, **overrides: Any) -> dict[str, Any]:
        """A connector config for this database."""
        return {**POSTGRES, "database": self.name, **overrides}

    def secrets(self, role: str | None = None, password: str = PASSWORD) -> dict[str, str]:
        """Login of ``role`` (the reader by default)."""
        return {"username": role or self.reader, "password": password}

    def execute(self, *statements: str) -> None:
        """Run ``statements`` as the superuser in this database."""
        with pg_admin(self.name) as conn:
            for statement in statements:
                conn.execute(statement.encode())


@pytest.fixture(scope="module")
def pg_db() -> Iterator[PgDatabase]:
    with ExitStack() as stack:
        reader = stack.enter_context(temporary_pg_role("LOGIN", PASSWORD))
        no_grants = stack.enter_context(temporary_pg_role("LOGIN", PASSWORD))
        no_login = stack.enter_context(temporary_pg_role("NOLOGIN"))
        name = stack.enter_context(
            temporary_pg_database(
                *SCHEMA,
                f'GRANT USAGE ON SCHEMA sales, finance TO "{reader}"',
                f'GRANT SELECT ON ALL TABLES IN SCHEMA sales, public TO "{reader}"',
                f'GRANT SELECT ON finance.ledger TO "{reader}"',
                f'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO "{reader}"',
            )
        )
        yield PgDatabase(name=name, reader=reader, no_grants=no_grants, no_login=no_login)


@pytest.fixture
def pg() -> PostgresConnector:
    return PostgresConnector(ConnectorContext(network=LOOPBACK, timeout=3.0))
