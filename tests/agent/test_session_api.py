"""The session HTTP API: shapes, isolation, and bad input that changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.agent.conftest import BASE, Chat, person


async def test_start_answers_201_with_the_welcome_in_select_source_type(
    app_client: TestClient[Any, Any],
) -> None:
    reply = await Chat(app_client, person()).start()

    assert set(reply) == {"session_id", "state", "message", "options", "data"}
    assert reply["session_id"].startswith("ses_")
    assert reply["state"] == "select_source_type"
    assert reply["message"].startswith("Welcome! What type of data source")


async def test_get_returns_state_last_reply_and_transcript(
    app_client: TestClient[Any, Any],
) -> None:
    chat = Chat(app_client, person())
    await chat.start()
    await chat.say("amazon s3")

    view = await chat.view()

    assert view["state"] == "gather_credentials"
    assert view["last_reply"]["state"] == "gather_credentials"
    assert [t["role"] for t in view["transcript"]] == ["agent", "user", "agent"]


@pytest.mark.parametrize(
    "stranger",
    [person(user="eve"), person(tenant="other-tenant")],
    ids=["another-user", "another-tenant"],
)
async def test_another_users_session_is_not_found(
    app_client: TestClient[Any, Any], stranger: dict[str, str]
) -> None:
    chat = Chat(app_client, person())
    await chat.start()

    for method, path, body in [
        ("GET", f"{BASE}/{chat.session_id}", None),
        ("POST", f"{BASE}/{chat.session_id}/chat", {"message": "s3"}),
        ("DELETE", f"{BASE}/{chat.session_id}", None),
    ]:
        response = await app_client.request(method, path, json=body, headers=stranger)
        assert response.status == 404, (method, path)
    assert (await chat.view())["state"] == "select_source_type"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b'{"message": ""}', 422),
        (b'{"message": "   "}', 422),
        (b'{"message": "' + b"x" * 70_001 + b'"}', 422),
        (b'{"message": 42}', 422),
        (b"{}", 422),
    ],
    ids=["bad-json", "empty", "blank", "over-64kb", "not-a-string", "nothing"],
)
async def test_bad_input_is_a_4xx_and_changes_nothing(
    app_client: TestClient[Any, Any], body: bytes, status: int
) -> None:
    chat = Chat(app_client, person())
    await chat.start()
    before = await chat.view()

    response = await app_client.post(
        f"{BASE}/{chat.session_id}/chat",
        data=body,
        headers={**chat.headers, "Content-Type": "application/json"},
    )

    assert response.status == status
    assert "error" in await response.json()
    assert await chat.view() == before


async def test_delete_ends_the_session(app_client: TestClient[Any, Any]) -> None:
    chat = Chat(app_client, person())
    await chat.start()

    response = await app_client.delete(f"{BASE}/{chat.session_id}", headers=chat.headers)

    assert response.status == 204
    gone = await app_client.get(f"{BASE}/{chat.session_id}", headers=chat.headers)
    assert gone.status == 404


async def test_session_routes_are_in_the_openapi_document(app_client: TestClient[Any, Any]) -> None:
    document = await (await app_client.get("/api/openapi.json")).json()

    assert BASE in document["paths"]
    assert f"{BASE}/{{session_id}}/chat" in document["paths"]


async def test_structured_fields_fill_a_masked_form(app_client: TestClient[Any, Any]) -> None:
    chat = Chat(app_client, person())
    await chat.start()
    await chat.say("amazon s3")

    response = await app_client.post(
        f"{BASE}/{chat.session_id}/chat",
        json={"fields": {"bucket": "acme-data", "access_key_id": "AKIAEXAMPLE0001"}},
        headers=chat.headers,
    )

    reply = await response.json()
    assert reply["data"]["required_fields"] == ["secret_access_key"]
    assert reply["data"]["input_type"] == "secret"
