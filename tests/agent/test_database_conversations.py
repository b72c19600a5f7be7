"""Connecting a real PostgreSQL database with many schemas and tables by chatting.

The database is created on the local PostgreSQL server for this module: five schemas, 130
tables, so that the agent asks for the schema scope first and then summarises what it found
instead of listing it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from aiohttp.test_utils import TestClient

from tests.agent.conftest import Chat, person

PASSWORD = "Pg-canary-" + uuid.uuid4().hex  # trust auth ignores it; the vault must not
SCHEMAS = {"public": 70, "sales": 40, "audit": 12, "tmp": 4, "staging": 4}


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    name = f"ia_chat_{uuid.uuid4().hex[:8]}"
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={name}") as conn:
            for schema, count in SCHEMAS.items():
                if schema != "public":
                    conn.execute(f"CREATE SCHEMA {schema}")
                for i in range(count):
                    table = "orders" if (schema, i) == ("sales", 0) else f"t_{schema}_{i:03d}"
                    cursor = "updated_at timestamptz" if schema != "audit" else "note text"
                    columns = f"id bigint PRIMARY KEY, {cursor}, name text"
                    conn.execute(f"CREATE TABLE {schema}.{table} ({columns})")
            conn.execute("INSERT INTO sales.orders VALUES (1, now(), 'first')")
        yield name
    finally:
        with psycopg.connect(
            "host=127.0.0.1 user=postgres dbname=postgres", autocommit=True
        ) as admin:
            admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
async def chat(app_client: TestClient[Any, Any]) -> Chat:
    chat = Chat(app_client, person())
    await chat.start()
    return chat


async def test_a_pasted_dsn_many_schemas_a_search_and_cursor_suggestions(
    chat: Chat, app_client: TestClient[Any, Any], database: str
) -> None:
    reply = await chat.say(f"postgresql://postgres:{PASSWORD}@127.0.0.1:5432/{database}")
    assert reply["state"] in ("test_connection", "discover_schema")

    scope = await chat.settled()
    assert scope["state"] == "discover_schema"
    assert "This database has 5 schemas" in scope["message"]
    assert scope["options"][:2] == ["All", "public"]

    summary = await chat.say("public, sales")
    assert summary["state"] == "select_streams"
    assert "110 tables in 2 schemas" in summary["message"]
    assert "• audit" not in summary["message"]

    found = await chat.say("orders")
    assert '1 of 110 stream matches "orders"' in found["message"]
    assert "1. sales.orders" in found["message"]

    chosen = await chat.say("1")
    assert chosen["state"] == "configure_sync"
    assert "sales.orders → updated_at" in chosen["message"]

    review = await chat.say("daily at 2am UTC")
    assert review["state"] == "review"
    done = await chat.say("yes")
    assert done["state"] == "done", done["message"]

    agent = await (await app_client.get("/api/v1/agents/default", headers=chat.headers)).json()
    listing = await app_client.get(
        f"/api/v1/agents/{agent['id']}/data-sources", headers=chat.headers
    )
    (source,) = (await listing.json())["items"]
    assert source["type"] == "POSTGRES"
    assert source["selectedStreams"] == ["sales.orders"]
    assert source["config"]["schemas"] == "public,sales"
    view = await chat.view()
    everything = json.dumps([chat.replies, view, source])
    assert PASSWORD not in everything


async def test_going_back_asks_the_scope_again_and_does_not_discover_again(
    chat: Chat, database: str
) -> None:
    await chat.say(f"postgresql://postgres:{PASSWORD}@127.0.0.1:5432/{database}")
    await chat.settled()
    await chat.say("all")
    first = await chat.say("back")
    assert first["state"] == "discover_schema"
    assert "This database has 5 schemas" in first["message"]
    assert first["options"][:2] == ["All", "public"]
    # A table created meanwhile would show if the same settings were discovered again.
    with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={database}") as conn:
        conn.execute("CREATE TABLE public.created_meanwhile (id int)")

    again = await chat.say("all")
    settled = again if not again["data"].get("task") else await chat.settled()

    assert settled["state"] == "select_streams"
    assert "130 tables in 5 schemas" in settled["message"]
    with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={database}") as conn:
        conn.execute("DROP TABLE public.created_meanwhile")
