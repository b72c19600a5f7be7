"""Through the API, the vault registers only secret fields for redaction.

A database login is kept whole in the vault, but its user name is not secret: were
``postgres`` registered, every later log line naming ``postgresql+psycopg`` would be cut.
The connector spec says which fields are secret; a caller that does not know the type
(a secret staged without one) keeps registering every value. Every test runs on SQLite and
on PostgreSQL; the peer is the real PostgreSQL server (trust authentication).
"""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr
from typing import Any

import pytest
import structlog
from ulid import ULID

from api.logs import configure_logging
from connections.db.models import NotificationChannel, SecretRow
from core.redaction import REDACTED
from core.redaction import registry as redaction_registry
from tests.api.rest.conftest import Backend
from tests.api.rest.support import Api, s3_body
from tests.support.seaweedfs import SeaweedS3

USERNAME = "postgres"


@pytest.fixture(autouse=True)
def _empty_registry() -> None:
    """Nothing registered when a test starts (``tests/conftest.py`` restores it after)."""
    redaction_registry.clear()


def registered(value: str) -> bool:
    """Whether ``value`` is registered for redaction."""
    return value in redaction_registry


def password() -> str:
    # Trust authentication takes any password, so a unique one proves where it went.
    return f"pw-{str(ULID()).lower()}"


def postgres_body(secret: dict[str, str] | None) -> dict[str, Any]:
    """A PostgreSQL inventory source over the server's ``test`` database."""
    body: dict[str, Any] = {
        "role": "INVENTORY_SOURCE",
        "type": "POSTGRES",
        "name": f"warehouse-{ULID()}",
        "config": {"host": "127.0.0.1", "port": 5432, "database": "test", "sslmode": "disable"},
    }
    if secret is not None:
        body["secret"] = secret
    return body


async def secret_row(backend: Backend, secret_id: str) -> SecretRow:
    async with backend.service.deps.database() as db:
        row = await db.get(SecretRow, secret_id)
    assert row is not None
    return row


async def test_staging_a_typed_login_registers_the_password_not_the_user_name(
    api: Api, backend: Backend
) -> None:
    secret = password()

    reply = await api.post(
        "/api/v1/secrets",
        {"type": "POSTGRES", "values": {"username": USERNAME, "password": secret}},
    )

    assert reply.status == 201, reply.text
    row = await secret_row(backend, reply.json["secretRef"])
    assert row.fields["public"] == ["username"]
    assert registered(secret)
    assert not registered(USERNAME)


async def test_staging_without_a_type_registers_every_value(api: Api, backend: Backend) -> None:
    secret = password()

    reply = await api.post(
        "/api/v1/secrets", {"values": {"username": USERNAME, "password": secret}}
    )

    assert reply.status == 201, reply.text
    assert (await secret_row(backend, reply.json["secretRef"])).fields["public"] == []
    assert registered(secret)
    assert registered(USERNAME)


async def test_a_saved_login_is_opened_without_registering_the_user_name(
    api: Api, agent_id: str, backend: Backend
) -> None:
    secret = password()
    source = await api.create_source(
        agent_id, postgres_body({"username": USERNAME, "password": secret})
    )
    assert (await secret_row(backend, source["secretRef"])).fields["public"] == ["username"]
    redaction_registry.clear()

    # Testing the saved source reveals its secret from the vault.
    reply = await api.post(f"/api/v1/agents/{agent_id}/data-sources/{source['id']}/test")

    assert reply.status == 200, reply.text
    assert reply.json["ok"] is True
    assert registered(secret)
    assert not registered(USERNAME)


async def test_log_lines_keep_the_user_name_and_lose_the_password(api: Api, agent_id: str) -> None:
    secret = password()
    await api.create_source(agent_id, postgres_body({"username": USERNAME, "password": secret}))
    log = io.StringIO()

    with redirect_stderr(log):
        configure_logging("info", "json")
        logger = structlog.get_logger("tests.public_fields")
        logger.info("peer_connect", driver="postgresql+psycopg", user=USERNAME)
        logger.info("peer_login_failed", detail=f"rejected {secret}")

    connect, failed = (json.loads(line) for line in log.getvalue().splitlines())
    assert (connect["driver"], connect["user"]) == ("postgresql+psycopg", USERNAME)
    assert failed["detail"] == f"rejected {REDACTED}"


async def test_a_user_name_added_to_a_staged_password_stays_public(
    api: Api, agent_id: str, backend: Backend
) -> None:
    # The chat's way: the password is staged as it is typed; the user name, not being a
    # secret, comes with the create body and is merged into the staged secret.
    secret = password()
    staged = await api.post("/api/v1/secrets", {"type": "POSTGRES", "values": {"password": secret}})
    assert staged.status == 201, staged.text
    body = {**postgres_body({"username": USERNAME}), "secretRef": staged.json["secretRef"]}

    source = await api.create_source(agent_id, body)

    row = await secret_row(backend, source["secretRef"])
    assert row.fields == {
        "names": ["password", "username"],
        "primary": "password",
        "public": ["username"],
    }
    assert registered(secret)
    assert not registered(USERNAME)


async def test_an_access_key_id_is_public_through_create_and_update(
    api: Api, agent_id: str, backend: Backend, seaweed: SeaweedS3, stocked_bucket: str
) -> None:
    source = await api.create_source(agent_id, s3_body(seaweed, stocked_bucket))
    path = f"/api/v1/agents/{agent_id}/data-sources/{source['id']}"
    masked = {"accessKeyId": seaweed.admin.access_key_id, "secretAccessKey": source["secretMask"]}

    reply = await api.patch(path, {"secret": masked})

    assert reply.status == 200, reply.text
    row = await secret_row(backend, source["secretRef"])
    assert row.fields["public"] == ["access_key_id"]
    assert registered(seaweed.admin.secret_access_key)
    assert not registered(seaweed.admin.access_key_id)


async def test_a_channel_keeps_every_value_secret(
    api: Api, agent_id: str, backend: Backend
) -> None:
    url = f"https://hooks.example.com/in/{str(ULID()).lower()}"

    reply = await api.post(
        f"/api/v1/agents/{agent_id}/notification-channels",
        {"kind": "WEBHOOK", "name": "pager", "url": url},
    )

    assert reply.status == 201, reply.text
    async with backend.service.deps.database() as db:
        channel = await db.get(NotificationChannel, reply.json["id"])
        assert channel is not None
        row = await db.get(SecretRow, channel.secret_id)
    assert row is not None
    assert row.fields["public"] == []
    assert registered(url)
    assert registered(reply.json["signingSecret"])
