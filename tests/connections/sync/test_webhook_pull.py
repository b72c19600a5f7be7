"""Pulling an HTTPS webhook source: its body when it changed, against real HTTPS servers."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web

from connections.inventory import LocalInventoryStore
from connections.sync import PullEngine
from tests.connections.sync.support import Tenant, csv_bytes
from tests.support.https import TestTLS, serve

TOKEN = "Bearer webhook-pull-token-0123456789"


@dataclass
class Export:
    """An export endpoint: serves ``body``, with an ETag when ``etags`` is on."""

    body: bytes = field(default_factory=lambda: csv_bytes(3))
    etags: bool = True
    content_type: str = "text/csv"
    seen: list[dict[str, str]] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        self.seen.append(dict(request.headers))
        if request.headers.get("Authorization") != TOKEN:
            return web.Response(status=401)
        headers = {"Content-Type": self.content_type}
        if self.etags:
            etag = '"' + hashlib.md5(self.body).hexdigest() + '"'  # noqa: S324 - an ETag
            if request.headers.get("If-None-Match") == etag:
                return web.Response(status=304, headers={"ETag": etag})
            headers["ETag"] = etag
        return web.Response(body=self.body, headers=headers)


@pytest.fixture
async def export(tls: TestTLS) -> AsyncIterator[tuple[Export, str]]:
    """A running export endpoint and its URL."""
    state = Export()
    app = web.Application()
    app.router.add_route("*", "/exports/products.csv", state.handle)
    async with serve(app, tls=tls.server_context) as base:
        yield state, f"{base}/exports/products.csv"


async def _source(tenant: Tenant, url: str) -> str:
    return await tenant.add_source("WEBHOOK", {"url": url, "format": "CSV"}, {"auth_header": TOKEN})


async def test_the_first_pull_takes_the_body(
    puller: PullEngine,
    tenant: Tenant,
    export: tuple[Export, str],
    store: LocalInventoryStore,
) -> None:
    state, url = export
    source_id = await _source(tenant, url)

    sync = await tenant.sync(await puller.pull(source_id))

    [upload] = await tenant.uploads(source_id)
    assert sync.status == "succeeded"
    assert [(e["key"], e["status"]) for e in sync.manifest] == [(url, "uploaded")]
    assert upload.etag == "sha256:" + hashlib.sha256(state.body).hexdigest()
    assert upload.format == "CSV"
    async with store.open(upload.location) as path:
        assert path.read_bytes() == state.body
    assert state.seen[-1]["Authorization"] == TOKEN


async def test_an_unchanged_export_is_not_taken_again(
    puller: PullEngine, tenant: Tenant, export: tuple[Export, str]
) -> None:
    state, url = export
    source_id = await _source(tenant, url)
    await puller.pull(source_id)

    second = await tenant.sync(await puller.pull(source_id))

    assert second.status == "succeeded"
    assert second.manifest == []
    assert state.seen[-1].get("If-None-Match")  # asked with the ETag: answered 304
    assert len(await tenant.uploads(source_id)) == 1


async def test_a_server_without_etags_is_caught_by_the_content_hash(
    puller: PullEngine, tenant: Tenant, export: tuple[Export, str]
) -> None:
    state, url = export
    state.etags = False
    source_id = await _source(tenant, url)
    await puller.pull(source_id)

    second = await tenant.sync(await puller.pull(source_id))

    assert second.manifest == []
    assert len(await tenant.uploads(source_id)) == 1


async def test_a_changed_export_is_taken(
    puller: PullEngine, tenant: Tenant, export: tuple[Export, str]
) -> None:
    state, url = export
    source_id = await _source(tenant, url)
    await puller.pull(source_id)
    state.body = csv_bytes(5, tag="v2")

    sync = await tenant.sync(await puller.pull(source_id))

    assert [e["status"] for e in sync.manifest] == ["uploaded"]
    assert sync.bytes == len(state.body)
    assert len(await tenant.uploads(source_id)) == 2


async def test_a_refused_fetch_fails_the_sync(
    puller: PullEngine, tenant: Tenant, export: tuple[Export, str]
) -> None:
    _, url = export
    source_id = await tenant.add_source("WEBHOOK", {"url": url, "format": "CSV"}, None)

    sync = await tenant.sync(await puller.pull(source_id))

    assert sync.status == "failed"
    assert "credentials" in (sync.error or "")
    assert await tenant.uploads(source_id) == []


async def test_a_web_page_is_not_taken_as_data(
    puller: PullEngine, tenant: Tenant, export: tuple[Export, str]
) -> None:
    state, url = export
    state.body, state.content_type = b"<html>Log in</html>", "text/html"
    source_id = await _source(tenant, url)

    sync = await tenant.sync(await puller.pull(source_id))

    assert sync.status == "failed"
    assert "web page" in (sync.error or "")
