"""One thread is one session, driven only by the person who started it."""

from __future__ import annotations

from tests.api.slack.conftest import OWNER, SESSIONS, Workspace, rest_headers, text_of
from tests.api.slack.standin import SlackStandIn


async def test_two_threads_are_two_sessions(workspace: Workspace, standin: SlackStandIn) -> None:
    first = await workspace.mention(OWNER, "hi")
    second = await workspace.mention(OWNER, "hello")
    await workspace.settle()

    await workspace.say(OWNER, "amazon s3", first)
    await workspace.say(OWNER, "status", second)
    await workspace.settle()

    first_id, second_id = await workspace.session_of(first), await workspace.session_of(second)
    assert first_id != second_id
    assert (await workspace.view(first_id))["state"] == "gather_credentials"
    assert (await workspace.view(second_id))["state"] == "select_source_type"
    assert "Amazon S3 it is" in text_of(standin.posts(first)[-1])
    assert all(p.body["channel"] == "C1" for p in standin.posts())


async def test_replies_go_in_the_thread(workspace: Workspace, standin: SlackStandIn) -> None:
    thread = await workspace.mention(OWNER, "amazon s3")
    await workspace.settle()

    posts = standin.posts()
    assert [p.body["thread_ts"] for p in posts] == [thread]
    assert "Amazon S3 it is" in text_of(posts[0])


async def test_a_greeting_gets_the_welcome_and_an_unknown_word_gets_it_too(
    workspace: Workspace, standin: SlackStandIn
) -> None:
    greeted = await workspace.mention(OWNER, "hello!")
    puzzled = await workspace.mention(OWNER, "ftp please")
    await workspace.settle()

    assert ["Welcome" in text_of(p) for p in standin.posts(greeted)] == [True]
    assert ["Welcome" in text_of(p) for p in standin.posts(puzzled)] == [True, False]


async def test_someone_else_in_the_thread_gets_one_private_notice_and_no_say(
    workspace: Workspace, standin: SlackStandIn
) -> None:
    thread = await workspace.mention(OWNER, "hi")
    await workspace.settle()
    session_id = await workspace.session_of(thread)

    await workspace.say("U2", "amazon s3", thread)
    await workspace.say("U2", "cancel", thread)
    await workspace.settle()

    notices = standin.of("chat.postEphemeral")
    assert [(n.body["user"], n.body["thread_ts"]) for n in notices] == [("U2", thread)]
    assert "<@U1>" in notices[0].body["text"]
    assert len(standin.posts(thread)) == 1, "only the welcome"
    view = await workspace.view(session_id)
    assert view["state"] == "select_source_type"
    assert [t["role"] for t in view["transcript"]] == ["agent"]


async def test_someone_elses_button_click_is_not_acted_on(
    workspace: Workspace, standin: SlackStandIn
) -> None:
    thread = await workspace.mention(OWNER, "hi")
    await workspace.settle()
    welcome = standin.posts(thread)[0]
    first_button = welcome.body["blocks"][-1]["elements"][0]

    await workspace.click("U3", welcome, first_button)
    await workspace.settle()

    assert len(standin.posts(thread)) == 1
    assert [n.body["user"] for n in standin.of("chat.postEphemeral")] == ["U3"]
    assert (await workspace.view(await workspace.session_of(thread)))["state"] == (
        "select_source_type"
    )


async def test_slack_link_markup_reaches_the_session_as_typed(
    workspace: Workspace, standin: SlackStandIn
) -> None:
    thread = await workspace.mention(OWNER, "amazon s3")
    await workspace.settle()

    # Slack turns a typed URL into <url>, and escapes & < >.
    await workspace.say(
        OWNER, "bucket acme-raw, endpoint <http://127.0.0.1:9>, prefix a&amp;b/", thread
    )
    await workspace.settle()

    view = await workspace.view(await workspace.session_of(thread))
    said = [t["text"] for t in view["transcript"] if t["role"] == "user"]
    assert said[-1] == "bucket acme-raw, endpoint http://127.0.0.1:9, prefix a&b/"
    assert "Got the bucket" in text_of(standin.posts(thread)[-1])


async def test_a_thread_whose_session_ended_starts_a_new_one(
    workspace: Workspace, standin: SlackStandIn
) -> None:
    thread = await workspace.mention(OWNER, "amazon s3")
    await workspace.settle()
    old = await workspace.session_of(thread)
    deleted = await workspace.client.delete(f"{SESSIONS}/{old}", headers=rest_headers())
    assert deleted.status == 204

    await workspace.say(OWNER, "bucket acme", thread)
    await workspace.settle()

    new = await workspace.session_of(thread)
    assert new != old
    texts = [text_of(p) for p in standin.posts(thread)]
    assert "expired" in texts[-2]
    assert texts[-1].startswith("Welcome")
