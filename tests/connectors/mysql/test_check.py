"""MySQL / MariaDB ``check`` against the real MariaDB: each step, each failure classified."""

from __future__ import annotations

from connectors.base import ConnectorContext
from connectors.mysql import MySqlConnector
from connectors.results import FailureClass, StepStatus
from tests.conftest import LOOPBACK
from tests.connectors.mysql.conftest import MyDatabases
from tests.connectors.sql.listeners import silent_server
from tests.connectors.sql.messages import statuses
from tests.support.ports import free_port


async def test_check_logs_in_and_counts_the_tables(my: MySqlConnector, my_db: MyDatabases) -> None:
    result = await my.check(my_db.config(), my_db.secrets())

    assert result.ok, result.message
    assert set(statuses(result).values()) == {StepStatus.OK}
    assert result.details["schemas"] == {my_db.shop: 3}
    assert result.details["readable"] == {my_db.shop: 3}
    assert result.details["server"].startswith(("MariaDB ", "MySQL "))
    assert f"database {my_db.shop}" in result.message


async def test_other_databases_can_be_discovered_too(
    my: MySqlConnector, my_db: MyDatabases
) -> None:
    result = await my.check(my_db.config(schemas=[my_db.shop, my_db.crm]), my_db.secrets())

    assert result.ok
    assert list(result.details["schemas"]) == [my_db.shop, my_db.crm]
    assert result.details["readable_tables"] == 4


async def test_a_wrong_password_is_an_auth_failure(my: MySqlConnector, my_db: MyDatabases) -> None:
    result = await my.check(my_db.config(), my_db.secrets(password="not-the-password"))

    assert result.failure is FailureClass.AUTH_FAILED
    assert result.field == "password"
    assert statuses(result)["connect"] is StepStatus.OK
    assert statuses(result)["authenticate"] is StepStatus.FAILED


async def test_an_unknown_database_is_not_found(my: MySqlConnector, my_db: MyDatabases) -> None:
    # MariaDB answers 1044 (access denied) to a user without privileges on the name,
    # so as not to reveal whether it exists; root gets 1049 (unknown database).
    for secrets in (my_db.secrets(), {"username": "root", "password": ""}):
        result = await my.check(my_db.config(database="ia_no_such_database"), secrets)

        assert result.failure is FailureClass.NOT_FOUND, result.message
        assert result.field == "database"


async def test_a_user_who_may_not_select_is_permission_denied(
    my: MySqlConnector, my_db: MyDatabases
) -> None:
    result = await my.check(my_db.config(), my_db.secrets(my_db.inserter))

    assert result.failure is FailureClass.PERMISSION_DENIED
    assert result.field == "username"
    assert statuses(result)["authenticate"] is StepStatus.OK
    assert statuses(result)["query"] is StepStatus.FAILED


async def test_a_missing_database_to_discover_is_not_found(
    my: MySqlConnector, my_db: MyDatabases
) -> None:
    result = await my.check(my_db.config(schemas="ia_no_such_database"), my_db.secrets())

    assert result.failure is FailureClass.NOT_FOUND
    assert result.field == "schemas"


async def test_a_closed_port_is_unreachable(my: MySqlConnector, my_db: MyDatabases) -> None:
    result = await my.check(my_db.config(port=free_port()), my_db.secrets())

    assert result.failure is FailureClass.UNREACHABLE
    assert statuses(result)["connect"] is StepStatus.FAILED


async def test_a_server_that_never_answers_times_out(my_db: MyDatabases) -> None:
    connector = MySqlConnector(ConnectorContext(network=LOOPBACK, timeout=1.0))
    with silent_server() as port:
        result = await connector.check(my_db.config(port=port), my_db.secrets())

    assert result.failure is FailureClass.TIMEOUT
    assert result.field == "host"


async def test_requiring_tls_from_a_server_without_it_is_a_tls_failure(
    my: MySqlConnector, my_db: MyDatabases
) -> None:
    for sslmode in ("required", "verify-ca", "verify-identity"):
        result = await my.check(my_db.config(sslmode=sslmode), my_db.secrets())

        assert result.failure is FailureClass.TLS, sslmode
        assert result.field == "sslmode"


async def test_tls_can_be_turned_off(my: MySqlConnector, my_db: MyDatabases) -> None:
    result = await my.check(my_db.config(sslmode="disabled"), my_db.secrets())

    assert result.ok
    assert "without TLS" in result.steps[2].message


async def test_the_guard_refuses_loopback_by_default(my_db: MyDatabases) -> None:
    result = await MySqlConnector(ConnectorContext()).check(my_db.config(), my_db.secrets())

    assert result.failure is FailureClass.BLOCKED_BY_POLICY
    assert result.field == "host"
