"""Canary secrets given to sources and channels come out of no pull: rows, logs, payloads.

An S3 source with a canary secret key fails until it is paused; a webhook source sends a
canary auth header to a server that echoes it back in a failure; notification channels
carry canary URLs (one that answers, one that does not) and a canary signing secret. Then
every row of every table, every log line of the real JSON pipeline and everything the
receivers got is searched for each canary, plain and encoded.
"""

from __future__ import annotations

import base64
import io
import json
import logging
from contextlib import redirect_stderr
from urllib.parse import quote, quote_plus

import structlog
from aiohttp import web
from sqlalchemy import MetaData, select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from ulid import ULID

from api.logs import configure_logging
from connections.deps import ServiceDeps
from connections.identity import Identity, RoleMap
from connections.schemas import NotificationChannelCreate
from connections.service import ConnectionService
from connections.sync import PullEngine
from tests.connections.sync.support import Tenant
from tests.support.https import TestTLS, serve
from tests.support.seaweedfs import SeaweedS3


def canary(label: str) -> str:
    return f"canary-{label}-{str(ULID()).lower()}"


def forms(secret: str) -> set[str]:
    raw = secret.encode()
    return {
        secret,
        base64.b64encode(raw).decode().rstrip("="),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
        quote(secret, safe=""),
        quote_plus(secret, safe=""),
        json.dumps(secret)[1:-1],
    }


def dump(connection: Connection) -> str:
    metadata = MetaData()
    metadata.reflect(bind=connection)
    parts = [
        json.dumps(dict(row._mapping), default=str)
        for table in metadata.sorted_tables
        # The vault: ciphertext is where secrets are meant to live.
        if table.name != "secrets"
        for row in connection.execute(select(table))
    ]
    return "\n".join(parts)


async def test_no_canary_leaves_a_pull(
    puller: PullEngine,
    deps: ServiceDeps,
    engine: AsyncEngine,
    tenant: Tenant,
    seaweed: SeaweedS3,
    bucket: str,
    tls: TestTLS,
) -> None:
    secrets = {
        "s3": canary("s3"),
        "auth": f"Bearer {canary('auth')}",
        "slack": canary("slack"),
        "dead": canary("dead"),
        "signing": "whsec_" + base64.b64encode(canary("sign").encode()).decode(),
    }
    received: list[str] = []

    async def echo(request: web.Request) -> web.Response:
        # A careless server: it answers with the credential it was sent.
        token = request.headers.get("Authorization", "")
        return web.Response(status=500, text=f"bad token {token}", headers={"X-Echo": token})

    async def sink(request: web.Request) -> web.Response:
        received.append(json.dumps(dict(request.headers)) + (await request.text()))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/export.csv", echo)
    app.router.add_post("/{tail:.*}", sink)
    saved = structlog.get_config()
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    log = io.StringIO()
    try:
        with redirect_stderr(log):
            configure_logging("debug", "json")
            async with serve(app, tls=tls.server_context) as base:
                await _scenario(puller, deps, tenant, seaweed, bucket, base, secrets)
    finally:
        structlog.configure(**saved)
        root.handlers[:], root.level = handlers, level

    async with engine.connect() as connection:
        rows = await connection.run_sync(dump)
    places = {"rows": rows, "logs": log.getvalue(), "received": "\n".join(received)}
    leaks = [
        (name, where)
        for name, secret in secrets.items()
        for where, text in places.items()
        for form in forms(secret)
        if form in text
    ]
    assert leaks == []
    assert "sync.finish" in rows  # the scenario did run
    assert "notification_failed" in places["logs"]
    assert len(received) == 4  # two pauses, each to the live Slack stand-in and the webhook


async def _scenario(
    puller: PullEngine,
    deps: ServiceDeps,
    tenant: Tenant,
    seaweed: SeaweedS3,
    bucket: str,
    base: str,
    secrets: dict[str, str],
) -> None:
    roles = ("ROLE_DATA_ENGINEER",)
    who = Identity(tenant.tenant_id, "alice", roles, RoleMap.default().permissions(roles))
    channels = ConnectionService(deps).channels
    dead = f"https://127.0.0.1:9/{secrets['dead']}"
    for body in (
        NotificationChannelCreate(
            kind="SLACK_WEBHOOK", name="live", url=f"{base}/{secrets['slack']}"
        ),
        NotificationChannelCreate(kind="SLACK_WEBHOOK", name="dead", url=dead),
        NotificationChannelCreate(
            kind="WEBHOOK", name="hook", url=f"{base}/hook", signing_secret=secrets["signing"]
        ),
    ):
        await channels.create(who, tenant.agent_id, body)
    s3 = await tenant.add_source(
        "S3",
        {"bucket": bucket, "prefix": "daily/", "endpoint_url": seaweed.endpoint_url},
        {"access_key_id": seaweed.admin.access_key_id, "secret_access_key": secrets["s3"]},
    )
    hook = await tenant.add_source(
        "WEBHOOK", {"url": f"{base}/export.csv", "format": "CSV"}, {"auth_header": secrets["auth"]}
    )
    for _ in range(3):
        await puller.pull(s3)
        await puller.pull(hook)
    for source_id in (s3, hook):
        source = await tenant.source(source_id)
        assert source.status == "paused", source_id
