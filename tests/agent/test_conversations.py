"""Whole conversations over HTTP, against the real SeaweedFS server and a real HTTPS receiver.

They follow shared/CONVERSATIONS.md: state, required fields, options and input type are
checked at every turn, and the created source or sink is checked over REST afterwards.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from mypy_boto3_s3 import S3Client

from tests.agent.conftest import Chat, person
from tests.support.https import TestTLS, serve
from tests.support.seaweedfs import SeaweedS3


@pytest.fixture
def files(s3_admin: S3Client, bucket: str) -> str:
    for day in ("2026-05-24", "2026-05-25"):
        s3_admin.put_object(
            Bucket=bucket, Key=f"daily/{day}/booking.csv", Body=b"hotel_id,name\n1,Ritz\n"
        )
    s3_admin.put_object(Bucket=bucket, Key="daily/expedia.csv", Body=b"id,price\n1,9.5\n")
    return bucket


async def _sources(client: TestClient[Any, Any], chat: Chat) -> list[dict[str, Any]]:
    agent = await (await client.get("/api/v1/agents/default", headers=chat.headers)).json()
    listing = await client.get(f"/api/v1/agents/{agent['id']}/data-sources", headers=chat.headers)
    items: list[dict[str, Any]] = (await listing.json())["items"]
    return items


async def s3_up_to_the_secret(
    client: TestClient[Any, Any], seaweed: SeaweedS3, bucket: str, prefix: str = "daily/"
) -> Chat:
    """A conversation that pasted an S3 URL and gave the endpoint and key id."""
    chat = Chat(client, person())
    await chat.start()
    await chat.say(f"s3://{bucket}/{prefix}")
    await chat.say(f"endpoint {seaweed.endpoint_url}, key id {seaweed.reader.access_key_id}")
    return chat


async def test_s3_source_with_a_typo_several_fields_a_failed_test_and_words_for_a_schedule(
    app_client: TestClient[Any, Any], seaweed: SeaweedS3, files: str
) -> None:
    chat = Chat(app_client, person())
    welcome = await chat.start()
    assert welcome["state"] == "select_source_type"
    assert "Amazon S3" in welcome["options"]

    reply = await chat.say("amazn s3")
    assert reply["state"] == "gather_credentials"
    assert "bucket" in reply["data"]["required_fields"]

    reply = await chat.say(
        f"bucket {files}, prefix daily/, endpoint {seaweed.endpoint_url}, "
        f"key id {seaweed.reader.access_key_id}"
    )
    assert reply["state"] == "gather_credentials"
    assert reply["data"]["required_fields"] == ["secret_access_key"]
    assert reply["data"]["input_type"] == "secret"

    reply = await chat.say("not-the-right-secret-000000000000")
    assert reply["state"] == "gather_credentials"
    assert reply["message"].startswith("✗")
    assert reply["data"]["required_fields"] == ["secret_access_key"]
    assert reply["data"]["input_type"] == "secret"

    reply = await chat.say(seaweed.reader.secret_access_key)
    assert reply["state"] == "select_streams"
    assert "booking" in reply["message"]
    assert reply["options"][0] == "All"

    reply = await chat.say("all")
    assert reply["state"] == "configure_sync"

    reply = await chat.say("every 6 hours")
    assert reply["state"] == "review"
    assert "0 */6 * * *" in reply["message"]
    assert seaweed.reader.secret_access_key not in reply["message"]
    assert "ia_****" in reply["message"]

    reply = await chat.say("yes")
    assert reply["state"] == "done"
    sources = await _sources(app_client, chat)
    assert [s["scheduleCron"] for s in sources] == ["0 */6 * * *"]
    assert sources[0]["selectedStreams"] == ["booking", "expedia"]


async def test_back_and_a_correction_at_review(
    app_client: TestClient[Any, Any], seaweed: SeaweedS3, files: str
) -> None:
    chat = await s3_up_to_the_secret(app_client, seaweed, files)
    reply = await chat.say(seaweed.reader.secret_access_key)
    assert reply["state"] == "select_streams"
    reply = await chat.say("1")
    assert reply["state"] == "configure_sync"

    reply = await chat.say("back")
    assert reply["state"] == "select_streams"
    await chat.say("all")
    reply = await chat.say("daily at 2am UTC")
    assert reply["state"] == "review"

    reply = await chat.say("change the schedule")
    assert reply["state"] == "configure_sync"
    reply = await chat.say("hourly")
    assert reply["state"] == "review"
    reply = await chat.say("create it")
    assert reply["state"] == "done"

    assert [s["scheduleCron"] for s in await _sources(app_client, chat)] == ["0 * * * *"]


async def test_a_secret_typed_at_the_wrong_prompt_is_vaulted_and_redacted(
    app_client: TestClient[Any, Any], seaweed: SeaweedS3, files: str
) -> None:
    chat = Chat(app_client, person())
    await chat.start()
    await chat.say("s3")

    reply = await chat.say(f"secret_access_key={seaweed.reader.secret_access_key}")

    view = await chat.view()
    transcript = " ".join(turn["text"] for turn in view["transcript"])
    assert seaweed.reader.secret_access_key not in transcript
    assert "***REDACTED***" in transcript
    assert "secret_access_key" not in reply["data"]["required_fields"]


async def test_confirming_twice_creates_one_source(
    app_client: TestClient[Any, Any], seaweed: SeaweedS3, files: str
) -> None:
    chat = await s3_up_to_the_secret(app_client, seaweed, files)
    await chat.say(seaweed.reader.secret_access_key)
    await chat.say("all")
    await chat.say("manual")
    reply = await chat.say("yes")
    assert reply["state"] == "done"

    again = await chat.say("yes")

    assert again["state"] == "done"
    assert len(await _sources(app_client, chat)) == 1


async def test_starting_over_after_creating_forgets_the_finished_answers(
    app_client: TestClient[Any, Any], seaweed: SeaweedS3, files: str
) -> None:
    chat = await s3_up_to_the_secret(app_client, seaweed, files)
    await chat.say(seaweed.reader.secret_access_key)
    await chat.say("all")
    await chat.say("manual")
    assert (await chat.say("yes"))["state"] == "done"

    again = await chat.say("start over")
    chosen = await chat.say("amazon s3")

    assert again["state"] == "select_source_type"
    assert chosen["data"]["required_fields"][:1] == ["bucket"]
    assert "secret_access_key" in chosen["data"]["required_fields"]


async def test_cancel_forgets_the_answers(
    app_client: TestClient[Any, Any], seaweed: SeaweedS3, files: str
) -> None:
    chat = Chat(app_client, person())
    await chat.start()
    await chat.say(f"s3://{files}/daily/")

    reply = await chat.say("cancel")

    assert reply["state"] == "select_source_type"
    assert reply["data"]["required_fields"] == []


@pytest.fixture
async def receiver(tls: TestTLS) -> AsyncIterator[tuple[str, list[web.Request]]]:
    seen: list[web.Request] = []

    async def hook(request: web.Request) -> web.Response:
        seen.append(request)
        return web.Response(status=204)

    app = web.Application()
    app.router.add_route("*", "/ingest/results", hook)
    async with serve(app, tls=tls.server_context) as base:
        yield f"{base}/ingest/results", seen


async def test_webhook_sink_with_a_generated_signing_secret(
    app_client: TestClient[Any, Any], receiver: tuple[str, list[web.Request]]
) -> None:
    url, seen = receiver
    chat = Chat(app_client, person())
    await chat.start()

    reply = await chat.say("send our job results to a webhook")
    assert reply["state"] == "gather_credentials"
    reply = await chat.say(url)
    assert reply["data"]["required_fields"] == ["signing_secret"]
    assert "Generate" in reply["options"]

    reply = await chat.say("generate", settle=False)
    secret = reply["data"]["reveal_once"]
    assert secret.startswith("whsec_")
    reply = await chat.settled()
    assert reply["state"] == "configure_sync"
    assert [r.method for r in seen] == ["OPTIONS"]

    reply = await chat.say("yes, retry twice if it fails")
    assert reply["state"] == "review"
    reply = await chat.say("go ahead")
    assert reply["state"] == "done"

    sinks = await _sources(app_client, chat)
    assert sinks[0]["role"] == "RESULTS_SINK"
    assert sinks[0]["autoPushOnJobComplete"] is True
    assert sinks[0]["retryFailedPush"] == 2
    view = await chat.view()
    assert secret not in str(view)


async def test_retry_at_a_secret_prompt_is_a_command_not_the_secret(
    app_client: TestClient[Any, Any], seaweed: SeaweedS3, files: str
) -> None:
    chat = await s3_up_to_the_secret(app_client, seaweed, files)

    reply = await chat.say("retry", settle=False)

    assert reply["state"] == "gather_credentials"
    assert "I still need the secret access key before I can test." in reply["message"]
    assert reply["data"]["input_type"] == "secret"
    transcript = [t["text"] for t in (await chat.view())["transcript"] if t["role"] == "user"]
    assert transcript[-1] == "retry"


async def test_a_viewer_is_told_they_lack_permission(
    app_client: TestClient[Any, Any], seaweed: SeaweedS3, files: str
) -> None:
    engineer = Chat(app_client, person())
    await engineer.start()  # creates the tenant's default agent
    viewer = Chat(app_client, person(user="vic", roles="ROLE_VIEWER"))
    await viewer.start()
    await viewer.say("amazon s3")
    await viewer.say(f"bucket {files}, key id {seaweed.reader.access_key_id}")

    reply = await viewer.say(seaweed.reader.secret_access_key)

    assert "You don't have permission. Contact your administrator." in reply["message"]
    assert seaweed.reader.secret_access_key not in str(await viewer.view())


async def test_an_empty_prefix_explains_why_there_is_nothing_to_pull(
    app_client: TestClient[Any, Any], seaweed: SeaweedS3, files: str
) -> None:
    chat = await s3_up_to_the_secret(app_client, seaweed, files, prefix="nothing-here/")

    reply = await chat.say(seaweed.reader.secret_access_key)

    assert reply["state"] == "gather_credentials"
    assert "found nothing to pull" in reply["message"]
    assert "prefix" in reply["message"]
