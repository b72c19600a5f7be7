"""MySQL / MariaDB discovery from information_schema, across databases."""

from __future__ import annotations

import pytest

from connectors.mysql import MySqlConnector
from connectors.results import Catalog, Column
from tests.connectors.mysql.conftest import MyDatabases


@pytest.fixture
async def catalog(my: MySqlConnector, my_db: MyDatabases) -> Catalog:
    return await my.discover(my_db.config(), my_db.secrets())


def test_the_configured_database_is_discovered_by_default(
    catalog: Catalog, my_db: MyDatabases
) -> None:
    assert [s.name for s in catalog.streams] == [
        f"{my_db.shop}.big_orders",
        f"{my_db.shop}.order_items",
        f"{my_db.shop}.orders",
    ]


def test_columns_types_keys_and_cursors(catalog: Catalog, my_db: MyDatabases) -> None:
    orders = catalog.stream(f"{my_db.shop}.orders")
    items = catalog.stream(f"{my_db.shop}.order_items")

    assert orders.columns == (
        Column(name="id", type="integer", nullable=False),
        Column(name="customer_id", type="integer", nullable=False),
        Column(name="amount", type="number", nullable=True),
        Column(name="paid", type="boolean", nullable=False),
        Column(name="created_at", type="timestamp", nullable=False),
        Column(name="updated_at", type="timestamp", nullable=True),
    )
    assert orders.primary_key == ("id",)
    assert items.primary_key == ("order_id", "line")
    assert orders.cursor_candidates == ("updated_at", "created_at", "id")
    assert items.cursor_candidates == ("modified_on",)


def test_views_have_no_estimates(catalog: Catalog, my_db: MyDatabases) -> None:
    view = catalog.stream(f"{my_db.shop}.big_orders")

    assert (view.description, view.record_estimate, view.size_bytes) == ("view", None, None)


def test_estimates_stay_unknown_for_a_user_who_may_not_read_the_statistics(
    catalog: Catalog, my_db: MyDatabases
) -> None:
    orders = catalog.stream(f"{my_db.shop}.orders")

    assert orders.record_estimate is None
    assert orders.size_bytes is None


async def test_estimates_come_from_innodb_statistics_when_readable(
    my: MySqlConnector, my_db: MyDatabases
) -> None:
    catalog = await my.discover(my_db.config(), {"username": "root", "password": ""})

    orders = catalog.stream(f"{my_db.shop}.orders")
    assert orders.record_estimate == 40
    assert orders.size_bytes is not None
    assert orders.size_bytes > 0


async def test_schemas_choose_the_databases_to_discover(
    my: MySqlConnector, my_db: MyDatabases
) -> None:
    catalog = await my.discover(my_db.config(schemas=f"{my_db.crm}"), my_db.secrets())

    (contacts,) = catalog.streams
    assert contacts.name == f"{my_db.crm}.contacts"
    assert contacts.cursor_candidates == ("modified_on", "contact_id")
