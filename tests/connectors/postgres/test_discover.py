"""PostgreSQL discovery from pg_catalog: tables, views, keys, cursors, estimates."""

from __future__ import annotations

import pytest

from connectors.errors import AuthError, ResourceNotFoundError
from connectors.postgres import PostgresConnector
from connectors.results import Catalog, Column
from tests.connectors.postgres.conftest import PgDatabase


@pytest.fixture
async def catalog(pg: PostgresConnector, pg_db: PgDatabase) -> Catalog:
    return await pg.discover(pg_db.config(), pg_db.secrets())


def test_every_readable_table_and_view_of_every_schema_is_a_stream(catalog: Catalog) -> None:
    assert [s.name for s in catalog.streams] == [
        "finance.ledger",
        "sales.big_orders",
        "sales.order_items",
        "sales.orders",
    ]


def test_columns_keep_their_order_types_and_nullability(catalog: Catalog) -> None:
    assert catalog.stream("sales.orders").columns == (
        Column(name="id", type="integer", nullable=False),
        Column(name="customer_id", type="integer", nullable=False),
        Column(name="amount", type="number", nullable=True),
        Column(name="created_at", type="timestamp", nullable=False),
        Column(name="updated_at", type="timestamp", nullable=True),
    )


def test_primary_keys_in_key_order(catalog: Catalog) -> None:
    assert catalog.stream("sales.orders").primary_key == ("id",)
    assert catalog.stream("sales.order_items").primary_key == ("order_id", "line")
    assert catalog.stream("sales.big_orders").primary_key == ()


def test_cursor_candidates_put_update_times_first(catalog: Catalog) -> None:
    assert catalog.stream("sales.orders").cursor_candidates == ("updated_at", "created_at", "id")
    assert catalog.stream("sales.order_items").cursor_candidates == ("modified_on",)
    # An identity column grows; a date column is the weakest candidate.
    assert catalog.stream("finance.ledger").cursor_candidates == ("entry_id", "posted")


def test_estimates_come_from_the_statistics_and_views_have_none(catalog: Catalog) -> None:
    orders = catalog.stream("sales.orders")
    view = catalog.stream("sales.big_orders")

    assert orders.record_estimate == 50  # analysed
    assert orders.size_bytes is not None
    assert orders.size_bytes > 0
    assert catalog.stream("sales.order_items").record_estimate is None  # never analysed
    assert (view.record_estimate, view.size_bytes, view.description) == (None, None, "view")


async def test_the_schema_filter_limits_discovery(pg: PostgresConnector, pg_db: PgDatabase) -> None:
    catalog = await pg.discover(pg_db.config(schemas=["finance"]), pg_db.secrets())

    assert [s.name for s in catalog.streams] == ["finance.ledger"]


async def test_a_superuser_also_sees_the_table_the_reader_may_not(
    pg: PostgresConnector, pg_db: PgDatabase
) -> None:
    catalog = await pg.discover(
        pg_db.config(schemas="finance"), pg_db.secrets("postgres", "unused")
    )

    assert [s.name for s in catalog.streams] == ["finance.ledger", "finance.salaries"]


async def test_a_user_without_grants_discovers_nothing(
    pg: PostgresConnector, pg_db: PgDatabase
) -> None:
    catalog = await pg.discover(pg_db.config(), pg_db.secrets(pg_db.no_grants))

    assert catalog.streams == ()


async def test_discovery_failures_are_classified(pg: PostgresConnector, pg_db: PgDatabase) -> None:
    with pytest.raises(ResourceNotFoundError):
        await pg.discover(pg_db.config(database="ia_no_such_database"), pg_db.secrets())
    with pytest.raises(AuthError):
        await pg.discover(pg_db.config(), pg_db.secrets(pg_db.no_login))
