"""Only Slack gets in: signed requests with a fresh timestamp; the routes exist only when
Slack is configured."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from api.app import create_app
from api.errors import ApiError
from api.settings import Settings
from api.slack import SlackVerifier
from tests.api.slack.conftest import SIGNING_SECRET, Workspace
from tests.api.slack.standin import SlackStandIn


async def test_url_verification_echoes_the_challenge(workspace: Workspace) -> None:
    response = await workspace.post_event(
        {
            "token": "x",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    )

    assert response.status == 200
    assert await response.json() == {
        "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    }


async def test_a_bad_signature_is_a_401_and_does_nothing(
    workspace: Workspace, standin: SlackStandIn
) -> None:
    body = json.dumps(
        workspace.callback(
            workspace.message_event("U1", "<@UBOT> hi", ts="1.1", kind="app_mention")
        )
    ).encode()
    headers = workspace.signed(body)
    headers["X-Slack-Signature"] = "v0=" + "0" * 64

    response = await workspace.client.post("/slack/events", data=body, headers=headers)

    assert response.status == 401
    assert (await response.json())["error"]["code"] == "invalid_signature"
    await workspace.settle()
    assert standin.calls == []


async def test_a_body_changed_after_signing_is_a_401(workspace: Workspace) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "a"}).encode()
    headers = workspace.signed(body)

    response = await workspace.client.post(
        "/slack/events", data=body.replace(b'"a"', b'"b"'), headers=headers
    )

    assert response.status == 401


async def test_a_timestamp_older_than_five_minutes_is_a_401(workspace: Workspace) -> None:
    response = await workspace.post_event(
        {"type": "url_verification", "challenge": "c"}, timestamp=int(time.time()) - 6 * 60
    )

    assert response.status == 401


async def test_a_timestamp_from_the_future_is_a_401(workspace: Workspace) -> None:
    response = await workspace.post_event(
        {"type": "url_verification", "challenge": "c"}, timestamp=int(time.time()) + 6 * 60
    )

    assert response.status == 401


async def test_missing_signature_headers_are_a_401(workspace: Workspace) -> None:
    response = await workspace.client.post(
        "/slack/events", data=b'{"type": "url_verification", "challenge": "c"}'
    )

    assert response.status == 401


async def test_an_unsigned_click_is_a_401(workspace: Workspace) -> None:
    response = await workspace.client.post(
        "/slack/interactivity",
        data=b"payload=%7B%7D",
        headers={"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=1"},
    )

    assert response.status == 401


@pytest.mark.parametrize("timestamp", ["", "soon", "1e9"], ids=["empty", "word", "float"])
def test_a_timestamp_that_is_not_a_number_is_refused(timestamp: str) -> None:
    verifier = SlackVerifier(SIGNING_SECRET)

    with pytest.raises(ApiError) as caught:
        verifier.check(b"{}", {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": "v0=x"})

    assert caught.value.status == 401


@pytest.mark.parametrize(
    "configured",
    [{}, {"slack_signing_secret": SIGNING_SECRET}, {"slack_bot_token": "xoxb-only-a-token"}],
    ids=["nothing", "secret-only", "token-only"],
)
async def test_the_routes_are_404_unless_slack_is_configured(
    tmp_path: Path, configured: dict[str, Any]
) -> None:
    app = create_app(Settings(data_dir=tmp_path, **configured))
    client: TestClient[Any, Any] = TestClient(TestServer(app))
    await client.start_server()
    try:
        events = await client.post("/slack/events", json={"type": "url_verification"})
        clicks = await client.post("/slack/interactivity", data=b"payload=%7B%7D")
    finally:
        await client.close()

    assert (events.status, clicks.status) == (404, 404)
