"""Push fixtures: the job fixtures, and a real HTTPS receiver that verifies signatures.

The receiver checks every POST with the ``standardwebhooks`` library (what a customer's
receiver would run) and records whether the signature held; its answers are scripted as
a list of statuses, the last one repeated.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from tests.connections.jobs.conftest import deps, jobs, pushes, store, tls, world
from tests.connections.jobs.support import SIGNING_SECRET
from tests.support.https import TestTLS, serve

__all__ = ["deps", "jobs", "pushes", "store", "tls", "world"]


@dataclass(frozen=True)
class Post:
    """One POST as the receiver saw it."""

    headers: dict[str, str]
    body: bytes
    verified: bool


@dataclass
class SigningReceiver:
    """An HTTPS endpoint at ``/results`` that verifies Standard Webhooks signatures."""

    base_url: str = ""
    statuses: list[int] = field(default_factory=lambda: [200])
    posts: list[Post] = field(default_factory=list)

    @property
    def url(self) -> str:
        """Where deliveries go."""
        return f"{self.base_url}/results"

    async def handle(self, request: web.Request) -> web.Response:
        """OPTIONS answers 204 (the save-time ping); POSTs are verified and recorded."""
        if request.method == "OPTIONS":
            return web.Response(status=204)
        body = await request.read()
        headers = {k.lower(): v for k, v in request.headers.items()}
        try:
            Webhook(SIGNING_SECRET).verify(body, headers, json_parse=False)
            verified = True
        except WebhookVerificationError:
            verified = False
        self.posts.append(Post(headers=headers, body=body, verified=verified))
        index = min(len(self.posts), len(self.statuses)) - 1
        return web.Response(status=self.statuses[index] if verified else 401)


@pytest.fixture
async def receiver(tls: TestTLS) -> AsyncIterator[SigningReceiver]:
    """A fresh receiver for one test."""
    receiver = SigningReceiver()
    app = web.Application()
    app.router.add_route("*", "/results", receiver.handle)
    async with serve(app, tls=tls.server_context) as base_url:
        receiver.base_url = base_url
        yield receiver
