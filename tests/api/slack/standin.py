"""A stand-in for Slack's Web API: Slack cannot be reached from the tests, so a local aiohttp
server answers the few methods the relay calls and records every call it receives.

It can hold calls (``hold()``/``release()``) so a test can see that the relay acknowledged
Slack before it posted anything.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from itertools import count
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from tests.support.https import serve

__all__ = ["BOT_ID", "BOT_USER", "Call", "SlackStandIn", "run_standin"]

BOT_USER = "UBOT"
BOT_ID = "BBOT"


@dataclass(frozen=True)
class Call:
    """One Web API call as the stand-in received it."""

    method: str
    body: dict[str, Any]
    authorization: str

    @property
    def text(self) -> str:
        """Everything the call carried, as JSON (for searching)."""
        return json.dumps(self.body)


class SlackStandIn:
    """Answers ``auth.test``, ``chat.postMessage``, ``chat.postEphemeral`` and ``views.open``."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.url = ""
        self._open = asyncio.Event()
        self._open.set()
        self._arrived = asyncio.Event()
        self._changed = asyncio.Condition()
        self._ts = count(1)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/api/{method}", self._handle)
        return app

    def hold(self) -> None:
        """Hold every call until :meth:`release` (recording it only then)."""
        self._arrived.clear()
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    async def held_call_arrived(self, within: float = 10.0) -> None:
        """Wait until a call is waiting at the closed gate."""
        await asyncio.wait_for(self._arrived.wait(), within)

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        raw = await request.read()
        if request.content_type == "application/json":
            body = json.loads(raw or b"{}")
        else:
            body = dict(parse_qsl(raw.decode()))
        self._arrived.set()
        await self._open.wait()
        call = Call(method, body, request.headers.get("Authorization", ""))
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        return web.json_response(self._answer(call))

    def _answer(self, call: Call) -> dict[str, Any]:
        if call.method == "auth.test":
            return {"ok": True, "user_id": BOT_USER, "bot_id": BOT_ID, "team_id": "T1"}
        if call.method == "chat.postMessage":
            ts = f"1800000000.{next(self._ts):06d}"
            return {"ok": True, "channel": call.body.get("channel"), "ts": ts}
        if call.method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"1800000000.{next(self._ts):06d}"}
        if call.method == "views.open":
            return {"ok": True, "view": {"id": "V1", **call.body.get("view", {})}}
        return {"ok": False, "error": "unknown_method"}

    def of(self, method: str) -> list[Call]:
        """The calls of one method, in order."""
        return [c for c in self.calls if c.method == method]

    def posts(self, thread_ts: str | None = None) -> list[Call]:
        """``chat.postMessage`` calls, optionally only those in one thread."""
        return [
            c
            for c in self.of("chat.postMessage")
            if thread_ts is None or c.body.get("thread_ts") == thread_ts
        ]

    async def wait_for(self, method: str, number: int = 1, within: float = 10.0) -> list[Call]:
        """Wait until at least ``number`` calls of ``method`` arrived; return them."""
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: len(self.of(method)) >= number), within
            )
        return self.of(method)


@asynccontextmanager
async def run_standin() -> AsyncIterator[SlackStandIn]:
    """The stand-in on a free loopback port."""
    standin = SlackStandIn()
    async with serve(standin.app()) as url:
        standin.url = url
        yield standin
