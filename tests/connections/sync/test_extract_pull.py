"""Pulling a database into table extracts, against the real PostgreSQL server.

The engine reads any connector that is not S3 or a webhook through the connector contract
(``read`` yielding records and states); here that is the registered PostgreSQL connector,
reading a schema of its own made in the ``test`` database.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from psycopg import sql
from ulid import ULID

from connections.deps import ServiceDeps
from connections.inventory import LocalInventoryStore
from connections.sync import PullEngine
from tests.connections.sync.support import Tenant

ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
START = datetime(2026, 5, 25, 8, 0, tzinfo=UTC)


@pytest.fixture
def schema() -> Iterator[str]:
    """A schema of this test with ``orders`` (incremental by updated_at) and ``rates``."""
    name = f"ia_pull_{str(ULID()).lower()}"
    with psycopg.connect(ADMIN, autocommit=True) as db:
        db.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
        db.execute(
            sql.SQL(
                "CREATE TABLE {}.orders (id int PRIMARY KEY, sku text, qty int, "
                "updated_at timestamptz NOT NULL)"
            ).format(sql.Identifier(name))
        )
        db.execute(
            sql.SQL("CREATE TABLE {}.rates (code text PRIMARY KEY, rate numeric)").format(
                sql.Identifier(name)
            )
        )
        db.execute(
            sql.SQL("INSERT INTO {}.rates VALUES ('EUR', 1.08)").format(sql.Identifier(name))
        )
    _add_orders(name, range(1, 6))
    try:
        yield name
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as db:
            db.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


def _add_orders(schema: str, ids: range) -> None:
    with psycopg.connect(ADMIN, autocommit=True) as db:
        for i in ids:
            db.execute(
                sql.SQL("INSERT INTO {}.orders VALUES (%s, %s, %s, %s)").format(
                    sql.Identifier(schema)
                ),
                (i, f"SKU-{i}", i * 10, START + timedelta(minutes=i)),
            )


async def _source(
    deps: ServiceDeps, schema: str, *, fmt: str = "NDJSON", streams: list[str] | None = None
) -> tuple[Tenant, str]:
    tenant = Tenant(deps)
    await tenant.add_agent()
    source_id = await tenant.add_source(
        "POSTGRES",
        {
            "host": "127.0.0.1",
            "port": 5432,
            "database": "test",
            "schemas": schema,
            "sslmode": "disable",
            "format": fmt,
            "cursor_fields": {f"{schema}.orders": "updated_at"},
        },
        {"username": "postgres", "password": "unused-with-trust-auth"},
        streams=streams,
    )
    return tenant, source_id


async def _rows(store: LocalInventoryStore, location: str) -> list[dict[str, Any]]:
    async with store.open(location) as path:
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


async def test_the_first_pull_extracts_each_table_once(
    puller: PullEngine, deps: ServiceDeps, schema: str, store: LocalInventoryStore
) -> None:
    tenant, source_id = await _source(deps, schema)

    sync = await tenant.sync(await puller.pull(source_id))

    uploads = {u.key: u for u in await tenant.uploads(source_id)}
    assert sync.status == "succeeded"
    assert set(uploads) == {f"{schema}.orders", f"{schema}.rates"}
    orders = uploads[f"{schema}.orders"]
    assert orders.format == "NDJSON"
    assert orders.records == 5
    assert [r["id"] for r in await _rows(store, orders.location)] == [1, 2, 3, 4, 5]
    assert sync.records == 6
    assert {e["key"] for e in sync.manifest} == set(uploads)
    assert all(set(e) == {"key", "size", "status", "inventoryId", "etag"} for e in sync.manifest)
    state = (await tenant.source(source_id)).state
    assert state["streams"][f"{schema}.orders"]["cursor_field"] == "updated_at"


async def test_only_new_rows_are_extracted_next_time(
    puller: PullEngine, deps: ServiceDeps, schema: str, store: LocalInventoryStore
) -> None:
    tenant, source_id = await _source(deps, schema, streams=[f"{schema}.orders"])
    await puller.pull(source_id)
    _add_orders(schema, range(6, 9))

    sync = await tenant.sync(await puller.pull(source_id))

    [entry] = sync.manifest
    upload = next(u for u in await tenant.uploads(source_id) if u.id == entry["inventoryId"])
    assert [r["id"] for r in await _rows(store, upload.location)] == [6, 7, 8]
    assert upload.records == 3


async def test_nothing_new_means_no_upload(
    puller: PullEngine, deps: ServiceDeps, schema: str
) -> None:
    tenant, source_id = await _source(deps, schema, streams=[f"{schema}.orders"])
    await puller.pull(source_id)
    state = (await tenant.source(source_id)).state

    sync = await tenant.sync(await puller.pull(source_id))

    assert sync.status == "succeeded"
    assert sync.manifest == []
    assert (await tenant.source(source_id)).state == state
    assert len(await tenant.uploads(source_id)) == 1


async def test_an_unchanged_full_refresh_table_is_not_taken_twice(
    puller: PullEngine, deps: ServiceDeps, schema: str
) -> None:
    tenant, source_id = await _source(deps, schema, streams=[f"{schema}.rates"])
    await puller.pull(source_id)

    again = await tenant.sync(await puller.pull(source_id))
    with psycopg.connect(ADMIN, autocommit=True) as db:
        db.execute(sql.SQL("UPDATE {}.rates SET rate = 1.09").format(sql.Identifier(schema)))
    changed = await tenant.sync(await puller.pull(source_id))

    assert [e["status"] for e in again.manifest] == ["skipped"]
    assert [e["status"] for e in changed.manifest] == ["uploaded"]
    assert len(await tenant.uploads(source_id)) == 2


async def test_extracts_take_the_sources_format(
    puller: PullEngine, deps: ServiceDeps, schema: str, store: LocalInventoryStore
) -> None:
    tenant, source_id = await _source(deps, schema, fmt="CSV", streams=[f"{schema}.orders"])

    await puller.pull(source_id)

    [upload] = await tenant.uploads(source_id)
    assert upload.format == "CSV"
    async with store.open(upload.location) as path:
        rows = list(csv.DictReader(io.StringIO(path.read_text())))
    assert [r["sku"] for r in rows] == [f"SKU-{i}" for i in range(1, 6)]


async def test_a_failing_table_fails_its_entry_and_the_others_arrive(
    puller: PullEngine, deps: ServiceDeps, schema: str
) -> None:
    tenant, source_id = await _source(
        deps, schema, streams=[f"{schema}.orders", f"{schema}.missing"]
    )

    sync = await tenant.sync(await puller.pull(source_id))

    statuses = {e["key"]: e["status"] for e in sync.manifest}
    assert statuses == {f"{schema}.orders": "uploaded", f"{schema}.missing": "failed"}
    assert sync.status == "partial"
    assert (await tenant.source(source_id)).consecutive_failures == 0


async def test_a_database_that_refuses_the_login_fails_the_sync(
    puller: PullEngine, deps: ServiceDeps, schema: str
) -> None:
    tenant = Tenant(deps)
    await tenant.add_agent()
    source_id = await tenant.add_source(
        "POSTGRES",
        {"host": "127.0.0.1", "port": 5432, "database": "no_such_db_here", "sslmode": "disable"},
        {"username": "postgres", "password": "unused"},
    )

    sync = await tenant.sync(await puller.pull(source_id))

    assert sync.status == "failed"
    assert sync.error
    assert (await tenant.source(source_id)).consecutive_failures == 1
