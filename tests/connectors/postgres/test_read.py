"""PostgreSQL reads: full refresh, incremental with resumable state, JSON-safe values."""

# SQL here arranges test data from constants and generated names.
# ruff: noqa: S608

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import aclosing

import pytest

from connectors.base import ConnectorContext
from connectors.errors import AuthError, InvalidConfigError, ResourceNotFoundError
from connectors.postgres import PostgresConnector
from connectors.results import FailureClass, RecordMessage, StateMessage
from connectors.sql import ReadSettings
from tests.conftest import LOOPBACK
from tests.connectors.postgres.conftest import PgDatabase
from tests.connectors.sql.databases import unique_name
from tests.connectors.sql.messages import last_state, read_all, records


@pytest.fixture
def events(pg_db: PgDatabase) -> Iterator[str]:
    """A fresh ``public`` table of 10 events, two per timestamp, readable by the reader."""
    name = unique_name("events")
    pg_db.execute(
        f"CREATE TABLE public.{name} (id integer PRIMARY KEY, at timestamptz NOT NULL)",
        f"INSERT INTO public.{name} SELECT g, timestamptz '2024-01-01' + (g / 2) * interval '1 h'"
        " FROM generate_series(0, 9) g",
    )
    yield f"public.{name}"
    pg_db.execute(f"DROP TABLE public.{name}")


async def test_full_refresh_reads_everything_every_time(
    pg: PostgresConnector, pg_db: PgDatabase, events: str
) -> None:
    first = await read_all(pg, pg_db.config(), pg_db.secrets(), [events])
    again = await read_all(pg, pg_db.config(), pg_db.secrets(), [events], last_state(first))

    assert len(records(first)) == len(records(again)) == 10
    assert last_state(first) == {"streams": {events: {"mode": "full_refresh"}}}


async def test_incremental_read_resumes_after_the_saved_cursor(
    pg: PostgresConnector, pg_db: PgDatabase, events: str
) -> None:
    config = pg_db.config(cursor_fields={events: "at"})
    first = await read_all(pg, config, pg_db.secrets(), [events])
    pg_db.execute(f"INSERT INTO {events} VALUES (10, '2024-02-01'), (11, '2023-01-01')")

    second = await read_all(pg, config, pg_db.secrets(), [events], last_state(first))
    third = await read_all(pg, config, pg_db.secrets(), [events], last_state(second))

    assert [r["id"] for r in records(first)] == list(range(10))
    # Only the row after the saved cursor; a late row with an older time is not seen.
    assert [r["id"] for r in records(second)] == [10]
    assert records(third) == []
    assert last_state(second)["streams"][events] == {
        "mode": "incremental",
        "cursor_field": "at",
        "cursor": "2024-02-01T00:00:00+00:00",
        "cursor_type": "datetime",
    }


async def test_checkpoints_never_split_rows_sharing_a_cursor_value(
    pg_db: PgDatabase, events: str
) -> None:
    connector = PostgresConnector(ConnectorContext(network=LOOPBACK, timeout=3.0))
    connector.read_settings = ReadSettings(batch_rows=3, checkpoint_rows=3)
    config = pg_db.config(cursor_fields={events: "at"})

    messages = await read_all(connector, config, pg_db.secrets(), [events])

    seen = 0
    for message in messages:
        if isinstance(message, RecordMessage):
            seen += 1
            continue
        # Resuming from any checkpoint yields exactly the rows not seen before it.
        rest = await read_all(connector, config, pg_db.secrets(), [events], message.state)
        assert len(records(rest)) == 10 - seen
    assert len([m for m in messages if isinstance(m, StateMessage)]) > 2


async def test_a_cursor_column_is_matched_regardless_of_case(
    pg: PostgresConnector, pg_db: PgDatabase, events: str
) -> None:
    messages = await read_all(
        pg, pg_db.config(cursor_fields={events: "ID"}), pg_db.secrets(), [events]
    )

    assert last_state(messages)["streams"][events]["cursor"] == 9


