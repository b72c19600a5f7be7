"""Options become buttons (paged past Slack's 25 per block); a click is the person's message."""

from __future__ import annotations

from agent.reply import Reply
from api.routes.sessions import ENGINE_KEY
from api.slack import options_message, reply_message
from tests.api.slack.conftest import OWNER, Workspace, button, buttons, text_of
from tests.api.slack.standin import SlackStandIn


def _reply(options: list[str], **data: object) -> Reply:
    return Reply(session_id="ses_1", state="s", message="Pick one", options=options, data=data)


def test_up_to_25_options_are_one_block_of_buttons() -> None:
    message = reply_message(_reply([f"o{i}" for i in range(25)]))

    actions = [b for b in message.blocks if b["type"] == "actions"]
    assert len(actions) == 1
    assert [e["value"] for e in actions[0]["elements"]] == [f"o{i}" for i in range(25)]


def test_beyond_25_options_a_page_of_24_ends_in_more() -> None:
    options = [f"o{i}" for i in range(60)]

    first = reply_message(_reply(options)).blocks[-1]["elements"]
    second = options_message(options, 24).blocks[-1]["elements"]
    last = options_message(options, 48).blocks[-1]["elements"]

    assert [e["text"]["text"] for e in first[-2:]] == ["o23", "More…"]
    assert (len(first), first[-1]["value"]) == (25, "24")
    assert (second[0]["value"], second[-1]["value"], len(second)) == ("o24", "48", 25)
    assert [e["value"] for e in last] == [f"o{i}" for i in range(48, 60)]


def test_long_labels_are_cut_but_the_value_is_whole() -> None:
    option = "x" * 120

    element = reply_message(_reply([option])).blocks[-1]["elements"][0]

    assert len(element["text"]["text"]) == 75
    assert element["value"] == option


def test_text_is_plain_so_a_cron_is_not_markup_and_long_text_is_split() -> None:
    text = "It will run at 0 */6 * * *.\n\n" + "y" * 5000

    message = reply_message(Reply(session_id="ses_1", state="s", message=text, options=[], data={}))

    sections = [b["text"] for b in message.blocks]
    assert all(s["type"] == "plain_text" and len(s["text"]) <= 3000 for s in sections)
    assert "".join(s["text"] for s in sections[1:]) == "y" * 5000
    assert "0 */6 * * *" in sections[0]["text"]


async def test_options_are_posted_as_buttons_and_a_click_sends_the_option(
    workspace: Workspace, standin: SlackStandIn
) -> None:
    thread = await workspace.mention(OWNER, "hi")
    await workspace.settle()
    welcome = standin.posts(thread)[0]
    offered = (await workspace.view(await workspace.session_of(thread)))["last_reply"]["options"]
    assert "Amazon S3" in offered
    assert [(b["text"]["text"], b["value"]) for b in buttons(welcome)] == [
        (option, option) for option in offered
    ]

    await workspace.click(OWNER, welcome, button(welcome, "Amazon S3"))
    await workspace.settle()

    reply = standin.posts(thread)[-1]
    assert text_of(reply).startswith("You chose: Amazon S3")
    assert "Amazon S3 it is" in text_of(reply)
    view = await workspace.view(await workspace.session_of(thread))
    assert view["state"] == "gather_credentials"
    assert [t["text"] for t in view["transcript"] if t["role"] == "user"] == ["Amazon S3"]


async def test_more_posts_the_next_page_and_its_buttons_work(
    workspace: Workspace, standin: SlackStandIn
) -> None:
    thread = await workspace.mention(OWNER, "hi")
    await workspace.settle()
    session_id = await workspace.session_of(thread)
    # No connector offers 30 choices today: give the session's last reply 30 options.
    store = workspace.app[ENGINE_KEY]._store
    session = await store.get(session_id)
    assert session is not None
    assert session.last_reply is not None
    options = [f"Choice {i}" for i in range(30)]
    session.last_reply = {**session.last_reply, "options": options}
    await store.save(session)
    page_one = reply_message(Reply.model_validate(session.last_reply))
    standin_message = standin.posts(thread)[0]
    more = page_one.blocks[-1]["elements"][-1]

    await workspace.click(OWNER, standin_message, more)
    await workspace.settle()

    page_two = standin.posts(thread)[-1]
    assert [b["value"] for b in buttons(page_two)] == options[24:]
    await workspace.click(OWNER, page_two, button(page_two, "Choice 27"))
    await workspace.settle()
    view = await workspace.view(session_id)
    assert [t["text"] for t in view["transcript"] if t["role"] == "user"] == ["Choice 27"]
