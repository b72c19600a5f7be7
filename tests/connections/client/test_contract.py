"""Both connection clients keep one contract: in-process, and HTTP to a live server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from mypy_boto3_s3 import S3Client

from api.app import create_app
from api.settings import Settings
from connections.client import ConnectionClient, HttpClient
from connections.errors import (
    CheckFailedError,
    ConnectorFailedError,
    NotFoundError,
    PermissionDeniedError,
)
from connections.identity import Identity, RoleMap
from connections.runtime import open_runtime
from connections.schemas import ConnectionCheckRequest, DataSourceCreate
from connectors.base import ConnectorContext
from connectors.spec import Role
from tests.conftest import LOOPBACK
from tests.support.https import serve
from tests.support.seaweedfs import SeaweedS3

ClientFor = Callable[[Identity], ConnectionClient]
ROLES = RoleMap.default()


def person(tenant: str, *roles: str) -> Identity:
    return Identity(
        tenant_id=tenant, user_id="u-1", roles=roles, permissions=ROLES.permissions(roles)
    )


@pytest.fixture(params=["in_process", "http"])
async def client_for(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[ClientFor]:
    """A factory of clients acting as a given user, over either implementation."""
    context = ConnectorContext(network=LOOPBACK, timeout=5.0)
    database_url = f"sqlite:///{tmp_path / 'service.db'}"
    if request.param == "in_process":
        runtime = await open_runtime(
            database_url=database_url, data_dir=tmp_path, vault_key=None, connector_context=context
        )
        yield runtime.client
        await runtime.close()
        return
    app = create_app(
        Settings(data_dir=tmp_path, database_url=database_url), connector_context=context
    )
    clients: list[HttpClient] = []
    async with serve(app) as base:

        def make(who: Identity) -> ConnectionClient:
            client = HttpClient(base, who)
            clients.append(client)
            return client

        yield make
        for client in clients:
            await client.aclose()


@pytest.fixture
def s3_files(s3_admin: S3Client, bucket: str, seaweed: SeaweedS3) -> dict[str, Any]:
    s3_admin.put_object(Bucket=bucket, Key="in/people.csv", Body=b"id,name\n1,Ada\n2,Grace\n")
    return {"bucket": bucket, "prefix": "in/", "endpointUrl": seaweed.endpoint_url}


def s3_secret(seaweed: SeaweedS3) -> dict[str, str]:
    return {
        "accessKeyId": seaweed.reader.access_key_id,
        "secretAccessKey": seaweed.reader.secret_access_key,
    }


async def test_connector_types_carry_the_field_specs(client_for: ClientFor) -> None:
    types = {t.type: t for t in await client_for(person("t1", "ROLE_VIEWER")).connector_types()}

    secret_fields = {f.name for f in types["S3"].fields if f.secret}
    assert secret_fields == {"secret_access_key"}


async def test_connector_types_carry_the_chats_facts(client_for: ClientFor) -> None:
    # The chat reads aliases, DSN schemes, what to ask again and why discovery may find
    # nothing from here only, so a remote service must serve them as the local one does.
    types = {t.type: t for t in await client_for(person("t1", "ROLE_VIEWER")).connector_types()}

    s3 = types["S3"]
    assert "aws s3" in s3.aliases
    assert (s3.dsn_schemes, s3.dsn_form) == (["s3", "s3a", "s3n"], "bucket")
    assert s3.reask["auth_failed"] == ["secret_access_key", "access_key_id"]
    assert s3.zero_stream_hints
    assert types["SNOWFLAKE"].dsn_form == "account"
    assert types["POSTGRES"].reask["unreachable"] == ["host", "port"]


async def test_default_agent_is_created_once(client_for: ClientFor) -> None:
    client = client_for(person("t1", "ROLE_DATA_ENGINEER"))

    first = await client.default_agent()
    second = await client.default_agent()

    assert first.id == second.id
    assert first.is_default


async def test_staged_secret_is_masked_and_usable_by_reference(
    client_for: ClientFor, s3_files: dict[str, Any], seaweed: SeaweedS3
) -> None:
    client = client_for(person("t1", "ROLE_DATA_ENGINEER"))
    agent = await client.default_agent()

    staged = await client.stage_secret(
        {"secretAccessKey": seaweed.reader.secret_access_key}, type_="S3"
    )
    check = await client.check(
        agent.id,
        ConnectionCheckRequest(
            type="S3",
            config=s3_files,
            secret={"accessKeyId": seaweed.reader.access_key_id},
            secret_ref=staged.secret_ref,
        ),
    )

    assert staged.mask == f"ia_****{seaweed.reader.secret_access_key[-4:]}"
    assert check.ok, check.message
    assert check.details["objects"] == 1


async def test_failed_check_is_a_result_not_an_error(
    client_for: ClientFor, s3_files: dict[str, Any], seaweed: SeaweedS3
) -> None:
    client = client_for(person("t1", "ROLE_DATA_ENGINEER"))
    agent = await client.default_agent()

    check = await client.check(
        agent.id,
        ConnectionCheckRequest(
            type="S3",
            config=s3_files,
            secret={
                "accessKeyId": seaweed.unknown.access_key_id,
                "secretAccessKey": seaweed.unknown.secret_access_key,
            },
        ),
    )

    assert not check.ok
    assert check.failure == "auth_failed"
    assert check.field == "secret.accessKeyId"


async def test_discover_and_create_then_preview(
    client_for: ClientFor, s3_files: dict[str, Any], seaweed: SeaweedS3
) -> None:
    client = client_for(person("t1", "ROLE_DATA_ENGINEER"))
    agent = await client.default_agent()
    request = ConnectionCheckRequest(type="S3", config=s3_files, secret=s3_secret(seaweed))

    catalog = await client.discover(agent.id, request)
    source = await client.create_source(
        agent.id,
        DataSourceCreate(
            role=Role.INVENTORY_SOURCE,
            type="S3",
            name="People",
            config=s3_files,
            secret=s3_secret(seaweed),
            selected_streams=["people"],
        ),
    )
    preview = await client.preview(agent.id, source.id, limit=1)

    assert [s["name"] for s in catalog.streams] == ["people"]
    assert source.secret_mask is not None
    assert preview.rows == [{"id": "1", "name": "Ada"}]


async def test_create_with_the_same_idempotency_key_creates_once(
    client_for: ClientFor, s3_files: dict[str, Any], seaweed: SeaweedS3
) -> None:
    client = client_for(person("t1", "ROLE_DATA_ENGINEER"))
    agent = await client.default_agent()
    body = DataSourceCreate(
        role=Role.INVENTORY_SOURCE,
        type="S3",
        name="Once",
        config=s3_files,
        secret=s3_secret(seaweed),
    )

    first = await client.create_source(agent.id, body, idempotency_key="ses_1:abc")
    again = await client.create_source(agent.id, body, idempotency_key="ses_1:abc")
    listing = await client.list_sources(agent.id, role=Role.INVENTORY_SOURCE)

    assert first.id == again.id
    assert [s.id for s in listing.items] == [first.id]


async def test_failed_save_time_ping_is_check_failed(
    client_for: ClientFor, s3_files: dict[str, Any], seaweed: SeaweedS3
) -> None:
    client = client_for(person("t1", "ROLE_DATA_ENGINEER"))
    agent = await client.default_agent()
    body = DataSourceCreate(
        role=Role.RESULTS_SINK, type="S3", name="Sink", config=s3_files, secret=s3_secret(seaweed)
    )

    with pytest.raises(CheckFailedError) as caught:
        await client.create_source(agent.id, body)

    assert caught.value.result.failure is not None
    assert caught.value.result.failure.value == "permission_denied"
    assert caught.value.field == "secret.accessKeyId"


async def test_the_users_roles_decide(
    client_for: ClientFor, s3_files: dict[str, Any], seaweed: SeaweedS3
) -> None:
    engineer = client_for(person("t1", "ROLE_DATA_ENGINEER"))
    agent = await engineer.default_agent()
    viewer = client_for(person("t1", "ROLE_VIEWER"))
    body = DataSourceCreate(
        role=Role.INVENTORY_SOURCE,
        type="S3",
        name="Nope",
        config=s3_files,
        secret=s3_secret(seaweed),
    )

    with pytest.raises(PermissionDeniedError) as caught:
        await viewer.create_source(agent.id, body)

    assert caught.value.message == "You don't have permission. Contact your administrator."


async def test_another_tenants_source_is_not_found(
    client_for: ClientFor, s3_files: dict[str, Any], seaweed: SeaweedS3
) -> None:
    owner = client_for(person("t1", "ROLE_DATA_ENGINEER"))
    agent = await owner.default_agent()
    source = await owner.create_source(
        agent.id,
        DataSourceCreate(
            role=Role.INVENTORY_SOURCE,
            type="S3",
            name="Mine",
            config=s3_files,
            secret=s3_secret(seaweed),
        ),
    )
    stranger = client_for(person("t2", "ROLE_ADMIN"))

    with pytest.raises(NotFoundError):
        await stranger.get_source(agent.id, source.id)
    with pytest.raises(NotFoundError):
        await stranger.test_source(agent.id, source.id)


async def test_pull_then_follow_the_sync_then_resume(
    client_for: ClientFor, s3_files: dict[str, Any], seaweed: SeaweedS3
) -> None:
    client = client_for(person("t1", "ROLE_DATA_ENGINEER"))
    agent = await client.default_agent()
    source = await client.create_source(
        agent.id,
        DataSourceCreate(
            role=Role.INVENTORY_SOURCE,
            type="S3",
            name="People",
            config=s3_files,
            secret=s3_secret(seaweed),
        ),
    )

    queued = await client.pull_source(agent.id, source.id, trigger="initial")
    sync = queued
    for _ in range(200):
        sync = await client.get_sync(agent.id, source.id, queued.id)
        if sync.status not in ("queued", "running"):
            break
        await asyncio.sleep(0.05)
    resumed = await client.resume_source(agent.id, source.id)

    assert (queued.status, queued.trigger) == ("queued", "initial")
    assert sync.status == "succeeded", sync.error
    assert [e["key"] for e in sync.manifest] == ["in/people.csv"]
    assert resumed.status == "active"


async def test_touching_a_staged_secret_extends_it_until_it_is_discarded(
    client_for: ClientFor,
) -> None:
    client = client_for(person("t1", "ROLE_DATA_ENGINEER"))
    staged = await client.stage_secret({"secretAccessKey": "s3cret-value-0123456789"}, type_="S3")

    touched = await client.touch_secret(staged.secret_ref)

    assert touched.secret_ref == staged.secret_ref
    assert touched.expires_at is not None
    assert staged.expires_at is not None
    assert touched.expires_at >= staged.expires_at
    with pytest.raises(NotFoundError):  # another tenant's reference
        await client_for(person("t2", "ROLE_DATA_ENGINEER")).touch_secret(staged.secret_ref)
    await client.discard_secret(staged.secret_ref)
    with pytest.raises(NotFoundError):
        await client.touch_secret(staged.secret_ref)


async def test_a_connector_failure_is_the_services_error_with_its_failure_class(
    client_for: ClientFor, s3_files: dict[str, Any], seaweed: SeaweedS3
) -> None:
    client = client_for(person("t1", "ROLE_DATA_ENGINEER"))
    agent = await client.default_agent()
    unknown = {
        "accessKeyId": seaweed.unknown.access_key_id,
        "secretAccessKey": seaweed.unknown.secret_access_key,
    }

    with pytest.raises(ConnectorFailedError) as caught:
        await client.discover(
            agent.id, ConnectionCheckRequest(type="S3", config=s3_files, secret=unknown)
        )

    assert caught.value.failure.value == "auth_failed"
    assert caught.value.code == "auth_failed"
    assert caught.value.field == "access_key_id"
