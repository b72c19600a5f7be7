"""PostgreSQL failures, classified: SQLSTATE codes where libpq has them, else its message.

Errors raised by a query carry a SQLSTATE (``28P01``, ``3D000``, ``42501``...). Errors
raised while connecting do not: libpq reports them as text only (``FATAL: database "x"
does not exist``), so those are recognised by libpq's and the server's English wording.
A server whose messages are translated (``lc_messages``) still gets its network and TLS
failures classified, since libpq words those itself; the rest fall back to a generic
message. The driver's text is inspected, never copied into our message.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import psycopg

from connectors.errors import AuthError, ConnectionFailedError, ConnectorError
from connectors.results import FailureClass
from connectors.sql import errors as sql_errors
from connectors.sql.engine import ConnectTarget, driver_error
from connectors.sql.session import TableRef

__all__ = ["ConnectTarget", "classify_connect_error", "classify_query_error"]

LABEL = "PostgreSQL"


def _no_connect_privilege(t: ConnectTarget) -> ConnectorError:
    return sql_errors.cannot_read(
        LABEL,
        t.username,
        f"the database {t.database}: it lacks the CONNECT privilege",
        f"Grant it: GRANT CONNECT ON DATABASE {t.database} TO {t.username};",
    )


def _server_wants_tls(t: ConnectTarget) -> ConnectorError:
    return ConnectionFailedError(
        f"{LABEL} accepts only encrypted connections from here (its pg_hba.conf has no "
        f"entry for unencrypted ones), but sslmode is {t.sslmode}. Set sslmode to require "
        "or stricter.",
        failure=FailureClass.TLS,
        field="sslmode",
    )


def _pg_hba_refuses(t: ConnectTarget) -> ConnectorError:
    return AuthError(
        f"{LABEL}'s pg_hba.conf does not let user {t.username} connect to {t.database} from "
        "our address. Ask the database administrator to add an entry for it.",
        field="username",
    )


_Builder = Callable[[ConnectTarget], ConnectorError]
# Checked in order: the pg_hba.conf wordings mention encryption, so they come before the
# TLS ones; "does not support SSL" is more specific than other TLS wordings.
_CONNECT_PATTERNS: tuple[tuple[re.Pattern[str], _Builder], ...] = (
    (
        re.compile(r"no pg_hba\.conf entry.*(no encryption|SSL off)", re.DOTALL),
        _server_wants_tls,
    ),
    (re.compile(r"no pg_hba\.conf entry|pg_hba\.conf rejects"), _pg_hba_refuses),
    (
        re.compile(r"does not support SSL|SSL is not enabled on the server"),
        lambda t: sql_errors.tls_required(LABEL, t.sslmode),
    ),
    (
        re.compile(
            r"password authentication failed|authentication failed|password is required"
            r"|no password supplied"
        ),
        lambda t: sql_errors.auth_failed(LABEL, t.username),
    ),
    (
        re.compile(r"is not permitted to log in|role \".*\" does not exist"),
        lambda t: sql_errors.auth_failed(LABEL, t.username, field="username"),
    ),
    (
        re.compile(r"database \".*\" does not exist"),
        lambda t: sql_errors.no_such_database(LABEL, t.database),
    ),
    (re.compile(r"permission denied for database|CONNECT privilege"), _no_connect_privilege),
    (
        re.compile(r"SSL|certificate|TLS|sslv3|root certificate file"),
        lambda t: sql_errors.tls_failed(LABEL, t.host, t.sslmode),
    ),
    (
        re.compile(r"timeout expired|timed out"),
        lambda t: sql_errors.timed_out(LABEL, t.host, t.port, t.timeout),
    ),
    (
        re.compile(
            r"too many (connections|clients)|remaining connection slots|the database system "
            r"is (starting up|shutting down|in recovery|not yet accepting)"
        ),
        lambda _t: sql_errors.server_busy(LABEL),
    ),
    (
        re.compile(
            r"Connection refused|No route to host|Network is unreachable|could not translate "
            r"host name|could not connect|Connection reset|server closed the connection"
        ),
        lambda t: sql_errors.unreachable(LABEL, t.host, t.port),
    ),
)


def classify_connect_error(exc: BaseException, target: ConnectTarget) -> ConnectorError:
    """Classify a failure to connect or log in (no SQLSTATE: see the module docstring)."""
    error = driver_error(exc)
    state = getattr(error, "sqlstate", None)
    if isinstance(state, str) and state:
        return classify_query_error(error, table=None, target=target)
    text = str(error)
    for pattern, build in _CONNECT_PATTERNS:
        if pattern.search(text):
            return build(target)
    return sql_errors.unexpected(LABEL, type(error).__name__, error)


def _denied(t: ConnectTarget, table: TableRef | None) -> ConnectorError:
    what = table.stream if table is not None else f"the database {t.database}"
    return sql_errors.cannot_read(
        LABEL, t.username, what, "Grant USAGE on its schema and SELECT on the table."
    )


def _no_table(t: ConnectTarget, table: TableRef | None) -> ConnectorError:
    if table is None:
        return sql_errors.no_such_database(LABEL, t.database)
    return sql_errors.no_such_table(LABEL, table.stream)


def _bad_cursor(t: ConnectTarget, table: TableRef | None) -> ConnectorError:
    return sql_errors.bad_cursor_column(table.stream if table is not None else t.database)


_Classifier = Callable[[ConnectTarget, TableRef | None], ConnectorError]


def _states(classifier: _Classifier, *states: str) -> dict[str, _Classifier]:
    return dict.fromkeys(states, classifier)


_BY_SQLSTATE: dict[str, _Classifier] = {
    **_states(lambda t, _: sql_errors.auth_failed(LABEL, t.username), "28P01", "28000"),
    "3D000": lambda t, _: sql_errors.no_such_database(LABEL, t.database),
    "42501": _denied,
    **_states(_no_table, "42P01", "3F000"),
    # operator does not exist: the cursor column cannot be compared with its saved value.
    "42883": _bad_cursor,
    "57014": lambda t, _: sql_errors.timed_out(LABEL, t.host, t.port, t.timeout),
    **_states(lambda _, __: sql_errors.server_busy(LABEL), "53300", "57P03", "53000", "55P03"),
    **_states(lambda _, __: sql_errors.connection_lost(LABEL), "57P01", "57P02"),
}


def classify_query_error(
    exc: BaseException, *, table: TableRef | None, target: ConnectTarget
) -> ConnectorError:
    """Classify a failure of a query by its SQLSTATE."""
    error = driver_error(exc)
    state = str(getattr(error, "sqlstate", "") or "")
    classifier = _BY_SQLSTATE.get(state)
    if classifier is not None:
        return classifier(target, table)
    if state.startswith("08") or (not state and isinstance(error, psycopg.OperationalError)):
        return sql_errors.connection_lost(LABEL)
    return sql_errors.unexpected(LABEL, state or type(error).__name__, error)
