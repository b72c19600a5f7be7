"""Conversations that used to end in loops (issue 13), replayed against real services.

A PostgreSQL database with trust auth (no password needed) and five schemas, one of them
empty, is made for this module; MariaDB's root logs in without a password too.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.agent.conftest import Chat, person
from tests.connectors.sql.databases import temporary_pg_database

SCHEMAS = {
    "sales": ("orders", "refunds"),
    "inventory": ("products",),
    "finance": ("ledger",),
    "hr": ("people",),
    "archive": (),
}


def _schemas() -> list[str]:
    statements = []
    for schema, tables in SCHEMAS.items():
        statements.append(f"CREATE SCHEMA {schema}")
        statements += [
            f"CREATE TABLE {schema}.{table} (id bigint PRIMARY KEY, updated_at timestamptz)"
            for table in tables
        ]
    return statements


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    with temporary_pg_database(*_schemas()) as name:
        yield name


@pytest.fixture
async def chat(app_client: TestClient[Any, Any]) -> Chat:
    chat = Chat(app_client, person())
    await chat.start()
    return chat


async def _at_scope(chat: Chat, database: str) -> dict[str, Any]:
    await chat.say(f"postgres://postgres@127.0.0.1:5432/{database}")
    reply = await chat.say("no password")
    assert reply["state"] == "discover_schema", reply["message"]
    return reply


async def _at_review(chat: Chat, database: str, schedule: str = "every 6 hours") -> dict[str, Any]:
    await _at_scope(chat, database)
    await chat.say("sales")
    await chat.say("all")
    reply = await chat.say(schedule)
    assert reply["state"] == "review", reply["message"]
    return reply


async def _sources(client: TestClient[Any, Any], chat: Chat) -> list[dict[str, Any]]:
    agent = await (await client.get("/api/v1/agents/default", headers=chat.headers)).json()
    listing = await client.get(f"/api/v1/agents/{agent['id']}/data-sources", headers=chat.headers)
    items: list[dict[str, Any]] = (await listing.json())["items"]
    return items


# -- 4. names ------------------------------------------------------------------------------


async def test_the_review_shows_a_name_unique_in_the_agent(
    app_client: TestClient[Any, Any], database: str
) -> None:
    first = Chat(app_client, person())
    await first.start()
    review = await _at_review(first, database)
    assert f'Name: "PostgreSQL {database} on 127.0.0.1"' in review["message"]
    assert (await first.say("yes"))["state"] == "done"

    second = Chat(app_client, person())
    await second.start()
    review = await _at_review(second, database)
    assert f'Name: "PostgreSQL {database} on 127.0.0.1 (2)"' in review["message"]
    assert (await second.say("yes"))["state"] == "done"
    names = sorted(s["name"] for s in await _sources(app_client, first))
    assert names == [
        f"PostgreSQL {database} on 127.0.0.1",
        f"PostgreSQL {database} on 127.0.0.1 (2)",
    ]


@pytest.mark.parametrize("phrase", ["call it Sales DB", "change the name to Sales DB"])
async def test_the_name_can_be_given_at_any_step_after_the_type(
    app_client: TestClient[Any, Any], chat: Chat, database: str, phrase: str
) -> None:
    await chat.say("postgres")
    named = await chat.say(phrase)
    assert 'I\'ll call it "Sales DB".' in named["message"]
    assert named["state"] == "gather_credentials"
    await chat.say(f"host 127.0.0.1 port 5432 database {database} user postgres")
    await chat.say("none")
    await chat.say("sales")
    await chat.say("all")
    review = await chat.say("manual")
    assert 'Name: "Sales DB"' in review["message"]

    renamed = await chat.say("change the name to Orders")
    assert renamed["state"] == "review"
    assert 'Name: "Orders"' in renamed["message"]
    assert (await chat.say("yes"))["state"] == "done"
    assert [s["name"] for s in await _sources(app_client, chat)] == ["Orders"]


async def test_a_name_taken_meanwhile_becomes_a_question(
    app_client: TestClient[Any, Any], chat: Chat, database: str
) -> None:
    review = await _at_review(chat, database, schedule="manual")
    proposed = f"PostgreSQL {database} on 127.0.0.1"
    assert proposed in review["message"]
    # Someone else takes the name between the review and the confirmation.
    agent = await (await app_client.get("/api/v1/agents/default", headers=chat.headers)).json()
    taken = await app_client.post(
        f"/api/v1/agents/{agent['id']}/data-sources",
        headers=chat.headers,
        json={
            "role": "RESULTS_SINK",
            "type": "WEBHOOK",
            "name": proposed,
            "config": {"url": "https://127.0.0.1:9/never"},
            "secret": {"signingSecret": "whsec_" + "A" * 32},
            "validate": False,
        },
    )
    if taken.status != 201:
        # The sink's save-time ping may refuse an address nobody listens on: take the name
        # with another source of the same database instead.
        other = Chat(app_client, person())
        await other.start()
        await _at_review(other, database, schedule="manual")
        assert (await other.say("yes"))["state"] == "done"

    asked = await chat.say("yes")
    assert asked["state"] == "review"
    assert f'already has a source or sink called "{proposed}"' in asked["message"]
    assert asked["options"][0] == f"{proposed} (2)"
    again = await chat.say("Sales copy")
    assert 'Name: "Sales copy"' in again["message"]
    assert (await chat.say("yes"))["state"] == "done"


# -- 5. commands at a secret prompt ----------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "state"),
    [("cancel", "select_source_type"), ("status", "gather_credentials"), ("help", None)],
)
async def test_a_command_typed_into_the_masked_field_is_a_command(
    app_client: TestClient[Any, Any], chat: Chat, typed: str, state: str | None
) -> None:
    await chat.say("mysql")
    asked = await chat.say("host 127.0.0.1 port 3306 database test user root")
    assert asked["data"]["input_type"] == "secret"

    response = await app_client.post(
        f"/api/v1/agents/ingestion/sessions/{chat.session_id}/chat",
        json={"fields": {"password": typed}},
        headers=chat.headers,
    )
    reply = await response.json()

    assert reply["state"] == (state or asked["state"])
    assert "went straight to the vault" not in reply["message"]
    said = [t["text"] for t in (await chat.view())["transcript"] if t["role"] == "user"]
    assert said[-1] == typed


async def test_the_retry_button_after_a_refused_login_tests_again(chat: Chat) -> None:
    await chat.say("mysql://root@127.0.0.1:3306/test")
    failed = await chat.say(f"wrong-{uuid.uuid4().hex}")
    if failed["data"].get("task"):
        failed = await chat.settled()
    assert failed["state"] == "gather_credentials", failed["message"]
    # Every quick reply at a secret prompt is a command.
    assert failed["data"]["input_type"] == "secret"
    assert failed["options"] == ["Retry", "Cancel"]

    again = await chat.say("Retry", settle=False)

    assert again["state"] == "test_connection"
    refused = await chat.settled()
    assert refused["state"] == "gather_credentials"
    said = [t["text"] for t in (await chat.view())["transcript"] if t["role"] == "user"]
    assert said[-1] == "Retry"


# -- 6. no password --------------------------------------------------------------------------


@pytest.mark.parametrize("answer", ["no password", "none", "skip", "there is no password", ""])
async def test_a_login_without_a_password_connects(
    app_client: TestClient[Any, Any], chat: Chat, database: str, answer: str
) -> None:
    await chat.say("postgres")
    await chat.say(f"host 127.0.0.1 port 5432 database {database} user postgres")
    if answer:
        reply = await chat.say(answer)
    else:  # the masked form sent empty
        response = await app_client.post(
            f"/api/v1/agents/ingestion/sessions/{chat.session_id}/chat",
            json={"fields": {"password": ""}},
            headers=chat.headers,
        )
        reply = await response.json()
        if reply["data"].get("task"):
            reply = await chat.settled()

    assert reply["state"] == "discover_schema", reply["message"]
    assert "This database has 6 schemas (2 empty ones not listed)" in reply["message"]
    status = await chat.say("status")
    assert "Password: none" in status["message"]


async def test_mariadb_root_without_a_password_connects(chat: Chat) -> None:
    await chat.say("mysql://root@127.0.0.1:3306/test")
    reply = await chat.say("no password")
    tested = "\n".join(r["message"] for r in chat.replies[-3:])
    assert "✓ Connected" in tested or "I connected" in tested, reply["message"]
    assert "change the prefix" not in tested


async def test_a_secret_that_may_not_be_empty_is_asked_again(
    app_client: TestClient[Any, Any], chat: Chat
) -> None:
    await chat.say("snowflake")
    asked = await chat.say(
        "account xy12345, warehouse wh, database db, schema public, role reader, user etl"
    )
    assert asked["data"]["required_fields"] == ["password"]
    response = await app_client.post(
        f"/api/v1/agents/ingestion/sessions/{chat.session_id}/chat",
        json={"fields": {"password": ""}},
        headers=chat.headers,
    )
    reply = await response.json()
    assert "That was empty. Paste the password." in reply["message"]
    assert reply["data"]["input_type"] == "secret"


# -- 7. answers kept after a failed test -----------------------------------------------------


async def test_after_unreachable_fixing_the_port_tests_again_at_once(
    chat: Chat, database: str
) -> None:
    await chat.say(f"postgres://postgres@127.0.0.1:1/{database}")
    failed = await chat.say("none")
    assert failed["state"] == "gather_credentials", failed["message"]
    status = await chat.say("status")
    assert "Host: 127.0.0.1" in status["message"]
    assert "Still needed" not in status["message"]
    assert "The last test points at the host" in status["message"]

    fixed = await chat.say("port 5432")

    assert "host" not in fixed["data"]["required_fields"]
    settled = fixed if not fixed["data"].get("task") else await chat.settled()
    assert settled["state"] == "discover_schema", settled["message"]


async def test_retry_after_unreachable_tests_the_same_answers(chat: Chat, database: str) -> None:
    await chat.say(f"postgres://postgres@127.0.0.1:1/{database}")
    await chat.say("none")
    again = await chat.say("retry", settle=False)
    assert again["state"] == "test_connection"
    assert "still missing" not in again["message"]


# -- 8. schema scope -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phrase", ["add inventory", "inventory.products", "look at the inventory schema too"]
)
async def test_a_stream_phrase_may_name_a_schema_left_out(
    chat: Chat, database: str, phrase: str
) -> None:
    await _at_scope(chat, database)
    streams = await chat.say("sales")
    assert "inventory.products" not in streams["message"]

    widened = await chat.say(phrase)

    if widened["state"] == "select_streams":
        assert "inventory.products" in widened["message"]
        assert "sales.orders" in widened["message"]
    else:
        assert widened["state"] == "configure_sync"
        assert "inventory.products" in widened["message"]


async def test_changing_the_schemas_takes_effect_at_once(chat: Chat, database: str) -> None:
    await _at_scope(chat, database)
    await chat.say("sales")

    changed = await chat.say("change the schemas to finance, hr")

    assert changed["state"] == "select_streams"
    assert "finance.ledger" in changed["message"]
    assert "hr.people" in changed["message"]
    assert "sales.orders" not in changed["message"]
    assert "is now" not in "".join(r["message"] for r in chat.replies)


async def test_a_table_phrase_at_the_scope_question_picks_tables(chat: Chat, database: str) -> None:
    await _at_scope(chat, database)

    picked = await chat.say("all of sales except refunds")

    assert picked["state"] == "configure_sync", picked["message"]
    assert "1 stream selected: sales.orders." in picked["message"]


async def test_back_from_the_streams_asks_the_scope_again(chat: Chat, database: str) -> None:
    scope = await _at_scope(chat, database)
    assert scope["options"] == ["All", "sales", "finance", "hr", "inventory"]
    assert "• archive" not in scope["message"]
    await chat.say("sales")

    back = await chat.say("back")

    assert back["state"] == "discover_schema"
    assert back["options"][0] == "All"
    assert "• sales: 2 tables\n• finance: 1 table\n" in back["message"]


# -- 9. a readable review, a time zone, quick replies kept -----------------------------------


async def test_the_review_reads_as_lines_with_the_time_zone(chat: Chat, database: str) -> None:
    await _at_scope(chat, database)
    await chat.say("sales")
    await chat.say("all")
    asked = await chat.say("daily at 2am")
    assert asked["state"] == "configure_sync"
    assert "in which time zone?" in asked["message"]
    assert asked["options"][0] == "UTC"

    review = await chat.say("Berlin")

    assert review["state"] == "review"
    message = review["message"]
    assert "{" not in message
    assert "• Cursor columns: sales.orders → updated_at, sales.refunds → updated_at\n" in message
    assert "• Schedule: daily at 02:00, Europe/Berlin\n" in message
    done = await chat.say("yes", settle=False)
    assert "It will be checked daily at 02:00 (Europe/Berlin)." in done["message"]


async def test_a_time_zone_with_the_schedule_is_not_asked(chat: Chat, database: str) -> None:
    await _at_scope(chat, database)
    await chat.say("sales")
    await chat.say("all")
    review = await chat.say("daily at 2am America/New_York")
    assert review["state"] == "review"
    assert "America/New_York" in review["message"]


@pytest.mark.parametrize("typed", ["help", "status", "ftp please"])
async def test_quick_replies_stay_after_help_status_or_an_unknown_type(
    chat: Chat, typed: str
) -> None:
    welcome = chat.replies[-1]
    reply = await chat.say(typed)
    assert reply["options"] == welcome["options"]


# -- 10. staged secrets live as long as the conversation ------------------------------------


def _expiry(tmp_path: Path) -> dict[str, datetime]:
    with sqlite3.connect(tmp_path / "ingestion-agent.db") as db:
        rows = db.execute("SELECT id, expires_at FROM secrets WHERE staged = 1").fetchall()
    return {ref: datetime.fromisoformat(at).replace(tzinfo=UTC) for ref, at in rows}


def _set_expiry(tmp_path: Path, when: datetime) -> None:
    with sqlite3.connect(tmp_path / "ingestion-agent.db") as db:
        db.execute(
            "UPDATE secrets SET expires_at = ? WHERE staged = 1",
            (when.replace(tzinfo=None).isoformat(sep=" "),),
        )


async def test_every_turn_keeps_the_staged_secret_alive(
    chat: Chat, database: str, tmp_path: Path
) -> None:
    await chat.say(f"postgres://postgres:pw-{uuid.uuid4().hex}@127.0.0.1:5432/{database}")
    soon = datetime.now(UTC) + timedelta(minutes=5)
    _set_expiry(tmp_path, soon)

    await chat.say("status")

    (expiry,) = _expiry(tmp_path).values()
    assert expiry > datetime.now(UTC) + timedelta(minutes=50)


async def test_an_expired_secret_is_asked_for_again_and_nothing_else(
    app_client: TestClient[Any, Any], chat: Chat, database: str, tmp_path: Path
) -> None:
    password = f"pw-{uuid.uuid4().hex}"
    await chat.say(f"postgres://postgres:{password}@127.0.0.1:5432/{database}")
    await chat.settled()
    await chat.say("sales")
    await chat.say("all")
    await chat.say("manual")
    _set_expiry(tmp_path, datetime.now(UTC) - timedelta(minutes=1))

    asked = await chat.say("yes")

    assert asked["state"] == "review"
    assert "The password you typed earlier expired" in asked["message"]
    assert asked["data"]["input_type"] == "secret"
    back = await chat.say(password)
    assert back["state"] == "review"
    assert "the password is back in the vault" in back["message"]
    assert (await chat.say("yes"))["state"] == "done"
    assert password not in str(chat.replies)


async def test_back_to_the_type_question_offers_the_types_again(chat: Chat) -> None:
    welcome = chat.replies[-1]
    await chat.say("postgres")

    back = await chat.say("back")

    assert back["state"] == "select_source_type"
    assert back["options"] == welcome["options"]
