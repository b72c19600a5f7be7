"""The conversation's states, one step each, and what a reply tells the faces."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from agent.steps import STEPS
from fsm import State
from tests.agent.conftest import Chat, person
from tests.connectors.sql.databases import temporary_pg_database


def test_every_state_a_message_can_reach_has_one_step() -> None:
    assert set(STEPS) == set(State) - {State.WELCOME}
    assert all(step.state is state for state, step in STEPS.items())
    assert all(step.where.endswith(".") for step in STEPS.values())


async def test_a_typed_secret_is_said_to_be_received_and_its_prompt_names_the_field(
    app_client: TestClient[Any, Any],
) -> None:
    chat = Chat(app_client, person())
    await chat.start()
    await chat.say("mysql")
    asked = await chat.say("host 127.0.0.1 port 3306 database test user root")
    assert asked["data"]["secret_fields"] == [{"name": "password", "label": "Password"}]
    assert "secret_received" not in asked["data"]

    status = await chat.say("status")
    assert "secret_received" not in status["data"]
    typed = await chat.say("Pw-canary-not-real-0001", settle=False)

    assert typed["data"]["secret_received"] is True
    assert "Pw-canary-not-real-0001" not in str(typed)


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    with temporary_pg_database("CREATE TABLE orders (id bigint PRIMARY KEY)") as name:
        yield name


async def test_default_at_the_schedule_question_takes_the_agents_schedule(
    app_client: TestClient[Any, Any], database: str
) -> None:
    chat = Chat(app_client, person())
    await chat.start()
    agent = await (await app_client.get("/api/v1/agents/default", headers=chat.headers)).json()
    await app_client.patch(
        f"/api/v1/agents/{agent['id']}", headers=chat.headers, json={"defaultCron": "15 3 * * 1"}
    )
    chat = Chat(app_client, person())  # a session started after the change
    await chat.start()
    await chat.say(f"postgres://postgres@127.0.0.1:5432/{database}")
    streams = await chat.say("none")
    assert streams["state"] == "select_streams", streams["message"]
    asked = await chat.say("1")
    assert 'Say "default" for the agent\'s schedule (15 3 * * 1).' in asked["message"]

    zone = await chat.say("default")
    review = zone if zone["state"] == "review" else await chat.say("UTC")

    assert review["state"] == "review", review["message"]
    assert "(15 3 * * 1, UTC)" in review["message"]
