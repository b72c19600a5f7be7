"""Snowflake reads against the emulator (fakesnow): incremental state, JSON-safe values."""

from __future__ import annotations

import json
from typing import Any

import pytest

from connectors.errors import ResourceNotFoundError
from connectors.snowflake import SnowflakeConnector
from tests.connectors.snowflake.emulator import SnowflakeEmulator
from tests.connectors.sql.messages import last_state, read_all, records


async def test_emulator_incremental_read_resumes_after_the_saved_cursor(
    snowflake: SnowflakeConnector,
    sf_config: dict[str, Any],
    sf_secrets: dict[str, str],
    emulator: SnowflakeEmulator,
) -> None:
    # Typed in lower case; the column is stored as UPDATED_AT.
    config = {**sf_config, "cursor_fields": {"SALES.ORDERS": "updated_at"}}
    first = await read_all(snowflake, config, sf_secrets, ["SALES.ORDERS"])
    emulator.execute(
        "INSERT INTO analytics.sales.orders VALUES (4, 1, NULL, '2024-01-03 10:00:00', NULL)"
    )

    second = await read_all(snowflake, config, sf_secrets, ["SALES.ORDERS"], last_state(first))
    third = await read_all(snowflake, config, sf_secrets, ["SALES.ORDERS"], last_state(second))

    assert [r["ID"] for r in records(first)] == [1, 2, 3]
    assert [r["ID"] for r in records(second)] == [4]
    assert records(third) == []
    assert last_state(second)["streams"]["SALES.ORDERS"] == {
        "mode": "incremental",
        "cursor_field": "UPDATED_AT",
        "cursor": "2024-01-03T10:00:00",
        "cursor_type": "datetime",
    }


async def test_emulator_values_are_json_safe(
    snowflake: SnowflakeConnector,
    sf_config: dict[str, Any],
    sf_secrets: dict[str, str],
    emulator: SnowflakeEmulator,
) -> None:
    emulator.execute(
        """CREATE TABLE analytics.public.kinds (n number(6, 2), i int, b boolean, d date,
            ts timestamp_ntz, bin binary, v variant)""",
        """INSERT INTO analytics.public.kinds SELECT 12.30, 7, true, '2024-05-01',
            '2024-05-01 10:00:00.5', to_binary('DEADBEEF', 'HEX'), parse_json('{"a": [1, 2]}')""",
    )
    messages = await read_all(snowflake, sf_config, sf_secrets, ["PUBLIC.KINDS"])

    (record,) = records(messages)
    assert json.loads(json.dumps(record)) == record
    assert record["N"] == "12.30"
    assert record["I"] == 7
    assert record["B"] is True
    assert record["D"] == "2024-05-01"
    assert record["TS"] == "2024-05-01T10:00:00.500000"
    assert record["BIN"] == "3q2+7w=="
    assert json.loads(record["V"]) == {"a": [1, 2]}


async def test_emulator_preview_returns_the_first_rows(
    snowflake: SnowflakeConnector, sf_config: dict[str, Any], sf_secrets: dict[str, str]
) -> None:
    rows = await snowflake.preview(sf_config, sf_secrets, "PUBLIC.people", 1)

    assert rows == [{"id": 1, "name": "Ada"}]


async def test_emulator_unknown_stream_is_not_found(
    snowflake: SnowflakeConnector, sf_config: dict[str, Any], sf_secrets: dict[str, str]
) -> None:
    with pytest.raises(ResourceNotFoundError):
        await read_all(snowflake, sf_config, sf_secrets, ["SALES.REFUNDS"])
