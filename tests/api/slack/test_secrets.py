"""Secrets through Slack: a private form for the asked secret; one typed into the channel is
used, redacted in our transcript, and met with a warning to rotate it. No secret reaches any
message the Slack stand-in receives, nor a log line."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest
from mypy_boto3_s3 import S3Client

from api.logs import configure_logging
from api.slack import ROTATE_WARNING
from core.redaction import registered_secrets
from tests.api.slack.conftest import BOT_TOKEN, OWNER, SIGNING_SECRET, Workspace, button, text_of
from tests.api.slack.standin import SlackStandIn
from tests.support.seaweedfs import SeaweedS3


def forms(secret: str) -> list[str]:
    """A secret as it may leak: plain, base64, URL-encoded, JSON-escaped."""
    return [
        secret,
        base64.b64encode(secret.encode()).decode(),
        quote(secret, safe=""),
        json.dumps(secret)[1:-1],
    ]


def assert_nowhere(secret: str, **places: str) -> None:
    for place, text in places.items():
        for form in forms(secret):
            assert form not in text, f"secret found in {place}"


@pytest.fixture
def files(s3_admin: S3Client, bucket: str) -> str:
    s3_admin.put_object(Bucket=bucket, Key="in/orders.csv", Body=b"id\n1\n")
    return bucket


async def up_to_the_secret(
    workspace: Workspace, seaweed: SeaweedS3, bucket: str
) -> tuple[str, str]:
    """A thread whose session now asks for the secret access key; (thread, session id)."""
    thread = await workspace.mention(OWNER, "amazon s3")
    await workspace.settle()
    await workspace.say(
        OWNER,
        f"bucket {bucket}, prefix in/, endpoint <{seaweed.endpoint_url}>, "
        f"key id {seaweed.reader.access_key_id}",
        thread,
    )
    await workspace.settle()
    return thread, await workspace.session_of(thread)


async def test_a_secret_question_carries_a_button_and_a_warning_not_to_type_it(
    workspace: Workspace, standin: SlackStandIn, seaweed: SeaweedS3, bucket: str
) -> None:
    thread, _ = await up_to_the_secret(workspace, seaweed, bucket)

    asking = standin.posts(thread)[-1]

    assert "secret access key" in text_of(asking)
    assert button(asking, "🔒 Enter it privately")["action_id"] == "ia_secret"
    assert "please don't type the secret here" in text_of(asking)


async def test_the_private_form_sends_the_secret_as_fields_and_it_never_reaches_slack(
    workspace: Workspace,
    standin: SlackStandIn,
    seaweed: SeaweedS3,
    files: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("debug", "json")
    secret = seaweed.reader.secret_access_key
    thread, session_id = await up_to_the_secret(workspace, seaweed, files)
    asking = standin.posts(thread)[-1]

    await workspace.click(OWNER, asking, button(asking, "🔒 Enter it privately"), trigger_id="t-9")
    await workspace.settle()
    (opened,) = standin.of("views.open")
    assert opened.body["trigger_id"] == "t-9"
    view = opened.body["view"]
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert [(b["block_id"], b["label"]["text"]) for b in inputs] == [
        ("secret_access_key", "Secret access key")
    ]
    await workspace.submit(OWNER, view, {"secret_access_key": secret})
    await workspace.settle()

    session = await workspace.view(session_id)
    assert session["state"] == "select_streams"
    assert [t["text"] for t in session["transcript"] if t["role"] == "user"][-1] == (
        "(form) secret_access_key"
    )
    assert "orders" in text_of(standin.posts(thread)[-1])
    assert ROTATE_WARNING not in [text_of(p) for p in standin.posts()]
    logs = capsys.readouterr().err
    assert "slack_secret_form_submitted" in logs
    assert_nowhere(
        secret,
        slack=json.dumps([c.body for c in standin.calls]),
        transcript=json.dumps(session),
        logs=logs,
    )


@pytest.mark.parametrize("how", ["at-the-secret-prompt", "as-key-value"], ids=str)
async def test_a_secret_typed_in_the_channel_is_used_redacted_and_met_with_a_rotate_warning(
    workspace: Workspace,
    standin: SlackStandIn,
    seaweed: SeaweedS3,
    files: str,
    capsys: pytest.CaptureFixture[str],
    how: str,
) -> None:
    configure_logging("debug", "json")
    secret = seaweed.reader.secret_access_key
    thread, session_id = await up_to_the_secret(workspace, seaweed, files)
    typed = secret if how == "at-the-secret-prompt" else f"secret_access_key={secret}"

    await workspace.say(OWNER, typed, thread)
    await workspace.settle()

    texts = [text_of(p) for p in standin.posts(thread)]
    warning = texts.index(ROTATE_WARNING)
    assert "rotate" in ROTATE_WARNING
    assert "Testing" in texts[warning + 1] or "✓" in texts[warning + 1]
    session = await workspace.view(session_id)
    assert session["state"] == "select_streams", "the secret was used"
    said = [t["text"] for t in session["transcript"] if t["role"] == "user"][-1]
    assert "***REDACTED***" in said
    logs = capsys.readouterr().err
    assert "slack_secret_typed_in_channel" in logs
    assert_nowhere(
        secret,
        slack=json.dumps([c.body for c in standin.calls]),
        transcript=json.dumps(session),
        logs=logs,
    )


async def test_no_warning_when_nothing_secret_was_typed(
    workspace: Workspace, standin: SlackStandIn, seaweed: SeaweedS3, bucket: str
) -> None:
    # The vault registers a source's key id with the redaction when it decrypts it: a key id
    # typed in the channel is still not a secret typed there.
    with registered_secrets(seaweed.reader.access_key_id):
        thread, _ = await up_to_the_secret(workspace, seaweed, bucket)
        await workspace.say(OWNER, "status", thread)
        await workspace.settle()

    assert ROTATE_WARNING not in [text_of(p) for p in standin.posts(thread)]


async def test_the_bot_token_and_signing_secret_never_reach_a_log_or_a_message(
    workspace: Workspace,
    standin: SlackStandIn,
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("debug", "json")
    thread = await workspace.mention(OWNER, "amazon s3")
    await workspace.settle()
    await workspace.post_event({"type": "url_verification", "challenge": "x"}, timestamp=1)

    logs = capsys.readouterr().err
    assert standin.posts(thread), "the relay talked to Slack"
    assert all(c.authorization == f"Bearer {BOT_TOKEN}" for c in standin.calls)
    for secret in (BOT_TOKEN, SIGNING_SECRET):
        assert_nowhere(secret, logs=logs, slack=json.dumps([c.body for c in standin.calls]))


async def test_a_generated_signing_secret_goes_only_to_its_owner_and_brings_no_warning(
    workspace: Workspace, standin: SlackStandIn
) -> None:
    thread = await workspace.mention(OWNER, "send results to an https webhook")
    await workspace.settle()
    await workspace.say(OWNER, "url https://127.0.0.1:9/inbox", thread)
    await workspace.settle()

    await workspace.say(OWNER, "generate", thread)
    await workspace.settle()

    texts = [text_of(p) for p in standin.posts(thread)]
    (private,) = standin.of("chat.postEphemeral")
    secret = private.body["text"].split("`")[1]
    assert secret.startswith("whsec_")
    assert private.body["user"] == OWNER
    assert ROTATE_WARNING not in texts
    assert_nowhere(secret, thread=json.dumps([p.body for p in standin.posts()]))
