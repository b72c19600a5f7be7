"""How PostgreSQL failures are classified, for the ones the local server cannot produce.

The server here trusts loopback logins and has no TLS, so a wrong password (28P01), a
pg_hba.conf that wants TLS, a rejected certificate and the like are fed to the
classifier as psycopg raises them, with libpq's and the server's own wording.
"""

from __future__ import annotations

import psycopg
import psycopg.errors
import pytest

from connectors.postgres.errors import (
    ConnectTarget,
    classify_connect_error,
    classify_query_error,
)
from connectors.results import FailureClass
from connectors.sql.session import TableRef

TARGET = ConnectTarget(
    host="db.example.com",
    port=5432,
    database="warehouse",
    username="etl",
    sslmode="verify-full",
    timeout=5.0,
)
FAILED = 'connection failed: connection to server at "203.0.113.9", port 5432 failed: '


@pytest.mark.parametrize(
    ("text", "failure", "field"),
    [
        ('FATAL:  password authentication failed for user "etl"', "auth_failed", "password"),
        ('FATAL:  role "etl" is not permitted to log in', "auth_failed", "username"),
        (
            'FATAL:  no pg_hba.conf entry for host "198.51.100.1", user "etl", database '
            '"warehouse", no encryption',
            "tls",
            "sslmode",
        ),
        (
            'FATAL:  no pg_hba.conf entry for host "198.51.100.1", user "etl", database '
            '"warehouse", SSL encryption',
            "auth_failed",
            "username",
        ),
        ('FATAL:  database "warehouse" does not exist', "not_found", "database"),
        (
            'FATAL:  permission denied for database "warehouse"\nDETAIL:  User does not have '
            "CONNECT privilege.",
            "permission_denied",
            "username",
        ),
        ("server does not support SSL, but SSL was required", "tls", "sslmode"),
        (
            "SSL error: certificate verify failed",
            "tls",
            "sslmode",
        ),
        ('server certificate for "other.example.com" does not match host name', "tls", "sslmode"),
        ("timeout expired", "timeout", "host"),
        ("Connection refused\n\tIs the server running on that host?", "unreachable", "host"),
        ("FATAL:  sorry, too many clients already", "server_error", None),
        ("FATAL:  the database system is starting up", "server_error", None),
    ],
    ids=[
        "wrong-password",
        "nologin",
        "pg-hba-wants-tls",
        "pg-hba-refuses",
        "no-database",
        "no-connect-privilege",
        "server-without-tls",
        "untrusted-certificate",
        "certificate-name",
        "timeout",
        "refused",
        "too-many-clients",
        "starting-up",
    ],
)
def test_connection_failures(text: str, failure: str, field: str | None) -> None:
    error = classify_connect_error(psycopg.OperationalError(FAILED + text), TARGET)

    assert (error.failure, error.field) == (FailureClass(failure), field)
    assert "FATAL" not in error.message


@pytest.mark.parametrize(
    ("error", "failure"),
    [
        (psycopg.errors.InvalidPassword("x"), "auth_failed"),
        (psycopg.errors.InvalidAuthorizationSpecification("x"), "auth_failed"),
        (psycopg.errors.InvalidCatalogName("x"), "not_found"),
        (psycopg.errors.InsufficientPrivilege("x"), "permission_denied"),
        (psycopg.errors.UndefinedTable("x"), "not_found"),
        (psycopg.errors.UndefinedFunction("x"), "invalid_config"),
        (psycopg.errors.QueryCanceled("x"), "timeout"),
        (psycopg.errors.AdminShutdown("x"), "unreachable"),
        (psycopg.errors.DivisionByZero("x"), "unknown"),
    ],
    ids=lambda e: getattr(e, "sqlstate", None) or e,
)
def test_query_failures_by_sqlstate(error: Exception, failure: str) -> None:
    classified = classify_query_error(error, table=TableRef("sales", "orders"), target=TARGET)

    assert classified.failure is FailureClass(failure)
    assert "x" not in classified.message.split()
