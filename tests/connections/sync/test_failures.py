"""Failed pulls: counted per source, paused at the agent's limit, pending item, notifications.

The notifications reach real servers on loopback: a Slack incoming-webhook stand-in (Slack
itself cannot run here) and an HTTPS webhook receiver that verifies the Standard Webhooks
signature with the ``standardwebhooks`` library.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from mypy_boto3_s3 import S3Client
from sqlalchemy import select
from standardwebhooks import Webhook

from connections.db.models import AuditEvent, PendingItem
from connections.deps import ServiceDeps
from connections.identity import Identity, RoleMap
from connections.schemas import NotificationChannelCreate
from connections.service import ConnectionService
from connections.sync import PULL_FAILED, PullEngine
from tests.connections.sync.support import SIGNING_SECRET, Tenant, csv_bytes, put_objects
from tests.support.https import TestTLS, serve
from tests.support.seaweedfs import SeaweedS3


@dataclass
class Receivers:
    """A Slack stand-in at ``/slack/…`` and a webhook receiver at ``/hook``."""

    base: str = ""
    slack: list[dict[str, Any]] = field(default_factory=list)
    hooks: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    async def slack_webhook(self, request: web.Request) -> web.Response:
        # Slack answers "ok" in plain text to a good incoming-webhook post.
        self.slack.append(await request.json())
        return web.Response(text="ok")

    async def hook(self, request: web.Request) -> web.Response:
        self.hooks.append((dict(request.headers), await request.read()))
        return web.Response(status=204)


@pytest.fixture
async def receivers(tls: TestTLS) -> AsyncIterator[Receivers]:
    """Both receivers over HTTPS on loopback."""
    state = Receivers()
    app = web.Application()
    app.router.add_post("/slack/T000/B000/XXXXXXXX", state.slack_webhook)
    app.router.add_post("/hook", state.hook)
    async with serve(app, tls=tls.server_context) as base:
        state.base = base
        yield state


def _owner(tenant: Tenant) -> Identity:
    roles = ("ROLE_DATA_ENGINEER",)
    return Identity(
        tenant_id=tenant.tenant_id,
        user_id="alice@example.com",
        roles=roles,
        permissions=RoleMap.default().permissions(roles),
    )


async def _channels(deps: ServiceDeps, tenant: Tenant, receivers: Receivers) -> None:
    channels = ConnectionService(deps).channels
    who = _owner(tenant)
    await channels.create(
        who,
        tenant.agent_id,
        NotificationChannelCreate(
            kind="SLACK_WEBHOOK", name="ops", url=f"{receivers.base}/slack/T000/B000/XXXXXXXX"
        ),
    )
    await channels.create(
        who,
        tenant.agent_id,
        NotificationChannelCreate(
            kind="WEBHOOK",
            name="pager",
            url=f"{receivers.base}/hook",
            signing_secret=SIGNING_SECRET,
        ),
    )


async def _broken_source(tenant: Tenant, seaweed: SeaweedS3, bucket: str) -> str:
    return await tenant.add_s3_source(
        seaweed, bucket, identity=seaweed.wrong_secret, name="Daily uploads"
    )


async def test_a_failure_is_counted_and_a_success_resets_the_count(
    puller: PullEngine, tenant: Tenant, seaweed: SeaweedS3, s3_admin: S3Client, bucket: str
) -> None:
    put_objects(s3_admin, bucket, {"daily/a.csv": csv_bytes(1)})
    broken = await _broken_source(tenant, seaweed, bucket)
    await puller.pull(broken)
    await puller.pull(broken)
    assert (await tenant.source(broken)).consecutive_failures == 2
    # The key is fixed: the same source now answers.
    async with tenant.deps.database() as db:
        row = await db.get(type(await tenant.source(broken)), broken)
        assert row is not None
        await tenant.deps.vault.merge(
            db, tenant.tenant_id, row.secret_id or "", seaweed.reader.secrets()
        )
        await db.commit()

    sync = await tenant.sync(await puller.pull(broken))

    assert sync.status == "succeeded"
    source = await tenant.source(broken)
    assert source.consecutive_failures == 0
    assert source.status == "active"


async def test_three_failures_pause_the_source_file_an_item_and_notify(
    puller: PullEngine,
    deps: ServiceDeps,
    tenant: Tenant,
    seaweed: SeaweedS3,
    bucket: str,
    receivers: Receivers,
) -> None:
    await _channels(deps, tenant, receivers)
    source_id = await _broken_source(tenant, seaweed, bucket)

    for _ in range(3):
        await puller.pull(source_id)

    source = await tenant.source(source_id)
    assert source.status == "paused"
    assert source.consecutive_failures == 3
    async with deps.database() as db:
        items = (
            await db.scalars(select(PendingItem).where(PendingItem.source_id == source_id))
        ).all()
    [item] = items
    assert item.kind == PULL_FAILED == "DATA_SOURCE_PULL_FAILED"
    assert item.status == "open"
    assert "Daily uploads" in item.message
    assert "3 failed pulls" in item.message
    [slack] = receivers.slack
    assert set(slack) == {"text"}
    assert "Daily uploads" in slack["text"]
    assert "paused" in slack["text"]
    [(headers, body)] = receivers.hooks
    verified = Webhook(SIGNING_SECRET).verify(body, headers)
    assert verified["type"] == "data_source.paused"
    assert verified["data"]["sourceId"] == source_id
    assert verified["data"]["pendingItemId"] == item.id
    assert verified["data"]["consecutiveFailures"] == 3


async def test_a_paused_source_is_not_pulled(
    puller: PullEngine, deps: ServiceDeps, tenant: Tenant, seaweed: SeaweedS3, bucket: str
) -> None:
    source_id = await _broken_source(tenant, seaweed, bucket)
    for _ in range(3):
        await puller.pull(source_id)

    sync = await tenant.sync(await puller.pull(source_id, trigger="schedule"))

    assert sync.status == "cancelled"
    assert "paused" in (sync.error or "")
    assert (await tenant.source(source_id)).consecutive_failures == 3  # not counted


async def test_the_limit_is_the_agents_rule(
    puller: PullEngine, deps: ServiceDeps, seaweed: SeaweedS3, bucket: str
) -> None:
    tenant = Tenant(deps)
    await tenant.add_agent(data_sources={"pause_source_after_failures": 1})
    source_id = await _broken_source(tenant, seaweed, bucket)

    await puller.pull(source_id)

    assert (await tenant.source(source_id)).status == "paused"


async def test_a_failed_notification_does_not_fail_the_pull(
    puller: PullEngine, deps: ServiceDeps, tenant: Tenant, seaweed: SeaweedS3, bucket: str
) -> None:
    channels = ConnectionService(deps).channels
    # Nothing listens there: the delivery fails, the pause stands.
    await channels.create(
        _owner(tenant),
        tenant.agent_id,
        NotificationChannelCreate(kind="SLACK_WEBHOOK", name="gone", url="https://127.0.0.1:9/x"),
    )
    source_id = await _broken_source(tenant, seaweed, bucket)

    for _ in range(3):
        sync_id = await puller.pull(source_id)

    assert (await tenant.sync(sync_id)).status == "failed"
    assert (await tenant.source(source_id)).status == "paused"


async def test_each_pull_and_the_pause_are_audited(
    puller: PullEngine, deps: ServiceDeps, tenant: Tenant, seaweed: SeaweedS3, bucket: str
) -> None:
    source_id = await _broken_source(tenant, seaweed, bucket)
    for _ in range(3):
        await puller.pull(source_id)

    async with deps.database() as db:
        events = (
            await db.scalars(
                select(AuditEvent)
                .where(AuditEvent.tenant_id == tenant.tenant_id)
                .order_by(AuditEvent.seq)
            )
        ).all()
    actions = [e.action for e in events]
    assert actions.count("sync.finish") == 3
    assert "data_source.pause" in actions
    finish = next(e for e in events if e.action == "sync.finish")
    assert finish.actor == "system"
    assert finish.details["status"] == "failed"
    assert json.dumps(finish.details).count(seaweed.wrong_secret.secret_access_key) == 0
