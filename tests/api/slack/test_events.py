"""Events: acknowledged at once with the work in the background, retries and twins done once,
the bot's own messages ignored."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from api.app import create_app
from api.slack import plain_text
from connectors.base import ConnectorContext
from tests.api.slack.conftest import OWNER, Workspace, slack_settings, text_of
from tests.api.slack.standin import BOT_ID, BOT_USER, SlackStandIn


async def test_the_ack_comes_before_any_reply_and_the_work_follows(
    workspace: Workspace, standin: SlackStandIn
) -> None:
    standin.hold()
    ts = workspace.new_ts()
    event = workspace.message_event(OWNER, "<@UBOT> hello", ts=ts, kind="app_mention")

    # The stand-in answers no call until released: a relay that worked before acking
    # would never ack (and the request would time out).
    ack = await asyncio.wait_for(workspace.post_event(workspace.callback(event)), 10)

    assert ack.status == 200
    await standin.held_call_arrived()  # the work has started and waits on Slack
    assert standin.posts() == []
    standin.release()
    posts = await standin.wait_for("chat.postMessage")
    assert posts[0].body["thread_ts"] == ts
    assert "Welcome" in text_of(posts[0])


async def test_a_retried_event_is_handled_once(workspace: Workspace, standin: SlackStandIn) -> None:
    ts = workspace.new_ts()
    event = workspace.message_event(OWNER, "<@UBOT> hi", ts=ts, kind="app_mention")

    await workspace.event(event, event_id="Ev0RETRY1")
    await workspace.event(event, event_id="Ev0RETRY1", retry=1)
    await workspace.event(event, event_id="Ev0RETRY1", retry=2)
    await workspace.settle()

    assert len(standin.posts(ts)) == 1


async def test_a_mention_arriving_as_message_and_app_mention_starts_one_session(
    workspace: Workspace, standin: SlackStandIn
) -> None:
    thread = await workspace.mention(OWNER, "hi")
    await workspace.settle()

    assert len(standin.posts(thread)) == 1


async def test_a_mention_inside_a_live_thread_is_one_message(
    workspace: Workspace, standin: SlackStandIn
) -> None:
    thread = await workspace.mention(OWNER, "hi")
    await workspace.settle()

    await workspace.mention(OWNER, "amazon s3", thread_ts=thread)
    await workspace.settle()

    posts = standin.posts(thread)
    assert len(posts) == 2
    assert "Amazon S3 it is" in text_of(posts[1])


@pytest.mark.parametrize(
    "marks",
    [{"bot_id": BOT_ID}, {"subtype": "bot_message"}, {"user": BOT_USER}],
    ids=["bot-id", "bot-message-subtype", "our-bot-user"],
)
async def test_the_bots_own_messages_are_ignored(
    workspace: Workspace, standin: SlackStandIn, marks: dict[str, str]
) -> None:
    thread = await workspace.mention(OWNER, "hi")
    await workspace.settle()
    author = marks.pop("user", OWNER)
    event = workspace.message_event(
        author, "amazon s3", ts=workspace.new_ts(), thread_ts=thread, **marks
    )

    await workspace.event(event)
    await workspace.settle()

    assert len(standin.posts(thread)) == 1, "only the welcome"
    session = await workspace.view(await workspace.session_of(thread))
    assert [t["role"] for t in session["transcript"]] == ["agent"]


async def test_channel_chatter_outside_our_threads_is_ignored(
    workspace: Workspace, standin: SlackStandIn
) -> None:
    await workspace.event(workspace.message_event(OWNER, "lunch?", ts=workspace.new_ts()))
    await workspace.event(
        workspace.message_event(OWNER, "edited", ts=workspace.new_ts(), subtype="message_changed")
    )
    await workspace.settle()

    assert standin.posts() == []


async def test_a_direct_message_starts_a_conversation_in_its_thread(
    workspace: Workspace, standin: SlackStandIn
) -> None:
    ts = workspace.new_ts()

    await workspace.event(workspace.message_event(OWNER, "amazon s3", ts=ts, channel="D42"))
    await workspace.settle()

    posts = standin.posts(ts)
    assert [p.body["channel"] for p in posts] == ["D42"]
    assert "Amazon S3 it is" in text_of(posts[0])


async def test_work_in_progress_is_cancelled_on_shutdown(
    tmp_path: Path, standin: SlackStandIn, loopback_context: ConnectorContext
) -> None:
    app = create_app(slack_settings(tmp_path, standin), connector_context=loopback_context)
    client: TestClient[Any, Any] = TestClient(TestServer(app))
    await client.start_server()
    workspace = Workspace(app, client, standin)
    standin.hold()
    await workspace.event(
        workspace.message_event(OWNER, "<@UBOT> hi", ts=workspace.new_ts(), kind="app_mention")
    )
    await standin.held_call_arrived()
    assert workspace.relay.pending == 1

    await asyncio.wait_for(client.close(), 10)  # would hang on a task nobody cancels

    assert workspace.relay.pending == 0
    standin.release()
    assert standin.posts() == []


@pytest.mark.parametrize(
    ("slack", "typed"),
    [
        ("<@UBOT> amazon s3", "amazon s3"),
        ("ask <@U2|ada> first", "ask ada first"),
        ("endpoint <http://127.0.0.1:9000>", "endpoint http://127.0.0.1:9000"),
        ("host <http://db.example.com|db.example.com>", "host db.example.com"),
        ("password p&amp;ss&lt;1&gt;", "password p&ss<1>"),
        ("see <#C42|general> <!here>", "see #general @here"),
    ],
    ids=["bot-mention", "user-mention", "bare-link", "labelled-link", "escapes", "channel-here"],
)
def test_slack_markup_reads_back_as_typed(slack: str, typed: str) -> None:
    assert plain_text(slack, bot_user=BOT_USER) == typed
