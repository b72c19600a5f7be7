"""Two MariaDB databases for this package's tests, on the real server at 127.0.0.1:3306.

``shop`` holds tables and a view, ``crm`` one more table (MySQL's schemas are databases).
Users: a reader with SELECT on both, and one that may only INSERT into ``shop`` (it can
log in and see the tables, but not read them). All are dropped when the module is done.
"""

# SQL here arranges test data from constants and generated names.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import pytest

from connectors.base import ConnectorContext
from connectors.mysql import MySqlConnector
from tests.conftest import LOOPBACK
from tests.connectors.sql.databases import (
    MARIADB,
    mysql_admin,
    temporary_mysql_database,
    temporary_mysql_user,
)

PASSWORD = "my-reader-password-5123"

SHOP = [
    """CREATE TABLE orders (
        id int AUTO_INCREMENT PRIMARY KEY,
        customer_id int NOT NULL,
        amount decimal(10, 2),
        paid tinyint(1) NOT NULL DEFAULT 0,
        created_at datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
        updated_at datetime(6) NULL
    ) ENGINE=InnoDB""",
    """CREATE TABLE order_items (
        order_id int, line int, sku varchar(20), modified_on timestamp NULL,
        PRIMARY KEY (order_id, line)
    ) ENGINE=InnoDB""",
    "CREATE VIEW big_orders AS SELECT id, amount FROM orders WHERE amount > 100",
    "INSERT INTO orders (customer_id, amount) VALUES "
    + ", ".join(f"({i}, {i * 10})" for i in range(1, 41)),
    "ANALYZE TABLE orders",
]
CRM = ["CREATE TABLE contacts (contact_id bigint PRIMARY KEY, email text, modified_on datetime)"]


@dataclass(frozen=True)
class MyDatabases:
    """The module's databases and users."""

    shop: str
    crm: str
    reader: str
    inserter: str

    def config(self, **overrides: Any) -> dict[str, Any]:
        """A connector config for ``shop``."""
        return {**MARIADB, "database": self.shop, **overrides}

    def secrets(self, user: str | None = None, password: str = PASSWORD) -> dict[str, str]:
        """Login of ``user`` (the reader by default)."""
        return {"username": user or self.reader, "password": password}

    def execute(self, *statements: str) -> None:
        """Run ``statements`` as root in ``shop``."""
        with mysql_admin() as conn, conn.cursor() as cur:
            conn.select_db(self.shop)
            for statement in statements:
                cur.execute(statement)


@pytest.fixture(scope="module")
def my_db() -> Iterator[MyDatabases]:
    with ExitStack() as stack:
        shop = stack.enter_context(temporary_mysql_database(*SHOP))
        crm = stack.enter_context(temporary_mysql_database(*CRM))
        reader = stack.enter_context(
            temporary_mysql_user(PASSWORD, f"SELECT ON `{shop}`.*", f"SELECT ON `{crm}`.*")
        )
        inserter = stack.enter_context(temporary_mysql_user(PASSWORD, f"INSERT ON `{shop}`.*"))
        yield MyDatabases(shop=shop, crm=crm, reader=reader, inserter=inserter)


@pytest.fixture
def my() -> MySqlConnector:
    return MySqlConnector(ConnectorContext(network=LOOPBACK, timeout=3.0))
