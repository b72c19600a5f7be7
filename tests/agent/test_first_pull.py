"""After creating a source the chat starts its first pull, follows it and says how it went;
a paused source is resumed by name. Against the real SeaweedFS server."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from mypy_boto3_s3 import S3Client

from tests.agent.conftest import Chat
from tests.agent.test_conversations import s3_up_to_the_secret
from tests.support.seaweedfs import SeaweedS3


@pytest.fixture
def files(s3_admin: S3Client, bucket: str) -> str:
    s3_admin.put_object(Bucket=bucket, Key="daily/a.csv", Body=b"id,name\n1,Ada\n")
    s3_admin.put_object(Bucket=bucket, Key="daily/b.csv", Body=b"id,name\n2,Grace\n")
    return bucket


async def _created(client: TestClient[Any, Any], seaweed: SeaweedS3, bucket: str) -> Chat:
    chat = await s3_up_to_the_secret(client, seaweed, bucket)
    await chat.say(seaweed.reader.secret_access_key)
    await chat.say("all")
    await chat.say("manual")
    return chat


async def _source(client: TestClient[Any, Any], chat: Chat) -> dict[str, Any]:
    agent = await (await client.get("/api/v1/agents/default", headers=chat.headers)).json()
    listing = await client.get(f"/api/v1/agents/{agent['id']}/data-sources", headers=chat.headers)
    (source,) = (await listing.json())["items"]
    source["agentId"] = agent["id"]
    return dict(source)


async def test_the_first_pull_starts_at_once_and_its_outcome_follows(
    app_client: TestClient[Any, Any], seaweed: SeaweedS3, files: str
) -> None:
    chat = await _created(app_client, seaweed, files)

    done = await chat.say("yes", settle=False)
    outcome = await chat.settled()

    assert done["state"] == "done"
    assert "The first pull has started" in done["message"]
    assert done["data"]["task"]["step"] == "initial pull"
    assert "✓ The first pull is done: 2 files" in outcome["message"]
    source = await _source(app_client, chat)
    syncs = await app_client.get(
        f"/api/v1/agents/{source['agentId']}/data-sources/{source['id']}/syncs",
        headers=chat.headers,
    )
    (sync,) = (await syncs.json())["items"]
    assert (sync["trigger"], sync["status"]) == ("initial", "succeeded")


async def test_a_paused_source_is_resumed_by_name_or_alone(
    app_client: TestClient[Any, Any], seaweed: SeaweedS3, files: str
) -> None:
    chat = await _created(app_client, seaweed, files)
    await chat.say("yes")
    source = await _source(app_client, chat)
    one = f"/api/v1/agents/{source['agentId']}/data-sources/{source['id']}"

    not_paused = await chat.say(f"resume {source['name']}")
    await app_client.post(f"{one}/pause", headers=chat.headers)
    unknown = await chat.say("resume nothing-like-it")
    resumed = await chat.say("resume")

    assert "is not paused" in not_paused["message"]
    assert 'I found no source called "nothing-like-it"' in unknown["message"]
    assert f'Resumed "{source["name"]}"' in resumed["message"]
    after = await (await app_client.get(one, headers=chat.headers)).json()
    assert after["status"] == "active"
