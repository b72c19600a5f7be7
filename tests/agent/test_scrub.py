"""At a secret prompt the message is the secret, unless it is a navigation command."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from core.redaction import redact_text
from tests.agent.conftest import Chat, person


async def _at_the_secret_prompt(client: TestClient[Any, Any]) -> Chat:
    chat = Chat(client, person())
    await chat.start()
    await chat.say("s3://acme-scrub-bucket/in/")
    reply = await chat.say("endpoint http://127.0.0.1:9, key id AKIASCRUBTEST0001")
    assert reply["data"]["input_type"] == "secret"
    return chat


async def test_status_at_a_secret_prompt_is_a_command_and_stays_readable(
    app_client: TestClient[Any, Any],
) -> None:
    chat = await _at_the_secret_prompt(app_client)

    reply = await chat.say("status")

    view = await chat.view()
    said = [t["text"] for t in view["transcript"] if t["role"] == "user"]
    assert said[-1] == "status"
    assert redact_text("log line: status") == "log line: status"
    assert reply["state"] == "gather_credentials"


async def test_anything_else_at_a_secret_prompt_is_the_secret(
    app_client: TestClient[Any, Any],
) -> None:
    chat = await _at_the_secret_prompt(app_client)

    await chat.say("Scrub-Canary-Secret-0001")

    view = await chat.view()
    said = [t["text"] for t in view["transcript"] if t["role"] == "user"]
    assert said[-1] == "***REDACTED***"
    assert "Scrub-Canary-Secret-0001" not in redact_text("log: Scrub-Canary-Secret-0001")
