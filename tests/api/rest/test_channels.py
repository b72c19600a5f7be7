"""``/api/v1/agents/{id}/notification-channels``: Slack incoming webhooks and HTTPS webhooks.

The URL is a credential: it goes to the vault and only its host ever comes back. Every
test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from ulid import ULID

from connections.db.models import AuditEvent, NotificationChannel, SecretRow
from tests.api.rest.conftest import Backend
from tests.api.rest.support import SIGNING_SECRET, VIEWER, Api

CHANNEL_FIELDS = {"id", "agentId", "kind", "name", "host", "createdAt"}


def channels_path(agent_id: str) -> str:
    return f"/api/v1/agents/{agent_id}/notification-channels"


def slack_url() -> str:
    """A Slack-like incoming-webhook URL whose path is the credential."""
    return f"https://hooks.slack.example.com/services/T000/B000/{str(ULID()).lower()}"


async def test_a_slack_channel_is_created_and_shows_only_its_host(api: Api, agent_id: str) -> None:
    url = slack_url()

    reply = await api.post(
        channels_path(agent_id), {"kind": "SLACK_WEBHOOK", "name": "ops", "url": url}
    )

    assert reply.status == 201, reply.text
    body = reply.json
    assert set(body) == CHANNEL_FIELDS | {"signingSecret"}
    assert body["id"].startswith("chn_")
    assert (body["kind"], body["name"], body["host"]) == (
        "SLACK_WEBHOOK",
        "ops",
        "hooks.slack.example.com",
    )
    assert body["signingSecret"] is None
    assert reply.headers["Location"] == f"{channels_path(agent_id)}/{body['id']}"
    assert url.rsplit("/", 1)[1] not in reply.text
    listed = await api.get(channels_path(agent_id))
    assert listed.status == 200
    assert [set(c) for c in listed.json["items"]] == [CHANNEL_FIELDS]
    assert url.rsplit("/", 1)[1] not in listed.text


async def test_a_webhook_channel_gets_a_signing_secret_shown_once(api: Api, agent_id: str) -> None:
    reply = await api.post(
        channels_path(agent_id),
        {"kind": "webhook", "name": "pager", "url": "https://pager.example.com:8443/in"},
    )

    assert reply.status == 201, reply.text
    secret = reply.json["signingSecret"]
    assert secret.startswith("whsec_")
    assert reply.json["host"] == "pager.example.com:8443"
    listed = await api.get(channels_path(agent_id))
    assert secret not in listed.text


async def test_a_given_signing_secret_is_kept_and_not_echoed(api: Api, agent_id: str) -> None:
    reply = await api.post(
        channels_path(agent_id),
        {
            "kind": "WEBHOOK",
            "name": "pager",
            "url": "https://pager.example.com/in",
            "signingSecret": SIGNING_SECRET,
        },
    )

    assert reply.status == 201, reply.text
    assert reply.json["signingSecret"] is None
    assert SIGNING_SECRET not in reply.text


async def test_a_channel_is_deleted_with_its_url(api: Api, agent_id: str, backend: Backend) -> None:
    created = await api.post(
        channels_path(agent_id), {"kind": "SLACK_WEBHOOK", "name": "ops", "url": slack_url()}
    )
    channel_id = created.json["id"]
    async with backend.service.deps.database() as db:
        secret_id = (await db.get(NotificationChannel, channel_id)).secret_id  # type: ignore[union-attr]

    deleted = await api.delete(f"{channels_path(agent_id)}/{channel_id}")
    again = await api.delete(f"{channels_path(agent_id)}/{channel_id}")

    assert (deleted.status, again.status) == (204, 404)
    assert (await api.get(channels_path(agent_id))).json["items"] == []
    async with backend.service.deps.database() as db:
        assert await db.get(SecretRow, secret_id) is None


async def test_deleting_an_agent_deletes_its_channels_urls(api: Api, backend: Backend) -> None:
    agent = await api.create_agent()
    kept = await api.create_agent()
    created = [
        await api.post(
            channels_path(owner["id"]),
            {"kind": "SLACK_WEBHOOK", "name": "ops", "url": slack_url()},
        )
        for owner in (agent, agent, kept)
    ]
    async with backend.service.deps.database() as db:
        secret_ids = [
            (await db.get(NotificationChannel, c.json["id"])).secret_id  # type: ignore[union-attr]
            for c in created
        ]

    deleted = await api.delete(f"/api/v1/agents/{agent['id']}")

    assert deleted.status == 204, deleted.text
    async with backend.service.deps.database() as db:
        assert [await db.get(SecretRow, s) is None for s in secret_ids] == [True, True, False]
    assert len((await api.get(channels_path(kept["id"]))).json["items"]) == 1


async def test_bad_input_is_a_422_naming_the_field(api: Api, agent_id: str) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"kind": "SLACK_WEBHOOK", "name": "x", "url": "ftp://example.com/x"}, "url"),
        ({"kind": "SLACK_WEBHOOK", "name": "x", "url": "https://u:p@example.com/x"}, "url"),
        ({"kind": "EMAIL", "name": "x", "url": "https://example.com/x"}, "kind"),
        (
            {"kind": "SLACK_WEBHOOK", "name": "x", "url": slack_url(), "signingSecret": "whsec_x"},
            "signingSecret",
        ),
        (
            {"kind": "WEBHOOK", "name": "x", "url": "https://e.com/x", "signingSecret": "short"},
            "signingSecret",
        ),
    ]

    replies = [await api.post(channels_path(agent_id), body) for body, _ in cases]

    assert [r.status for r in replies] == [422] * len(cases)
    assert [r.error.get("field") for r in replies] == [field for _, field in cases]
    assert "u:p" not in " ".join(r.text for r in replies)
    assert (await api.get(channels_path(agent_id))).json["items"] == []


async def test_a_refused_address_is_blocked_by_policy(api: Api, agent_id: str) -> None:
    reply = await api.post(
        channels_path(agent_id),
        {"kind": "WEBHOOK", "name": "meta", "url": "http://169.254.169.254/latest/meta-data"},
    )

    assert reply.status == 422
    assert reply.error["code"] == "blocked_by_policy"


async def test_viewers_list_but_do_not_change(api: Api, agent_id: str) -> None:
    created = await api.post(
        channels_path(agent_id), {"kind": "SLACK_WEBHOOK", "name": "ops", "url": slack_url()}
    )
    viewer = api.as_roles(VIEWER)

    listed = await viewer.get(channels_path(agent_id))
    made = await viewer.post(
        channels_path(agent_id), {"kind": "SLACK_WEBHOOK", "name": "x", "url": slack_url()}
    )
    removed = await viewer.delete(f"{channels_path(agent_id)}/{created.json['id']}")

    assert listed.status == 200
    assert [r.status for r in (made, removed)] == [403, 403]
    assert len((await api.get(channels_path(agent_id))).json["items"]) == 1


async def test_another_tenants_channels_are_404s(
    api: Api, other_tenant: Api, agent_id: str
) -> None:
    created = await api.post(
        channels_path(agent_id), {"kind": "SLACK_WEBHOOK", "name": "ops", "url": slack_url()}
    )
    own_agent = str((await other_tenant.create_agent())["id"])
    body = {"kind": "SLACK_WEBHOOK", "name": "x", "url": slack_url()}

    replies = [
        await other_tenant.get(channels_path(agent_id)),
        await other_tenant.post(channels_path(agent_id), body),
        await other_tenant.delete(f"{channels_path(agent_id)}/{created.json['id']}"),
        await other_tenant.delete(f"{channels_path(own_agent)}/{created.json['id']}"),
    ]

    assert [r.status for r in replies] == [404] * 4
    assert len((await api.get(channels_path(agent_id))).json["items"]) == 1


async def test_changes_are_audited_without_the_url(
    api: Api, agent_id: str, backend: Backend
) -> None:
    url = slack_url()
    created = await api.post(
        channels_path(agent_id), {"kind": "SLACK_WEBHOOK", "name": "ops", "url": url}
    )
    await api.delete(f"{channels_path(agent_id)}/{created.json['id']}")

    async with backend.service.deps.database() as db:
        events = (
            await db.scalars(
                select(AuditEvent)
                .where(AuditEvent.tenant_id == api.tenant)
                .order_by(AuditEvent.seq)
            )
        ).all()
    actions = [e.action for e in events]
    assert "notification_channel.create" in actions
    assert "notification_channel.delete" in actions
    create = next(e for e in events if e.action == "notification_channel.create")
    assert create.details["host"] == "hooks.slack.example.com"
    assert url.rsplit("/", 1)[1] not in json.dumps([e.details for e in events])
