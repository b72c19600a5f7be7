"""MySQL / MariaDB failures, classified by the server's error numbers.

The server answers with numbered errors (1045 access denied, 1049 unknown database...);
the client library adds its own (2003 cannot connect, 2013 lost connection, 2026 TLS).
The driver's text is never copied into our message.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable

import pymysql

from connectors.errors import (
    AuthError,
    ConnectionFailedError,
    ConnectorError,
    ResourceNotFoundError,
)
from connectors.results import FailureClass
from connectors.sql import errors as sql_errors
from connectors.sql.engine import ConnectTarget, driver_error
from connectors.sql.session import TableRef

__all__ = ["LABEL", "ConnectTarget", "classify"]

LABEL = "MySQL"


def _code(error: BaseException) -> int | None:
    if isinstance(error, pymysql.err.Error) and error.args and isinstance(error.args[0], int):
        return error.args[0]
    return None


def _network(error: BaseException, t: ConnectTarget, _: TableRef | None) -> ConnectorError:
    """2003 and friends: PyMySQL keeps the socket error it wrapped."""
    original = getattr(error, "original_exception", None)
    if isinstance(original, ssl.SSLError):
        return sql_errors.tls_failed(LABEL, t.host, t.sslmode)
    if isinstance(original, TimeoutError) or "timed out" in str(error):
        return sql_errors.timed_out(LABEL, t.host, t.port, t.timeout)
    return sql_errors.unreachable(LABEL, t.host, t.port)


def _lost(error: BaseException, t: ConnectTarget, _: TableRef | None) -> ConnectorError:
    if "timed out" in str(error):
        return sql_errors.timed_out(LABEL, t.host, t.port, t.timeout)
    return sql_errors.connection_lost(LABEL)


def _database_denied(_: BaseException, t: ConnectTarget, __: TableRef | None) -> ConnectorError:
    # MySQL answers 1044 alike for a database that does not exist and for one the user
    # has no privilege on, so as not to reveal which exist: a mistyped name is the likelier
    # cause, and the message names both.
    return ResourceNotFoundError(
        f"{LABEL} has no database {t.database} that user {t.username} may use: it does not "
        "exist, or the user has no privileges on it. Check the database name, or grant "
        f"access: GRANT SELECT ON `{t.database}`.* TO the user.",
        field="database",
    )


def _table_denied(_: BaseException, t: ConnectTarget, table: TableRef | None) -> ConnectorError:
    what = table.stream if table is not None else f"the tables of {t.database}"
    return sql_errors.cannot_read(
        LABEL, t.username, what, "Grant it SELECT on the table or its database."
    )


def _no_table(error: BaseException, _: ConnectTarget, table: TableRef | None) -> ConnectorError:
    if table is None:
        return sql_errors.unexpected(LABEL, 1146, error)
    return sql_errors.no_such_table(LABEL, table.stream)


def _host_refused(_: BaseException, t: ConnectTarget, __: TableRef | None) -> ConnectorError:
    return AuthError(
        f"{LABEL} does not accept connections from our address for user {t.username}. Ask "
        "the database administrator to allow the user from this host.",
        field="username",
    )


def _tls(error: BaseException, t: ConnectTarget, _: TableRef | None) -> ConnectorError:
    if "required" in str(error):
        return sql_errors.tls_required(LABEL, t.sslmode)
    return sql_errors.tls_failed(LABEL, t.host, t.sslmode)


def _insecure(_: BaseException, t: ConnectTarget, __: TableRef | None) -> ConnectorError:
    return ConnectionFailedError(
        f"{LABEL} accepts only encrypted connections, but sslmode is {t.sslmode}. Set "
        "sslmode to required or stricter.",
        failure=FailureClass.TLS,
        field="sslmode",
    )


_Classifier = Callable[[BaseException, ConnectTarget, TableRef | None], ConnectorError]


def _codes(classifier: _Classifier, *codes: int) -> dict[int, _Classifier]:
    return dict.fromkeys(codes, classifier)


# Server errors (1xxx, 3xxx) and client errors (2xxx) by number.
_BY_CODE: dict[int, _Classifier] = {
    1045: lambda _, t, __: sql_errors.auth_failed(LABEL, t.username),
    1044: _database_denied,
    1049: lambda _, t, __: sql_errors.no_such_database(LABEL, t.database),
    1146: _no_table,
    **_codes(_table_denied, 1142, 1143),
    **_codes(_host_refused, 1129, 1130),
    **_codes(lambda _, __, ___: sql_errors.server_busy(LABEL), 1040, 1203, 1226),
    # max_execution_time (MySQL), max_statement_time (MariaDB), query killed.
    **_codes(
        lambda _, t, __: sql_errors.timed_out(LABEL, t.host, t.port, t.timeout), 3024, 1969, 1317
    ),
    2026: _tls,
    3159: _insecure,
    **_codes(_network, 2002, 2003),
    **_codes(_lost, 2006, 2013, 2055),
}


def classify(
    exc: BaseException, target: ConnectTarget, *, table: TableRef | None = None
) -> ConnectorError:
    """Translate a PyMySQL (or socket) error raised while connecting or querying."""
    error = driver_error(exc)
    if isinstance(error, ssl.SSLError):
        return sql_errors.tls_failed(LABEL, target.host, target.sslmode)
    if isinstance(error, OSError):
        return sql_errors.network_error(LABEL, target.host, target.port, error, target.timeout)
    code = _code(error)
    classifier = _BY_CODE.get(code) if code is not None else None
    if classifier is None and "insecure transport" in str(error):
        classifier = _insecure
    if classifier is None:
        return sql_errors.unexpected(
            LABEL, code if code is not None else type(error).__name__, error
        )
    return classifier(error, target, table)
