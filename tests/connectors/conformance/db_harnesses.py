"""Conformance harnesses of the database connectors, each against its own throw-away data.

PostgreSQL and MariaDB are the real servers on loopback; Snowflake is the emulator of
:mod:`tests.connectors.snowflake.emulator` (fakesnow behind a login stand-in).

PostgreSQL here trusts every login from 127.0.0.1 (``pg_hba.conf``), so no password can
be wrong. Its "wrong password" input therefore logs in as a role without the LOGIN
attribute (with the canary as the password): the server refuses it with SQLSTATE 28000,
a genuine authentication failure, and the password never counts.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, ExitStack, asynccontextmanager
from typing import Any

from connectors.base import ConnectorContext
from connectors.mysql import MySqlConnector
from connectors.postgres import PostgresConnector
from connectors.results import FailureClass
from connectors.snowflake import SnowflakeConnector
from tests.conftest import LOOPBACK
from tests.connectors.conformance.harness import BadInput, Harness
from tests.connectors.snowflake.emulator import snowflake_emulator
from tests.connectors.sql.databases import (
    MARIADB,
    POSTGRES,
    temporary_mysql_database,
    temporary_mysql_user,
    temporary_pg_database,
    temporary_pg_role,
)
from tests.support.ports import free_port

__all__ = ["DB_HARNESSES"]

Records = list[dict[str, Any]]
_PASSWORD = "reader-password-0042"
_CONTEXT = ConnectorContext(network=LOOPBACK, timeout=3.0)


def _values(records: Records) -> str:
    return ", ".join(f"({r['id']}, '{r['name']}')" for r in records)


def _bad_inputs(
    config: dict[str, Any], secrets: dict[str, Any], wrong: dict[str, Any], port: int
) -> list[BadInput]:
    return [
        BadInput("wrong-password", config, wrong, FailureClass.AUTH_FAILED),
        BadInput(
            "unknown-database", {**config, "database": "ia_nope"}, secrets, FailureClass.NOT_FOUND
        ),
        BadInput("closed-port", {**config, "port": port}, secrets, FailureClass.UNREACHABLE),
    ]


@asynccontextmanager
async def postgres_harness(records: Records, canary: str) -> AsyncIterator[Harness]:
    """PostgreSQL: ``public.people`` read by a role with SELECT on it."""
    with ExitStack() as stack:
        reader = stack.enter_context(temporary_pg_role("LOGIN", _PASSWORD))
        no_login = stack.enter_context(temporary_pg_role("NOLOGIN"))
        database = stack.enter_context(
            temporary_pg_database(
                "CREATE TABLE people (id integer PRIMARY KEY, name text NOT NULL)",
                f"INSERT INTO people VALUES {_values(records)}",  # noqa: S608
                f'GRANT SELECT ON people TO "{reader}"',
            )
        )
        config = {
            **POSTGRES,
            "database": database,
            "cursor_fields": {"public.people": "id"},
        }
        secrets = {"username": reader, "password": _PASSWORD}
        yield Harness(
            connector=PostgresConnector(_CONTEXT),
            config=config,
            secrets=secrets,
            stream="public.people",
            records=records,
            bad_inputs=_bad_inputs(
                config, secrets, {"username": no_login, "password": canary}, free_port()
            ),
            canary=canary,
        )


@asynccontextmanager
async def mysql_harness(records: Records, canary: str) -> AsyncIterator[Harness]:
    """MariaDB: ``<db>.people`` read by a user with SELECT on the database."""
    with ExitStack() as stack:
        database = stack.enter_context(
            temporary_mysql_database(
                "CREATE TABLE people (id int PRIMARY KEY, name varchar(50) NOT NULL)",
                f"INSERT INTO people VALUES {_values(records)}",  # noqa: S608
            )
        )
        reader = stack.enter_context(temporary_mysql_user(_PASSWORD, f"SELECT ON `{database}`.*"))
        config = {**MARIADB, "database": database, "cursor_fields": {f"{database}.people": "id"}}
        secrets = {"username": reader, "password": _PASSWORD}
        yield Harness(
            connector=MySqlConnector(_CONTEXT),
            config=config,
            secrets=secrets,
            stream=f"{database}.people",
            records=records,
            bad_inputs=_bad_inputs(
                config, secrets, {"username": reader, "password": canary}, free_port()
            ),
            canary=canary,
        )


@asynccontextmanager
async def snowflake_harness(records: Records, canary: str) -> AsyncIterator[Harness]:
    """Snowflake (emulator): ``PUBLIC.people`` with lower-case, quoted names."""
    with snowflake_emulator({"reader": _PASSWORD}) as emulator:
        emulator.execute(
            "CREATE DATABASE conformance",
            "CREATE SCHEMA conformance.public",
            'CREATE TABLE conformance.public."people" ("id" int PRIMARY KEY, "name" varchar)',
            f'INSERT INTO conformance.public."people" VALUES {_values(records)}',  # noqa: S608
        )
        config = {
            "account": "acme-conformance",
            "host": "127.0.0.1",
            "port": emulator.front_door.port,
            "warehouse": "COMPUTE_WH",
            "database": "conformance",
            "schema": "PUBLIC",
            "role": "READER",
            "cursor_fields": {"PUBLIC.people": "id"},
        }
        secrets = {"username": "reader", "password": _PASSWORD}
        yield Harness(
            connector=SnowflakeConnector(_CONTEXT, connect=emulator.connect),
            config=config,
            secrets=secrets,
            stream="PUBLIC.people",
            records=records,
            bad_inputs=_bad_inputs(
                config, secrets, {"username": "reader", "password": canary}, free_port()
            ),
            canary=canary,
        )


DB_HARNESSES: dict[str, Callable[[Records, str], AbstractAsyncContextManager[Harness]]] = {
    "POSTGRES": postgres_harness,
    "MYSQL": mysql_harness,
    "SNOWFLAKE": snowflake_harness,
}
