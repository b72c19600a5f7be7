"""A conversation's secrets are redacted while it needs them, and forgotten when it ends."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from core.redaction import PROCESS, registry
from tests.agent.conftest import BASE, Chat, person

SECRET = "Owned-Canary-Secret-0001"


def held_by_conversations() -> set[str]:
    """The owners other than the process itself (sessions, pulls) holding a value."""
    return set(registry.owners()) - {PROCESS}


async def _typed_a_secret(client: TestClient[Any, Any]) -> Chat:
    chat = Chat(client, person())
    await chat.start()
    await chat.say("s3://acme-owned-bucket/in/")
    reply = await chat.say("endpoint http://127.0.0.1:9, key id AKIAOWNEDTEST0001")
    assert reply["data"]["input_type"] == "secret"
    await chat.say(SECRET)
    return chat


async def test_a_typed_secret_is_held_by_its_session_while_the_setup_goes_on(
    app_client: TestClient[Any, Any],
) -> None:
    before = held_by_conversations()

    chat = await _typed_a_secret(app_client)

    assert SECRET in registry
    assert held_by_conversations() - before == {chat.session_id}


async def test_cancelling_the_setup_forgets_its_secrets(
    app_client: TestClient[Any, Any],
) -> None:
    before = held_by_conversations()
    chat = await _typed_a_secret(app_client)

    reply = await chat.say("cancel")

    assert reply["state"] == "select_source_type"
    assert SECRET not in registry
    assert held_by_conversations() == before


async def test_an_ended_conversation_leaves_the_registry_as_it_found_it(
    app_client: TestClient[Any, Any],
) -> None:
    before = registry.snapshot()
    chat = await _typed_a_secret(app_client)

    response = await app_client.delete(f"{BASE}/{chat.session_id}", headers=chat.headers)

    assert response.status == 204
    assert SECRET not in registry
    assert registry.snapshot() == before
