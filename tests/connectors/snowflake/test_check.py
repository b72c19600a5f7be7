"""Snowflake ``check`` against the emulator (fakesnow behind a login stand-in)."""

from __future__ import annotations

from typing import Any

from connectors.base import ConnectorContext
from connectors.results import FailureClass, StepStatus
from connectors.snowflake import SnowflakeConnector
from tests.connectors.snowflake.emulator import SnowflakeEmulator
from tests.connectors.sql.messages import statuses
from tests.support.ports import free_port


async def test_emulator_check_logs_in_and_counts_tables_per_schema(
    snowflake: SnowflakeConnector,
    sf_config: dict[str, Any],
    sf_secrets: dict[str, str],
    emulator: SnowflakeEmulator,
) -> None:
    result = await snowflake.check(sf_config, sf_secrets)

    assert result.ok, result.message
    assert set(statuses(result).values()) == {StepStatus.OK}
    assert result.details["schemas"] == {"PUBLIC": 1, "SALES": 2}
    (login,) = emulator.logins
    assert login["validate_default_parameters"] is True
    assert (login["warehouse"], login["role"], login["schema"]) == (
        "COMPUTE_WH",
        "REPORTER",
        "PUBLIC",
    )
    assert (login["host"], login["port"]) == ("127.0.0.1", sf_config["port"])


async def test_emulator_wrong_password_is_an_auth_failure(
    snowflake: SnowflakeConnector, sf_config: dict[str, Any]
) -> None:
    result = await snowflake.check(sf_config, {"username": "reader", "password": "nope-nope"})

    assert result.failure is FailureClass.AUTH_FAILED
    assert result.field == "password"
    assert statuses(result)["authenticate"] is StepStatus.FAILED


async def test_emulator_unknown_database_is_not_found(
    snowflake: SnowflakeConnector, sf_config: dict[str, Any], sf_secrets: dict[str, str]
) -> None:
    result = await snowflake.check({**sf_config, "database": "nowhere"}, sf_secrets)

    assert result.failure is FailureClass.NOT_FOUND
    assert result.field == "database"


async def test_emulator_unknown_schema_to_discover_is_not_found(
    snowflake: SnowflakeConnector, sf_config: dict[str, Any], sf_secrets: dict[str, str]
) -> None:
    result = await snowflake.check({**sf_config, "schemas": "sales, marketing"}, sf_secrets)

    assert result.failure is FailureClass.NOT_FOUND
    assert result.field == "schemas"
    assert "marketing" in result.message


async def test_emulator_closed_port_is_unreachable(
    snowflake: SnowflakeConnector, sf_config: dict[str, Any], sf_secrets: dict[str, str]
) -> None:
    result = await snowflake.check({**sf_config, "port": free_port()}, sf_secrets)

    assert result.failure is FailureClass.UNREACHABLE
    assert statuses(result)["connect"] is StepStatus.FAILED


async def test_emulator_the_guard_checks_the_host_before_logging_in(
    emulator: SnowflakeEmulator, sf_config: dict[str, Any], sf_secrets: dict[str, str]
) -> None:
    connector = SnowflakeConnector(ConnectorContext(), connect=emulator.connect)

    result = await connector.check(sf_config, sf_secrets)

    assert result.failure is FailureClass.BLOCKED_BY_POLICY
    assert result.field == "host"
    assert emulator.logins == []


async def test_emulator_an_unresolvable_account_host_is_unreachable(
    emulator: SnowflakeEmulator, sf_config: dict[str, Any], sf_secrets: dict[str, str]
) -> None:
    connector = SnowflakeConnector(ConnectorContext(), connect=emulator.connect)
    config = {k: v for k, v in sf_config.items() if k not in ("host", "port")}

    result = await connector.check({**config, "account": "no-such-account.invalid"}, sf_secrets)

    assert result.failure is FailureClass.UNREACHABLE
    assert result.field == "account"
    assert emulator.logins == []
