"""Questions mid-flow are answered and the question asked again; a secret is no setting.

These stay in GATHER_CREDENTIALS (no connection is tested); the corpus
(``tests/agent/corpus/conversations/questions.toml`` and ``secrets.toml``) plays whole
setups against real services.
"""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from tests.agent.conftest import Chat, person

PASSWORD = "Pg-canary-5f1e0c9a7b3d"


def _transcript(view: dict[str, Any]) -> str:
    return " ".join(turn["text"] for turn in view["transcript"])


async def test_a_question_at_the_password_prompt_is_answered_and_the_prompt_stays(
    app_client: TestClient[Any, Any],
) -> None:
    chat = Chat(app_client, person())
    await chat.start()
    await chat.say("postgres")
    asked = await chat.say("host db.internal port 5432 database shop user etl")

    reply = await chat.say("is my password stored?")

    assert "vault" in reply["message"]
    assert reply["state"] == "gather_credentials"
    assert reply["data"]["required_fields"] == asked["data"]["required_fields"] == ["password"]
    assert reply["data"]["input_type"] == "secret"
    assert "is my password stored?" in _transcript(await chat.view())  # a question, no secret


async def test_a_password_typed_as_the_database_first_is_dropped_from_it(
    app_client: TestClient[Any, Any],
) -> None:
    chat = Chat(app_client, person())
    await chat.start()
    await chat.say("postgres")
    await chat.say("host db.internal port 5432 user etl")
    await chat.say(PASSWORD)  # meant as the password, typed where the database was asked

    reply = await chat.say(PASSWORD)

    assert reply["data"]["required_fields"] == ["database"]
    assert PASSWORD not in str(reply)
    assert PASSWORD not in str(await chat.view())  # the earlier turn is redacted too


async def test_a_held_secret_typed_at_another_prompt_is_not_stored_or_echoed(
    app_client: TestClient[Any, Any],
) -> None:
    chat = Chat(app_client, person())
    await chat.start()
    await chat.say("postgres")
    await chat.say(f"user etl password {PASSWORD}")

    reply = await chat.say(PASSWORD)

    assert "vault" in reply["message"]
    assert reply["data"]["required_fields"][0] == "host"
    assert PASSWORD not in str(reply)
    assert PASSWORD not in str(await chat.view())
