"""PostgreSQL ``check`` against the real server: each step, each failure classified.

The server trusts every login from 127.0.0.1 (its pg_hba.conf), so a wrong password is
never noticed here. Login failures are produced honestly instead: a role without the
LOGIN attribute is refused with SQLSTATE 28000 ("not permitted to log in"), and a role
that does not exist likewise. Both are real authentication failures; the password
mismatch itself (28P01) is covered by the classification unit tests.
"""

from __future__ import annotations

import pytest

from connectors.base import ConnectorContext
from connectors.postgres import PostgresConnector
from connectors.results import FailureClass, StepStatus
from tests.conftest import LOOPBACK
from tests.connectors.postgres.conftest import PgDatabase
from tests.connectors.sql.listeners import silent_server
from tests.connectors.sql.messages import statuses
from tests.support.ports import free_port


async def test_check_logs_in_and_counts_what_the_user_may_read(
    pg: PostgresConnector, pg_db: PgDatabase
) -> None:
    result = await pg.check(pg_db.config(), pg_db.secrets())

    assert result.ok, result.message
    assert set(statuses(result).values()) == {StepStatus.OK}
    assert list(statuses(result)) == [
        "validate_config",
        "resolve_host",
        "connect",
        "authenticate",
        "query",
    ]
    assert result.details["schemas"] == {"finance": 2, "public": 0, "sales": 3}
    assert result.details["readable"] == {"finance": 1, "public": 0, "sales": 3}
    assert result.details["server"].startswith("PostgreSQL ")
    assert result.details["tls"] is False
    assert "without TLS" in result.steps[2].message


async def test_check_with_a_schema_filter_counts_only_those(
    pg: PostgresConnector, pg_db: PgDatabase
) -> None:
    result = await pg.check(pg_db.config(schemas="sales"), pg_db.secrets())

    assert result.ok
    assert result.details["schemas"] == {"sales": 3}
    assert "3 tables and views" in result.message


async def test_a_missing_schema_is_not_found(pg: PostgresConnector, pg_db: PgDatabase) -> None:
    result = await pg.check(pg_db.config(schemas="sales, marketing"), pg_db.secrets())

    assert result.failure is FailureClass.NOT_FOUND
    assert result.field == "schemas"
    assert "marketing" in result.message


async def test_a_role_without_login_is_an_auth_failure(
    pg: PostgresConnector, pg_db: PgDatabase
) -> None:
    result = await pg.check(pg_db.config(), pg_db.secrets(pg_db.no_login))

    assert result.failure is FailureClass.AUTH_FAILED
    assert result.field == "username"
    assert statuses(result)["connect"] is StepStatus.OK
    assert statuses(result)["authenticate"] is StepStatus.FAILED


async def test_an_unknown_role_is_an_auth_failure(pg: PostgresConnector, pg_db: PgDatabase) -> None:
    result = await pg.check(pg_db.config(), pg_db.secrets("ia_no_such_role_anywhere"))

    assert result.failure is FailureClass.AUTH_FAILED


async def test_an_unknown_database_is_not_found(pg: PostgresConnector, pg_db: PgDatabase) -> None:
    result = await pg.check(pg_db.config(database="ia_no_such_database"), pg_db.secrets())

    assert result.failure is FailureClass.NOT_FOUND
    assert result.field == "database"
    assert "ia_no_such_database" in result.message


async def test_a_user_without_grants_is_permission_denied(
    pg: PostgresConnector, pg_db: PgDatabase
) -> None:
    result = await pg.check(pg_db.config(), pg_db.secrets(pg_db.no_grants))

    assert result.failure is FailureClass.PERMISSION_DENIED
    assert result.field == "username"
    assert statuses(result)["authenticate"] is StepStatus.OK
    assert statuses(result)["query"] is StepStatus.FAILED
    assert "GRANT" in result.message or "Grant" in result.message
    assert result.details["readable_tables"] == 0


async def test_a_closed_port_is_unreachable(pg: PostgresConnector, pg_db: PgDatabase) -> None:
    result = await pg.check(pg_db.config(port=free_port()), pg_db.secrets())

    assert result.failure is FailureClass.UNREACHABLE
    assert result.field == "host"
    assert statuses(result)["connect"] is StepStatus.FAILED


async def test_a_server_that_never_answers_times_out(pg_db: PgDatabase) -> None:
    # libpq's connect_timeout has a floor of 2 seconds.
    connector = PostgresConnector(ConnectorContext(network=LOOPBACK, timeout=1.0))
    with silent_server() as port:
        result = await connector.check(pg_db.config(port=port), pg_db.secrets())

    assert result.failure is FailureClass.TIMEOUT
    assert result.field == "host"


async def test_requiring_tls_from_a_server_without_it_is_a_tls_failure(
    pg: PostgresConnector, pg_db: PgDatabase
) -> None:
    result = await pg.check(pg_db.config(sslmode="require"), pg_db.secrets())

    assert result.failure is FailureClass.TLS
    assert result.field == "sslmode"
    assert statuses(result)["connect"] is StepStatus.FAILED


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_the_guard_refuses_loopback_by_default(host: str, pg_db: PgDatabase) -> None:
    result = await PostgresConnector(ConnectorContext()).check(
        pg_db.config(host=host), pg_db.secrets()
    )

    assert result.failure is FailureClass.BLOCKED_BY_POLICY
    assert result.field == "host"
    assert "INGESTION_AGENT_ALLOWED_NETWORKS" in result.message
    assert statuses(result)["resolve_host"] is StepStatus.FAILED


async def test_a_host_name_is_resolved_checked_and_connected_to(
    pg: PostgresConnector, pg_db: PgDatabase
) -> None:
    result = await pg.check(pg_db.config(host="localhost"), pg_db.secrets())

    assert result.ok, result.message
    assert "localhost resolves to" in result.steps[1].message
