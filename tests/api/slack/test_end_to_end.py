"""A whole conversation through Slack creates an S3 source against the real SeaweedFS server;
the Slack side is the stand-in (Slack's Web API cannot be reached from here)."""

from __future__ import annotations

import json
from typing import Any

from mypy_boto3_s3 import S3Client

from api.slack import ROTATE_WARNING
from tests.api.slack.conftest import OWNER, Workspace, button, rest_headers, text_of
from tests.api.slack.standin import SlackStandIn
from tests.api.slack.test_secrets import assert_nowhere
from tests.support.seaweedfs import SeaweedS3


async def _sources(workspace: Workspace) -> list[dict[str, Any]]:
    headers = rest_headers()
    agent = await (await workspace.client.get("/api/v1/agents/default", headers=headers)).json()
    listing = await workspace.client.get(
        f"/api/v1/agents/{agent['id']}/data-sources", headers=headers
    )
    assert listing.status == 200, await listing.text()
    items: list[dict[str, Any]] = (await listing.json())["items"]
    return items


async def test_an_s3_source_is_created_by_chatting_in_a_slack_thread(
    workspace: Workspace,
    standin: SlackStandIn,
    seaweed: SeaweedS3,
    s3_admin: S3Client,
    bucket: str,
) -> None:
    for day in ("2026-05-24", "2026-05-25"):
        s3_admin.put_object(Bucket=bucket, Key=f"daily/{day}/booking.csv", Body=b"id\n1\n")
    secret = seaweed.reader.secret_access_key

    thread = await workspace.mention(OWNER, "hi")
    await workspace.settle()
    welcome = standin.posts(thread)[-1]
    await workspace.click(OWNER, welcome, button(welcome, "Amazon S3"))
    await workspace.settle()
    await workspace.say(OWNER, f"bucket {bucket}, prefix daily/", thread)
    await workspace.say(
        OWNER,
        f"endpoint <{seaweed.endpoint_url}>, key id {seaweed.reader.access_key_id}",
        thread,
    )
    await workspace.settle()

    asking = standin.posts(thread)[-1]
    await workspace.click(OWNER, asking, button(asking, "🔒 Enter it privately"))
    await workspace.settle()
    view = standin.of("views.open")[-1].body["view"]
    await workspace.submit(OWNER, view, {"secret_access_key": secret})
    await workspace.settle()

    streams = standin.posts(thread)[-1]
    assert "booking" in text_of(streams)
    await workspace.click(OWNER, streams, button(streams, "All"))
    await workspace.settle()
    await workspace.say(OWNER, "every 6 hours", thread)
    await workspace.settle()
    review = standin.posts(thread)[-1]
    assert "0 */6 * * *" in text_of(review)
    await workspace.say(OWNER, "yes", thread)
    await workspace.settle()

    # The reply that created it; the first pull's outcome follows it in the thread.
    done = next(p for p in standin.posts(thread) if text_of(p).startswith("Done."))
    pulled = standin.posts(thread)[-1]
    session = await workspace.view(await workspace.session_of(thread))
    assert session["state"] == "done", text_of(done)
    sources = await _sources(workspace)
    assert [(s["type"], s["scheduleCron"]) for s in sources] == [("S3", "0 */6 * * *")]
    assert sources[0]["name"] in text_of(done)
    assert "The first pull is done" in text_of(pulled)
    assert all(p.body["thread_ts"] == thread for p in standin.posts())
    assert ROTATE_WARNING not in [text_of(p) for p in standin.posts()]
    assert_nowhere(
        secret,
        slack=json.dumps([c.body for c in standin.calls]),
        transcript=json.dumps(session),
    )
