"""The vault through the API: staged secrets, references, masks, and secrets kept on update."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.api.rest.support import Answer, Api, Receiver, s3_body, webhook_source_body
from tests.support.seaweedfs import SeaweedS3


def staged_s3(seaweed: SeaweedS3) -> dict[str, Any]:
    admin = seaweed.admin
    return {
        "type": "S3",
        "values": {"accessKeyId": admin.access_key_id, "secretAccessKey": admin.secret_access_key},
    }


def source_path(source: dict[str, Any]) -> str:
    return f"/api/v1/agents/{source['agentId']}/data-sources/{source['id']}"


async def test_staging_a_secret_returns_a_reference_a_mask_and_an_expiry(
    api: Api, seaweed: SeaweedS3
) -> None:
    before = datetime.now(UTC)

    reply = await api.post("/api/v1/secrets", staged_s3(seaweed))

    assert reply.status == 201, reply.text
    staged = reply.json
    assert set(staged) == {"secretRef", "mask", "expiresAt"}
    assert staged["secretRef"].startswith("sec_")
    assert staged["mask"] == "ia_****" + seaweed.admin.secret_access_key[-4:]
    expires = datetime.fromisoformat(staged["expiresAt"])
    assert before + timedelta(minutes=59) < expires <= datetime.now(UTC) + timedelta(hours=1)


async def test_a_source_created_with_a_secret_ref_uses_the_staged_secret(
    api: Api, agent_id: str, seaweed: SeaweedS3, stocked_bucket: str
) -> None:
    staged = (await api.post("/api/v1/secrets", staged_s3(seaweed))).json
    body = s3_body(seaweed, stocked_bucket)
    del body["secret"]

    reply = await api.post(
        f"/api/v1/agents/{agent_id}/data-sources", {**body, "secretRef": staged["secretRef"]}
    )

    assert reply.status == 201, reply.text
    assert (reply.json["secretRef"], reply.json["secretMask"]) == (
        staged["secretRef"],
        staged["mask"],
    )
    assert (await api.post(f"{source_path(reply.json)}/test")).json["ok"] is True


async def test_a_connection_check_accepts_a_secret_ref(
    api: Api, agent_id: str, seaweed: SeaweedS3, stocked_bucket: str
) -> None:
    staged = (await api.post("/api/v1/secrets", staged_s3(seaweed))).json
    body = s3_body(seaweed, stocked_bucket)

    reply = await api.post(
        f"/api/v1/agents/{agent_id}/connection-checks",
        {"type": "S3", "config": body["config"], "secretRef": staged["secretRef"]},
    )

    assert reply.status == 200, reply.text
    assert reply.json["ok"] is True


async def test_an_unknown_secret_ref_is_a_404(
    api: Api, agent_id: str, seaweed: SeaweedS3, bucket: str
) -> None:
    body = s3_body(seaweed, bucket)
    del body["secret"]

    reply = await api.post(
        f"/api/v1/agents/{agent_id}/data-sources",
        {**body, "secretRef": "sec_01J00000000000000000000000"},
    )

    assert reply.status == 404
    assert reply.error["code"] == "not_found"
    assert await api.source_ids(agent_id) == []


@pytest.mark.parametrize(
    ("auth_header", "mask"),
    [
        pytest.param("Bearer tok-0123456789wxyz", "ia_****wxyz", id="long-secret-shows-last-four"),
        pytest.param("Bearer short1", "ia_****", id="short-secret-shows-nothing"),
    ],
)
async def test_the_mask_shows_the_last_four_only_of_long_secrets(
    api: Api, agent_id: str, receiver: Receiver, auth_header: str, mask: str
) -> None:
    body = webhook_source_body(receiver.url("/exports/products.csv"), auth_header=auth_header)

    reply = await api.post(f"/api/v1/agents/{agent_id}/data-sources", body)

    assert reply.status == 201, reply.text
    assert reply.json["secretMask"] == mask
    assert auth_header not in reply.text
    assert "secret" not in reply.json


async def test_patch_sending_the_mask_back_keeps_the_stored_secret(
    api: Api, source: dict[str, Any], seaweed: SeaweedS3
) -> None:
    masked = {"accessKeyId": seaweed.admin.access_key_id, "secretAccessKey": source["secretMask"]}

    reply = await api.patch(source_path(source), {"secret": masked, "name": "Renamed"})

    assert reply.status == 200, reply.text
    assert (reply.json["secretRef"], reply.json["secretMask"]) == (
        source["secretRef"],
        source["secretMask"],
    )
    assert (await api.post(f"{source_path(source)}/test")).json["ok"] is True


async def test_patch_with_a_wrong_secret_is_a_422_and_the_old_secret_still_works(
    api: Api, source: dict[str, Any], seaweed: SeaweedS3
) -> None:
    wrong = {"secretAccessKey": seaweed.wrong_secret.secret_access_key}

    reply = await api.patch(source_path(source), {"secret": wrong})

    assert reply.status == 422
    assert (reply.error["code"], reply.error["field"]) == ("auth_failed", "secret.secretAccessKey")
    assert (await api.get(source_path(source))).json == source
    assert (await api.post(f"{source_path(source)}/test")).json["ok"] is True


async def test_patch_with_a_new_secret_replaces_the_stored_one(
    api: Api, agent_id: str, receiver: Receiver
) -> None:
    new_token = "Bearer rotated-token-0123456789"
    receiver.script("/guarded.csv", Answer(status=204, require_auth=new_token), method="OPTIONS")
    receiver.script(
        "/guarded.csv",
        Answer(body=b"sku\nA1\n", content_type="text/csv", require_auth=new_token),
        method="GET",
    )
    feed = await api.create_source(
        agent_id,
        webhook_source_body(
            receiver.url("/exports/products.csv"), auth_header="Bearer old-token-0123456789"
        ),
    )

    reply = await api.patch(
        source_path(feed),
        {"config": {"url": receiver.url("/guarded.csv")}, "secret": {"authHeader": new_token}},
    )

    assert reply.status == 200, reply.text
    assert (reply.json["secretRef"], reply.json["secretMask"]) == (feed["secretRef"], "ia_****6789")
    assert (await api.post(f"{source_path(feed)}/test")).json["ok"] is True
    assert {r.headers["authorization"] for r in receiver.received("/guarded.csv")} == {new_token}


TOKEN = "Bearer guarded-token-0123456789"


@pytest.fixture
async def guarded(api: Api, agent_id: str, receiver: Receiver) -> dict[str, Any]:
    """A webhook source whose peer answers only with its auth header (else 401)."""
    receiver.script("/guarded.csv", Answer(status=204, require_auth=TOKEN), method="OPTIONS")
    receiver.script(
        "/guarded.csv",
        Answer(body=b"sku\nA1\n", content_type="text/csv", require_auth=TOKEN),
        method="GET",
    )
    return await api.create_source(
        agent_id, webhook_source_body(receiver.url("/guarded.csv"), auth_header=TOKEN)
    )


def check_with_ref(source: dict[str, Any]) -> dict[str, Any]:
    """An unsaved connection check that takes its credentials from the source's secret."""
    return {"type": "WEBHOOK", "config": source["config"], "secretRef": source["secretRef"]}


