"""MySQL / MariaDB reads: incremental with resumable state, JSON-safe values, early stops."""

# SQL here arranges test data from constants and generated names.
# ruff: noqa: S608

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from contextlib import aclosing

import pytest

from connectors.errors import AuthError, ResourceNotFoundError
from connectors.mysql import MySqlConnector
from connectors.results import FailureClass, RecordMessage
from tests.connectors.mysql.conftest import MyDatabases
from tests.connectors.sql.databases import unique_name
from tests.connectors.sql.messages import last_state, read_all, records


@pytest.fixture
def events(my_db: MyDatabases) -> Iterator[str]:
    """A fresh table of 10 events with fractional-second times, two per time."""
    name = unique_name("events")
    my_db.execute(
        f"CREATE TABLE {name} (id int PRIMARY KEY, at datetime(6) NOT NULL)",
        f"INSERT INTO {name} VALUES "
        + ", ".join(f"({i}, '2024-01-01 10:00:0{i // 2}.25')" for i in range(10)),
    )
    yield f"{my_db.shop}.{name}"
    my_db.execute(f"DROP TABLE {name}")


async def test_incremental_read_resumes_after_the_saved_cursor(
    my: MySqlConnector, my_db: MyDatabases, events: str
) -> None:
    config = my_db.config(cursor_fields={events: "at"})
    first = await read_all(my, config, my_db.secrets(), [events])
    my_db.execute(f"INSERT INTO {events.split('.')[1]} VALUES (10, '2024-01-01 10:00:04.5')")

    second = await read_all(my, config, my_db.secrets(), [events], last_state(first))
    third = await read_all(my, config, my_db.secrets(), [events], last_state(second))

    assert len(records(first)) == 10
    assert [r["id"] for r in records(second)] == [10]
    assert records(third) == []
    assert last_state(second)["streams"][events]["cursor"] == "2024-01-01T10:00:04.500000"


async def test_full_refresh_of_a_view(my: MySqlConnector, my_db: MyDatabases) -> None:
    messages = await read_all(my, my_db.config(), my_db.secrets(), [f"{my_db.shop}.big_orders"])

    assert len(records(messages)) == 30
    assert last_state(messages)["streams"][f"{my_db.shop}.big_orders"] == {"mode": "full_refresh"}


async def test_values_of_many_types_are_json_safe(my: MySqlConnector, my_db: MyDatabases) -> None:
    name = unique_name("kinds")
    my_db.execute(
        f"""CREATE TABLE {name} (i bigint, n decimal(6,2), f double, b tinyint(1), t text,
            dt datetime(6), d date, tm time, y year, by_ varbinary(8), j json, e enum('x','y'),
            nothing int)""",
        f"""INSERT INTO {name} VALUES (1, 12.30, 0.5, 1, 'héllo', '2024-05-01 10:00:00.5',
            '2024-05-01', '10:30:00', 2024, x'DEADBEEF', '{{"a": [1, 2]}}', 'y', NULL)""",
    )
    try:
        messages = await read_all(my, my_db.config(), my_db.secrets(), [f"{my_db.shop}.{name}"])
    finally:
        my_db.execute(f"DROP TABLE {name}")

    (record,) = records(messages)
    assert json.loads(json.dumps(record)) == record
    assert record == {
        "i": 1,
        "n": "12.30",
        "f": 0.5,
        "b": 1,
        "t": "héllo",
        "dt": "2024-05-01T10:00:00.500000",
        "d": "2024-05-01",
        "tm": 37800.0,
        "y": 2024,
        "by_": "3q2+7w==",
        "j": '{"a": [1, 2]}',
        "e": "y",
        "nothing": None,
    }


async def test_an_unknown_stream_is_not_found(my: MySqlConnector, my_db: MyDatabases) -> None:
    with pytest.raises(ResourceNotFoundError):
        await read_all(my, my_db.config(), my_db.secrets(), [f"{my_db.shop}.refunds"])


async def test_a_table_the_user_may_not_read_is_permission_denied(
    my: MySqlConnector, my_db: MyDatabases
) -> None:
    with pytest.raises(AuthError) as caught:
        await read_all(my, my_db.config(), my_db.secrets(my_db.inserter), [f"{my_db.shop}.orders"])

    assert caught.value.failure is FailureClass.PERMISSION_DENIED


async def test_preview_and_an_early_stop_do_not_read_the_rest(
    my: MySqlConnector, my_db: MyDatabases
) -> None:
    rows = await my.preview(my_db.config(), my_db.secrets(), f"{my_db.shop}.orders", 2)
    stream = my.read(my_db.config(), my_db.secrets(), [f"{my_db.shop}.orders"])
    async with aclosing(stream) as messages:  # type: ignore[type-var]
        first = await anext(messages)
    gc.collect()  # an abandoned unbuffered result must not try to read a closed socket

    assert [r["id"] for r in rows] == [1, 2]
    assert isinstance(first, RecordMessage)
