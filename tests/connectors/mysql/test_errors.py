"""How MySQL / MariaDB errors are classified, including ones the local server cannot produce.

Errors are built as PyMySQL raises them: ``(number, message)``.
"""

from __future__ import annotations

import ssl

import pymysql
import pytest

from connectors.mysql.errors import ConnectTarget, classify
from connectors.results import FailureClass
from connectors.sql.session import TableRef

TARGET = ConnectTarget(
    host="db.example.com",
    port=3306,
    database="shop",
    username="etl",
    sslmode="verify-identity",
    timeout=5.0,
)


def _wrapped(original: BaseException) -> pymysql.err.OperationalError:
    error = pymysql.err.OperationalError(2003, "Can't connect to MySQL server")
    error.original_exception = original  # type: ignore[attr-defined]
    return error


@pytest.mark.parametrize(
    ("error", "failure", "field"),
    [
        (pymysql.err.OperationalError(1045, "Access denied"), "auth_failed", "password"),
        (pymysql.err.OperationalError(1044, "Access denied to database"), "not_found", "database"),
        (pymysql.err.OperationalError(1049, "Unknown database"), "not_found", "database"),
        (
            pymysql.err.OperationalError(1142, "SELECT command denied"),
            "permission_denied",
            "username",
        ),
        (pymysql.err.ProgrammingError(1146, "Table doesn't exist"), "not_found", "streams"),
        (pymysql.err.OperationalError(1130, "Host is not allowed"), "auth_failed", "username"),
        (pymysql.err.OperationalError(1040, "Too many connections"), "server_error", None),
        (pymysql.err.OperationalError(3024, "max_execution_time exceeded"), "timeout", "host"),
        (
            pymysql.err.OperationalError(2026, "SSL is required but the server doesn't support it"),
            "tls",
            "sslmode",
        ),
        (pymysql.err.OperationalError(3159, "insecure transport are prohibited"), "tls", "sslmode"),
        (_wrapped(ssl.SSLCertVerificationError("certificate verify failed")), "tls", "sslmode"),
        (_wrapped(TimeoutError("timed out")), "timeout", "host"),
        (_wrapped(ConnectionRefusedError()), "unreachable", "host"),
        (pymysql.err.OperationalError(2013, "Lost connection (timed out)"), "timeout", "host"),
        (pymysql.err.OperationalError(2006, "MySQL server has gone away"), "unreachable", "host"),
        (ConnectionRefusedError(), "unreachable", "host"),
        (
            pymysql.err.OperationalError(1064, "You have an error in your SQL syntax"),
            "unknown",
            None,
        ),
    ],
    ids=[
        "1045-wrong-password",
        "1044-no-access-to-database",
        "1049-unknown-database",
        "1142-select-denied",
        "1146-no-table",
        "1130-host-refused",
        "1040-busy",
        "3024-statement-timeout",
        "2026-server-without-tls",
        "3159-server-wants-tls",
        "bad-certificate",
        "connect-timeout",
        "refused",
        "2013-read-timeout",
        "2006-gone-away",
        "socket-refused",
        "unclassified",
    ],
)
def test_errors_are_classified(error: BaseException, failure: str, field: str | None) -> None:
    classified = classify(error, TARGET, table=TableRef("shop", "orders"))

    assert (classified.failure, classified.field) == (FailureClass(failure), field)
