"""The type question: the fields and the role a first message carries besides the type."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from tests.agent.conftest import Chat, person

CANARY = "Pw-canary-first-message-0001"


async def test_fields_given_with_the_type_are_taken_and_not_asked_again(
    app_client: TestClient[Any, Any],
) -> None:
    chat = Chat(app_client, person())
    await chat.start()

    reply = await chat.say("need s3 bucket acme-inventory in frankfurt pls")

    assert reply["state"] == "gather_credentials"
    assert reply["data"]["required_fields"] == ["access_key_id", "secret_access_key"]
    assert "Got the bucket and region." in reply["message"]


async def test_a_secret_given_with_the_type_goes_to_the_vault_not_the_transcript(
    app_client: TestClient[Any, Any],
) -> None:
    chat = Chat(app_client, person())
    await chat.start()

    reply = await chat.say(
        f"mysql on rds: host db.example.com, database shop, user app, password {CANARY}",
        settle=False,
    )

    assert reply["data"]["secret_received"] is True
    assert CANARY not in str(reply)
    assert CANARY not in str(await chat.view())


async def test_a_url_pasted_with_sink_words_sets_up_a_sink(
    app_client: TestClient[Any, Any],
) -> None:
    chat = Chat(app_client, person())
    await chat.start()

    reply = await chat.say("send job results to https://hooks.example.com/results")

    assert reply["state"] == "gather_credentials"
    assert reply["data"]["required_fields"] == ["signing_secret"]


async def test_a_url_whose_path_says_results_is_not_a_sink_by_itself(
    app_client: TestClient[Any, Any],
) -> None:
    chat = Chat(app_client, person())
    await chat.start()

    reply = await chat.say("https://api.example.com/results", settle=False)

    assert reply["data"].get("required_fields") in ([], None)
    assert "signing secret" not in reply["message"].lower()


async def test_a_bearer_token_given_with_the_type_is_not_kept_in_the_transcript(
    app_client: TestClient[Any, Any],
) -> None:
    token = "tok_canary_first_message_0123456789"
    chat = Chat(app_client, person())
    await chat.start()

    await chat.say(f"a json api, url https://api.example.com/a, bearer token {token}", settle=False)

    assert token not in str(await chat.view())
