"""Throw-away databases, roles and users on the real PostgreSQL and MariaDB servers.

PostgreSQL runs on 127.0.0.1:5432 (superuser ``postgres``, trust authentication for
127.0.0.1) and MariaDB on 127.0.0.1:3306 (``root`` without a password). Every helper
creates uniquely named objects and drops them afterwards: other test runs share the
servers. A server that cannot be reached fails the test; it is never skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pymysql
import pytest
from psycopg import sql
from ulid import ULID

__all__ = [
    "MARIADB",
    "POSTGRES",
    "mysql_admin",
    "pg_admin",
    "temporary_mysql_database",
    "temporary_mysql_user",
    "temporary_pg_database",
    "temporary_pg_role",
    "unique_name",
]

POSTGRES = {"host": "127.0.0.1", "port": 5432}
MARIADB = {"host": "127.0.0.1", "port": 3306}


def unique_name(prefix: str) -> str:
    """``prefix`` plus a ULID, lower case: a name no other test run uses."""
    return f"{prefix}_{str(ULID()).lower()}"


# -- PostgreSQL ------------------------------------------------------------------------------


@contextmanager
def pg_admin(database: str = "postgres") -> Iterator[psycopg.Connection[Any]]:
    """An autocommit superuser connection to ``database``."""
    try:
        conn = psycopg.connect(
            host="127.0.0.1",
            port=5432,
            user="postgres",
            dbname=database,
            autocommit=True,
            connect_timeout=5,
        )
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is not reachable on 127.0.0.1:5432 (see README): {exc}")
    with conn:
        yield conn


@contextmanager
def temporary_pg_database(*statements: str) -> Iterator[str]:
    """A new database, set up by ``statements`` (run in it), dropped afterwards."""
    name = unique_name("ia_db")
    with pg_admin() as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        with pg_admin(name) as conn:
            for statement in statements:
                conn.execute(statement.encode())
        yield name
    finally:
        with pg_admin() as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@contextmanager
def temporary_pg_role(options: str = "LOGIN", password: str | None = None) -> Iterator[str]:
    """A new role with ``options`` (``LOGIN``, ``NOLOGIN``), dropped afterwards.

    Grants made to it in a temporary database go with that database; grants elsewhere
    are dropped with ``DROP OWNED``.
    """
    name = unique_name("ia_role")
    with pg_admin() as admin:
        statement = sql.SQL("CREATE ROLE {} " + options).format(sql.Identifier(name))
        if password is not None:
            statement = sql.SQL("{} PASSWORD {}").format(statement, sql.Literal(password))
        admin.execute(statement)
    try:
        yield name
    finally:
        with pg_admin() as admin:
            admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


# -- MariaDB ---------------------------------------------------------------------------------


@contextmanager
def mysql_admin() -> Iterator[pymysql.connections.Connection[Any]]:
    """A root connection with autocommit."""
    try:
        conn: pymysql.connections.Connection[Any] = pymysql.connect(
            host="127.0.0.1", port=3306, user="root", password="", autocommit=True
        )
    except pymysql.err.OperationalError as exc:
        pytest.fail(f"MariaDB is not reachable on 127.0.0.1:3306 (see README): {exc}")
    with conn:
        yield conn


def _run(conn: pymysql.connections.Connection[Any], *statements: str) -> None:
    with conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement)


@contextmanager
def temporary_mysql_database(*statements: str) -> Iterator[str]:
    """A new database, set up by ``statements`` (run in it), dropped afterwards."""
    name = unique_name("ia_db")
    with mysql_admin() as admin:
        _run(admin, f"CREATE DATABASE `{name}`")
    try:
        with mysql_admin() as admin:
            admin.select_db(name)
            _run(admin, *statements)
        yield name
    finally:
        with mysql_admin() as admin:
            _run(admin, f"DROP DATABASE IF EXISTS `{name}`")


@contextmanager
def temporary_mysql_user(password: str, *grants: str) -> Iterator[str]:
    """A new user ``name@'%'`` with ``password``; each grant is ``GRANT {grant} TO`` it."""
    name = unique_name("ia_user")[:32]
    with mysql_admin() as admin:
        _run(admin, f"CREATE USER '{name}'@'%' IDENTIFIED BY '{password}'")
        _run(admin, *(f"GRANT {grant} TO '{name}'@'%'" for grant in grants))
    try:
        yield name
    finally:
        with mysql_admin() as admin:
            _run(admin, f"DROP USER IF EXISTS '{name}'@'%'")
