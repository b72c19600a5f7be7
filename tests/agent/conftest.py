"""A live app for conversation tests, and helpers that talk to it like a face would."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from api.app import create_app
from api.settings import Settings
from connectors.base import ConnectorContext
from tests.conftest import LOOPBACK
from tests.support.https import TestTLS, make_tls

BASE = "/api/v1/agents/ingestion/sessions"


class Chat:
    """One person chatting over the session API."""

    def __init__(self, client: TestClient[Any, Any], headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers
        self.session_id = ""
        self.replies: list[dict[str, Any]] = []

    async def start(self) -> dict[str, Any]:
        response = await self.client.post(BASE, json={}, headers=self.headers)
        assert response.status == 201, await response.text()
        reply: dict[str, Any] = await response.json()
        self.session_id = reply["session_id"]
        self.replies.append(reply)
        return reply

    async def say(self, message: str, *, settle: bool = True) -> dict[str, Any]:
        response = await self.client.post(
            f"{BASE}/{self.session_id}/chat", json={"message": message}, headers=self.headers
        )
        assert response.status == 200, await response.text()
        reply: dict[str, Any] = await response.json()
        self.replies.append(reply)
        if settle and reply["data"].get("task"):
            return await self.settled()
        return reply

    async def settled(self, within: float = 30.0) -> dict[str, Any]:
        """Poll until background work is done; return the agent's latest reply."""
        deadline = asyncio.get_running_loop().time() + within
        while True:
            view = await self.view()
            last: dict[str, Any] = view["last_reply"]
            if not last["data"].get("task"):
                self.replies.append(last)
                return last
            assert asyncio.get_running_loop().time() < deadline, "background work did not finish"
            await asyncio.sleep(0.05)

    async def view(self) -> dict[str, Any]:
        response = await self.client.get(f"{BASE}/{self.session_id}", headers=self.headers)
        assert response.status == 200, await response.text()
        body: dict[str, Any] = await response.json()
        return body


@pytest.fixture(scope="session")
def tls() -> TestTLS:
    return make_tls()


@pytest.fixture
async def app_client(tmp_path: Path, tls: TestTLS) -> AsyncIterator[TestClient[Any, Any]]:
    context = ConnectorContext(network=LOOPBACK, ssl_context=tls.client_context, timeout=5.0)
    app = create_app(Settings(data_dir=tmp_path), connector_context=context)
    client: TestClient[Any, Any] = TestClient(TestServer(app))
    await client.start_server()
    yield client
    await client.close()


def person(
    tenant: str = "acme", user: str = "ada", roles: str = "ROLE_DATA_ENGINEER"
) -> dict[str, str]:
    return {"X-Tenant-Id": tenant, "X-User-ID": user, "X-User-Roles": roles}
