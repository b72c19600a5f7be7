"""The Snowflake emulator (fakesnow behind a login stand-in) with two schemas of data.

No real Snowflake can run here; see :mod:`tests.connectors.snowflake.emulator` for what
the emulator does and does not stand in for.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from connectors.base import ConnectorContext
from connectors.snowflake import SnowflakeConnector
from tests.conftest import LOOPBACK
from tests.connectors.snowflake.emulator import SnowflakeEmulator, snowflake_emulator

PASSWORD = "sf-reader-password-2291"

DATA = [
    "CREATE DATABASE analytics",
    "CREATE SCHEMA analytics.public",
    "CREATE SCHEMA analytics.sales",
    'CREATE TABLE analytics.public."people" ("id" int PRIMARY KEY, "name" varchar)',
    """INSERT INTO analytics.public."people" VALUES (1, 'Ada'), (2, 'Grace')""",
    """CREATE TABLE analytics.sales.orders (
        id int PRIMARY KEY, amount number(10, 2), created_at timestamp_ntz,
        updated_at timestamp_ntz, note varchar
    )""",
    """INSERT INTO analytics.sales.orders VALUES
        (1, 10.50, '2024-01-01 09:00:00', '2024-01-01 10:00:00', 'first'),
        (2, 20.00, '2024-01-01 09:00:00', '2024-01-02 10:00:00', NULL),
        (3, 30.25, '2024-01-01 09:00:00', '2024-01-02 10:00:00', 'third')""",
    "CREATE VIEW analytics.sales.big_orders AS SELECT id, amount FROM analytics.sales.orders",
]


@pytest.fixture
def emulator() -> Iterator[SnowflakeEmulator]:
    with snowflake_emulator({"reader": PASSWORD}) as running:
        running.execute(*DATA)
        yield running


@pytest.fixture
def snowflake(emulator: SnowflakeEmulator) -> SnowflakeConnector:
    return SnowflakeConnector(
        ConnectorContext(network=LOOPBACK, timeout=3.0), connect=emulator.connect
    )


@pytest.fixture
def sf_config(emulator: SnowflakeEmulator) -> dict[str, Any]:
    return {
        "account": "acme-test",
        "host": "127.0.0.1",
        "port": emulator.front_door.port,
        "warehouse": "COMPUTE_WH",
        "database": "analytics",
        "schema": "PUBLIC",
        "role": "REPORTER",
    }


@pytest.fixture
def sf_secrets() -> dict[str, str]:
    return {"username": "reader", "password": PASSWORD}
