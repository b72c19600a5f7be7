"""The app with the Slack relay on, a stand-in for Slack's Web API, and a ``Workspace`` that
sends correctly signed Events API and interactivity requests the way Slack does."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from itertools import count
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr
from slack_sdk.signature import SignatureVerifier
from ulid import ULID

from api.app import create_app
from api.settings import Settings
from api.slack import RELAY_KEY, SlackRelay, ThreadKey
from connectors.base import ConnectorContext
from tests.api.slack.standin import Call, SlackStandIn, run_standin

SIGNING_SECRET = "8f742231b10e8888abcd99edab5a5a5a"
BOT_TOKEN = "xoxb-1111-2222-standinTokenValue"
TEAM = "T1"
CHANNEL = "C1"
OWNER = "U1"
SESSIONS = "/api/v1/agents/ingestion/sessions"
# Message timestamps unique across workspaces, as Slack's are within a channel.
_TIMESTAMPS = count(1)


def slack_settings(tmp_path: Path, standin: SlackStandIn, **extra: Any) -> Settings:
    return Settings(
        data_dir=tmp_path,
        slack_signing_secret=SecretStr(SIGNING_SECRET),
        slack_bot_token=SecretStr(BOT_TOKEN),
        slack_api_url=f"{standin.url}/api/",
        **extra,
    )


def rest_headers(user: str = OWNER, team: str = TEAM) -> dict[str, str]:
    """The REST identity of a Slack user (same tenant and user id as the relay gives them)."""
    return {
        "X-Tenant-Id": "slack",
        "X-User-ID": f"slack:{team}:{user}",
        "X-User-Roles": "ROLE_DATA_ENGINEER",
    }


def buttons(call: Call) -> list[dict[str, Any]]:
    """Every button of a posted message, in order."""
    return [
        element
        for block in call.body.get("blocks", [])
        if block.get("type") == "actions"
        for element in block["elements"]
    ]


def button(call: Call, label: str) -> dict[str, Any]:
    found = [b for b in buttons(call) if b["text"]["text"] == label]
    assert found, f"no {label!r} button in {[b['text']['text'] for b in buttons(call)]}"
    return found[0]


def text_of(call: Call) -> str:
    """The text a posted message shows (its sections and notes)."""
    parts = []
    for block in call.body.get("blocks", []):
        if block.get("type") == "section":
            parts.append(block["text"]["text"])
        elif block.get("type") == "context":
            parts.extend(e["text"] for e in block["elements"])
    return "\n".join(parts)


class Workspace:
    """One Slack workspace talking to our app: signed requests, as Slack sends them."""

    def __init__(
        self, app: web.Application, client: TestClient[Any, Any], standin: SlackStandIn
    ) -> None:
        self.app = app
        self.client = client
        self.standin = standin
        self.started: list[ThreadKey] = []

    def thread(self, thread_ts: str, channel: str = CHANNEL) -> ThreadKey:
        return ThreadKey(TEAM, channel, thread_ts)

    @property
    def relay(self) -> SlackRelay:
        return self.app[RELAY_KEY]

    def new_ts(self) -> str:
        return f"1700000000.{next(_TIMESTAMPS):06d}"

    def signed(self, body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=stamp, body=body)
        assert signature is not None
        return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}

    async def post_event(
        self,
        payload: dict[str, Any],
        *,
        headers: dict[str, str] | None = None,
        timestamp: int | None = None,
    ) -> ClientResponse:
        body = json.dumps(payload).encode()
        return await self.client.post(
            "/slack/events",
            data=body,
            headers={
                "Content-Type": "application/json",
                **self.signed(body, timestamp=timestamp),
                **(headers or {}),
            },
        )

    def callback(self, event: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
        return {
            "token": "unused-verification-token",
            "team_id": TEAM,
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": event_id or f"Ev{ULID()}",
            "event_time": int(time.time()),
            "event": event,
        }

    async def event(
        self, event: dict[str, Any], *, event_id: str | None = None, retry: int | None = None
    ) -> ClientResponse:
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        response = await self.post_event(
            self.callback(event, event_id=event_id), headers=headers if retry else None
        )
        assert response.status == 200, await response.text()
        return response

    def message_event(
        self,
        user: str,
        text: str,
        *,
        ts: str,
        thread_ts: str | None = None,
        channel: str = CHANNEL,
        kind: str = "message",
        **extra: Any,
    ) -> dict[str, Any]:
        event: dict[str, Any] = {
            "type": kind,
            "user": user,
            "text": text,
            "ts": ts,
            "channel": channel,
            "team": TEAM,
            "event_ts": ts,
            **extra,
        }
        if kind == "message":
            event["channel_type"] = "im" if channel.startswith("D") else "channel"
        if thread_ts:
            event["thread_ts"] = thread_ts
        return event

    async def mention(
        self, user: str, text: str, *, thread_ts: str | None = None, channel: str = CHANNEL
    ) -> str:
        """A channel message mentioning the app: Slack sends it as a message and a mention."""
        ts = self.new_ts()
        full = f"<@UBOT> {text}".strip()
        for kind in ("message", "app_mention"):
            await self.event(
                self.message_event(
                    user, full, ts=ts, thread_ts=thread_ts, channel=channel, kind=kind
                )
            )
        return thread_ts or ts

    async def say(self, user: str, text: str, thread_ts: str, *, channel: str = CHANNEL) -> str:
        """A message in a thread."""
        ts = self.new_ts()
        await self.event(
            self.message_event(user, text, ts=ts, thread_ts=thread_ts, channel=channel)
        )
        return ts

    async def interact(self, payload: dict[str, Any]) -> ClientResponse:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return await self.client.post(
            "/slack/interactivity",
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", **self.signed(body)},
        )

    async def click(
        self, user: str, message: Call, element: dict[str, Any], *, trigger_id: str = "trig-1"
    ) -> ClientResponse:
        """Press a button of a message the relay posted."""
        thread_ts = message.body["thread_ts"]
        channel = message.body["channel"]
        response = await self.interact(
            {
                "type": "block_actions",
                "user": {"id": user, "team_id": TEAM},
                "team": {"id": TEAM},
                "channel": {"id": channel},
                "container": {
                    "type": "message",
                    "message_ts": "1800000000.000001",
                    "channel_id": channel,
                    "thread_ts": thread_ts,
                },
                "message": {"ts": "1800000000.000001", "thread_ts": thread_ts},
                "trigger_id": trigger_id,
                "actions": [
                    {
                        "type": "button",
                        "action_id": element["action_id"],
                        "block_id": "b",
                        "value": element.get("value", ""),
                        "text": element["text"],
                    }
                ],
            }
        )
        assert response.status == 200, await response.text()
        return response

    async def submit(self, user: str, view: dict[str, Any], values: dict[str, str]) -> None:
        """Submit a modal the relay opened, with ``values`` typed into its inputs."""
        state = {
            block["block_id"]: {
                block["element"]["action_id"]: {
                    "type": "plain_text_input",
                    "value": values.get(block["block_id"]),
                }
            }
            for block in view["blocks"]
            if block["type"] == "input"
        }
        response = await self.interact(
            {
                "type": "view_submission",
                "team": {"id": TEAM},
                "user": {"id": user, "team_id": TEAM},
                "view": {
                    "id": "V1",
                    "callback_id": view["callback_id"],
                    "private_metadata": view["private_metadata"],
                    "state": {"values": state},
                },
            }
        )
        assert response.status == 200, await response.text()
        assert await response.read() == b"", "an empty 200 closes the modal"

    async def settle(self) -> None:
        """Wait until the relay's background work is done."""
        await self.relay.drain()

    async def session_of(self, thread_ts: str, channel: str = CHANNEL) -> str:
        session_id = await self.relay.session_of(ThreadKey(TEAM, channel, thread_ts))
        assert session_id is not None, "the thread has a session"
        return session_id

    async def view(self, session_id: str, user: str = OWNER) -> dict[str, Any]:
        response = await self.client.get(f"{SESSIONS}/{session_id}", headers=rest_headers(user))
        assert response.status == 200, await response.text()
        body: dict[str, Any] = await response.json()
        return body


@pytest.fixture
async def standin() -> AsyncIterator[SlackStandIn]:
    async with run_standin() as server:
        yield server


@pytest.fixture
async def workspace(
    tmp_path: Path, standin: SlackStandIn, loopback_context: ConnectorContext
) -> AsyncIterator[Workspace]:
    app = create_app(slack_settings(tmp_path, standin), connector_context=loopback_context)
    client: TestClient[Any, Any] = TestClient(TestServer(app))
    await client.start_server()
    yield Workspace(app, client, standin)
    await client.close()
