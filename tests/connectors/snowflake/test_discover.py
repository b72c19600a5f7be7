"""Snowflake discovery with SHOW commands, against the emulator (fakesnow)."""

from __future__ import annotations

from typing import Any

from connectors.results import Catalog, Column
from connectors.snowflake import SnowflakeConnector


async def _discover(
    connector: SnowflakeConnector, config: dict[str, Any], secrets: dict[str, str]
) -> Catalog:
    return await connector.discover(config, secrets)


async def test_emulator_tables_and_views_of_all_schemas(
    snowflake: SnowflakeConnector, sf_config: dict[str, Any], sf_secrets: dict[str, str]
) -> None:
    catalog = await _discover(snowflake, sf_config, sf_secrets)

    assert [s.name for s in catalog.streams] == [
        "PUBLIC.people",
        "SALES.BIG_ORDERS",
        "SALES.ORDERS",
    ]
    orders = catalog.stream("SALES.ORDERS")
    assert orders.columns == (
        Column(name="ID", type="integer", nullable=False),
        Column(name="AMOUNT", type="number", nullable=True),
        Column(name="CREATED_AT", type="timestamp", nullable=True),
        Column(name="UPDATED_AT", type="timestamp", nullable=True),
        Column(name="NOTE", type="string", nullable=True),
    )
    assert orders.primary_key == ("ID",)
    assert orders.cursor_candidates == ("UPDATED_AT", "CREATED_AT", "ID")
    assert catalog.stream("SALES.BIG_ORDERS").description == "view"
    assert catalog.stream("PUBLIC.people").primary_key == ("id",)


async def test_emulator_schema_filter(
    snowflake: SnowflakeConnector, sf_config: dict[str, Any], sf_secrets: dict[str, str]
) -> None:
    catalog = await _discover(snowflake, {**sf_config, "schemas": ["public"]}, sf_secrets)

    assert [s.name for s in catalog.streams] == ["PUBLIC.people"]


async def test_emulator_answers_that_hit_the_show_cap_are_asked_again_narrower(
    snowflake: SnowflakeConnector, sf_config: dict[str, Any], sf_secrets: dict[str, str]
) -> None:
    wide = await _discover(snowflake, sf_config, sf_secrets)
    snowflake.show_cap = 2  # every SHOW answer now looks cut off at the cap

    narrow = await _discover(snowflake, sf_config, sf_secrets)

    assert [s.model_dump(exclude={"record_estimate", "size_bytes"}) for s in narrow.streams] == [
        s.model_dump(exclude={"record_estimate", "size_bytes"}) for s in wide.streams
    ]