async def test_deleting_a_source_deletes_its_secret(api: Api, guarded: dict[str, Any]) -> None:
    await api.delete(source_path(guarded))

    reply = await api.post(
        f"/api/v1/agents/{guarded['agentId']}/connection-checks", check_with_ref(guarded)
    )

    assert reply.status == 404, reply.text
    assert reply.error["code"] == "not_found"


async def test_deleting_an_agent_deletes_its_sources_secrets(
    api: Api, guarded: dict[str, Any]
) -> None:
    other = await api.create_agent()

    await api.delete(f"/api/v1/agents/{guarded['agentId']}")
    reply = await api.post(
        f"/api/v1/agents/{other['id']}/connection-checks", check_with_ref(guarded)
    )

    assert reply.status == 404, reply.text


async def test_a_source_keeps_its_credentials_when_another_source_is_deleted(
    api: Api, guarded: dict[str, Any]
) -> None:
    body = webhook_source_body(guarded["config"]["url"], name="Second")
    second = await api.post(
        f"/api/v1/agents/{guarded['agentId']}/data-sources",
        {**body, "secretRef": guarded["secretRef"]},
    )
    if second.status != 201:
        # Refusing to share another source's secret is an acceptable answer too.
        assert second.status in {404, 409, 422}, second.text
        return

    await api.delete(source_path(guarded))

    test = await api.post(f"{source_path(second.json)}/test")
    assert (test.status, test.json.get("ok")) == (200, True), test.text