async def test_several_streams_keep_their_own_state(
    pg: PostgresConnector, pg_db: PgDatabase, events: str
) -> None:
    prior = {"streams": {"other.stream": {"mode": "full_refresh"}}}
    config = pg_db.config(cursor_fields={events: "id"})

    messages = await read_all(pg, config, pg_db.secrets(), [events, "sales.orders"], prior)

    streams = last_state(messages)["streams"]
    assert set(streams) == {"other.stream", events, "sales.orders"}
    assert streams[events]["cursor"] == 9
    assert len(records(messages)) == 60


async def test_values_of_many_types_are_json_safe(pg: PostgresConnector, pg_db: PgDatabase) -> None:
    name = unique_name("kinds")
    pg_db.execute(
        f"""CREATE TABLE public.{name} AS SELECT
            1::bigint AS i, 12.30::numeric(6, 2) AS n, 'NaN'::float8 AS f, true AS b,
            'héllo'::text AS t, timestamptz '2024-05-01 10:00+00' AS tz,
            timestamp '2024-05-01 10:00:00.5' AS ts, date '2024-05-01' AS d,
            time '10:30' AS tm, interval '1 hour 30 seconds' AS iv,
            '\\xdeadbeef'::bytea AS by, '{{"a": [1, 2]}}'::jsonb AS j, ARRAY[1, 2] AS arr,
            '00000000-0000-0000-0000-000000000001'::uuid AS u, '10.0.0.1'::inet AS ip,
            NULL::text AS nothing"""
    )
    try:
        messages = await read_all(pg, pg_db.config(), pg_db.secrets(), [f"public.{name}"])
    finally:
        pg_db.execute(f"DROP TABLE public.{name}")

    (record,) = records(messages)
    assert json.loads(json.dumps(record)) == record
    assert record == {
        "i": 1,
        "n": "12.30",
        "f": "NaN",
        "b": True,
        "t": "héllo",
        "tz": "2024-05-01T10:00:00+00:00",
        "ts": "2024-05-01T10:00:00.500000",
        "d": "2024-05-01",
        "tm": "10:30:00",
        "iv": 3630.0,
        "by": "3q2+7w==",
        "j": {"a": [1, 2]},
        "arr": [1, 2],
        "u": "00000000-0000-0000-0000-000000000001",
        "ip": "10.0.0.1",
        "nothing": None,
    }


async def test_an_unknown_stream_is_not_found(pg: PostgresConnector, pg_db: PgDatabase) -> None:
    with pytest.raises(ResourceNotFoundError) as caught:
        await read_all(pg, pg_db.config(), pg_db.secrets(), ["sales.refunds"])

    assert caught.value.field == "streams"
    assert "sales.refunds" in caught.value.message


async def test_a_table_the_user_may_not_read_is_permission_denied(
    pg: PostgresConnector, pg_db: PgDatabase
) -> None:
    with pytest.raises(AuthError) as caught:
        await read_all(pg, pg_db.config(), pg_db.secrets(), ["finance.salaries"])

    assert caught.value.failure is FailureClass.PERMISSION_DENIED
    assert "finance.salaries" in caught.value.message


async def test_an_unknown_cursor_column_is_invalid_config(
    pg: PostgresConnector, pg_db: PgDatabase, events: str
) -> None:
    with pytest.raises(InvalidConfigError) as caught:
        await read_all(pg, pg_db.config(cursor_fields={events: "nope"}), pg_db.secrets(), [events])

    assert caught.value.field == "cursor_fields"
    assert "id, at" in caught.value.message


async def test_preview_returns_the_first_rows_with_a_limit(
    pg: PostgresConnector, pg_db: PgDatabase
) -> None:
    rows = await pg.preview(pg_db.config(), pg_db.secrets(), "sales.orders", 3)

    assert len(rows) == 3
    assert set(rows[0]) == {"id", "customer_id", "amount", "created_at", "updated_at"}


async def test_stopping_a_read_early_closes_it(pg: PostgresConnector, pg_db: PgDatabase) -> None:
    stream = pg.read(pg_db.config(), pg_db.secrets(), ["sales.orders"])
    async with aclosing(stream) as messages:  # type: ignore[type-var]
        first = await anext(messages)

    assert isinstance(first, RecordMessage)
    # The server-side cursor and its connection are gone: a fresh read still works.
    assert len(records(await read_all(pg, pg_db.config(), pg_db.secrets(), ["sales.orders"]))) == 50
