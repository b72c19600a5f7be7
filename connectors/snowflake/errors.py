"""Snowflake failures, classified by the error numbers Snowflake and its connector use.

Login errors come from Snowflake's authentication service (``390100`` incorrect user or
password, ``390189`` role not granted, ``390201`` database / warehouse / schema not found
with ``validate_default_parameters``); query errors carry SQL error numbers (``002003``
object does not exist, ``003001`` insufficient privileges, ``000606`` no warehouse); the
connector itself numbers network failures ``25xxxx``. The connector's text is inspected
where a number is shared (which object was not found), never copied.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from snowflake.connector import errors as sf_errors

from connectors.errors import (
    AuthError,
    ConnectionFailedError,
    ConnectorError,
    ResourceNotFoundError,
)
from connectors.results import FailureClass
from connectors.sql import errors as sql_errors
from connectors.sql.session import TableRef

__all__ = ["LABEL", "ConnectTarget", "classify"]

LABEL = "Snowflake"


@dataclass(frozen=True, slots=True)
class ConnectTarget:
    """What a message about a failure may name."""

    host: str
    port: int
    account: str
    database: str
    warehouse: str
    role: str
    username: str
    timeout: float


def _login_object(text: str, t: ConnectTarget) -> ConnectorError:
    """Snowflake refused the session's database, schema or warehouse at login."""
    lowered = text.lower()
    if "warehouse" in lowered:
        return ResourceNotFoundError(
            f"Snowflake has no warehouse {t.warehouse}, or role {t.role} may not use it. "
            "Check the warehouse name and that the role has USAGE on it.",
            field="warehouse",
        )
    if "schema" in lowered:
        return ResourceNotFoundError(
            f"The database {t.database} has no schema by that name, or role {t.role} may "
            "not use it. Check the schema name and the role's USAGE grant.",
            field="schema",
        )
    return ResourceNotFoundError(
        f"Snowflake has no database {t.database}, or role {t.role} may not use it. Check "
        "the database name and that the role has USAGE on it.",
        field="database",
    )


def _role(t: ConnectTarget, _: TableRef | None, __: str) -> ConnectorError:
    return AuthError(
        f"User {t.username} may not use role {t.role} (or it does not exist). Check the role "
        "name, or grant the role to the user.",
        failure=FailureClass.PERMISSION_DENIED,
        field="role",
    )


def _denied(t: ConnectTarget, table: TableRef | None, _: str) -> ConnectorError:
    what = table.stream if table is not None else f"the database {t.database}"
    return sql_errors.cannot_read(
        LABEL,
        t.username,
        what,
        f"Grant role {t.role} USAGE on the schema and SELECT on its tables.",
    )


def _no_object(t: ConnectTarget, table: TableRef | None, _: str) -> ConnectorError:
    if table is not None:
        return sql_errors.no_such_table(LABEL, table.stream)
    return sql_errors.no_such_database(LABEL, t.database)


def _network(t: ConnectTarget, _: TableRef | None, text: str) -> ConnectorError:
    lowered = text.lower()
    if "certificate" in lowered or "ssl" in lowered:
        return ConnectionFailedError(
            f"The TLS connection to {LABEL} at {t.host} failed: its certificate was not "
            "trusted. If a proxy inspects TLS on the way, its certificate authority must "
            "be trusted by this service.",
            failure=FailureClass.TLS,
            field="host",
        )
    if "timed out" in lowered or "timeout" in lowered:
        return sql_errors.timed_out(LABEL, t.host, t.port, t.timeout)
    return sql_errors.unreachable(LABEL, t.host, t.port)


def _timed_out(t: ConnectTarget, _: TableRef | None, __: str) -> ConnectorError:
    return sql_errors.timed_out(LABEL, t.host, t.port, t.timeout)


_Classifier = Callable[[ConnectTarget, TableRef | None, str], ConnectorError]


def _codes(classifier: _Classifier, *codes: int) -> dict[int, _Classifier]:
    return dict.fromkeys(codes, classifier)


_BY_CODE: dict[int, _Classifier] = {
    # Login: wrong user or password, locked, disabled, expired or invalid token.
    **_codes(
        lambda t, _, __: sql_errors.auth_failed(LABEL, t.username),
        390100,
        390101,
        390102,
        390103,
        390104,
        390113,
        390114,
        390144,
    ),
    390189: _role,
    **_codes(lambda t, _, text: _login_object(text, t), 390201, 390202, 390203),
    606: lambda t, _, __: _login_object("warehouse", t),  # no active warehouse
    2003: _no_object,
    3001: _denied,
    **_codes(_timed_out, 604, 630, 251011),
    **_codes(_network, 250001, 250003, 250005, 251012, 251014),
}


def classify(
    exc: BaseException, target: ConnectTarget, *, table: TableRef | None = None
) -> ConnectorError:
    """Translate a Snowflake connector error raised while connecting or querying."""
    if isinstance(exc, OSError):
        return sql_errors.network_error(LABEL, target.host, target.port, exc, target.timeout)
    if not isinstance(exc, sf_errors.Error):
        return sql_errors.unexpected(LABEL, type(exc).__name__, exc)
    code = exc.errno or 0
    classifier = _BY_CODE.get(code)
    if classifier is None and isinstance(exc, sf_errors.OperationalError):
        classifier = _network
    if classifier is None:
        return sql_errors.unexpected(LABEL, f"{code:06d}" if code else type(exc).__name__, exc)
    return classifier(target, table, exc.msg or "")
