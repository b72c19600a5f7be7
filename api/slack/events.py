"""What Slack sends us, read into small typed values: messages, button clicks, modal submissions.

Payloads are Slack's JSON (Events API ``event_callback`` bodies; interactivity ``block_actions``
and ``view_submission``). Anything we do not act on reads as ``None`` or an empty list, so the
relay only ever sees the few shapes it handles. Slack's message markup (``<@U123>``,
``<https://x|x>``, ``&amp;``) is turned back into what the person typed by :func:`plain_text`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from api.slack.threads import ThreadKey

__all__ = [
    "MODAL_CALLBACK",
    "ButtonClick",
    "IncomingMessage",
    "SecretSubmission",
    "clicks_from",
    "message_from",
    "plain_text",
    "submission_from",
]

MODAL_CALLBACK = "ia_secret_form"

# Subtypes that are a person writing: a plain message, or a thread reply also sent to the channel.
_PERSON_SUBTYPES = frozenset({None, "thread_broadcast"})
_MARKUP = re.compile(r"<([^<>]*)>")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class IncomingMessage:
    """A message a person (or a bot) wrote where the app can see it.

    Attributes:
        kind: ``message`` or ``app_mention``.
        team: The workspace id.
        channel: The channel (or direct-message) id.
        direct: Whether it is a direct message to the app.
        user: The author's Slack user id (empty for some bot messages).
        text: The text in Slack's markup; see :func:`plain_text`.
        ts: The message's own timestamp id.
        thread_ts: The thread it belongs to, ``None`` at the top level.
        bot_id: Set when a bot wrote it.
        subtype: Slack's message subtype (``bot_message``, ``message_changed``, ...).
    """

    kind: str
    team: str
    channel: str
    direct: bool
    user: str
    text: str
    ts: str
    thread_ts: str | None
    bot_id: str | None
    subtype: str | None

    @property
    def thread(self) -> ThreadKey:
        """The thread this message is in, or starts."""
        return ThreadKey(self.team, self.channel, self.thread_ts or self.ts)

    @property
    def by_a_person(self) -> bool:
        """Whether a person wrote it (not a bot, not an edit or a join notice)."""
        return not self.bot_id and self.subtype in _PERSON_SUBTYPES and bool(self.user)


def message_from(payload: dict[str, Any]) -> IncomingMessage | None:
    """The message in an ``event_callback`` body, or ``None`` for other events."""
    event = _dict(payload.get("event"))
    kind = _text(event.get("type"))
    if kind not in {"message", "app_mention"}:
        return None
    channel, ts = _text(event.get("channel")), _text(event.get("ts"))
    team = _text(payload.get("team_id")) or _text(event.get("team"))
    if not (channel and ts and team):
        return None
    return IncomingMessage(
        kind=kind,
        team=team,
        channel=channel,
        direct=event.get("channel_type") == "im",
        user=_text(event.get("user")),
        text=_text(event.get("text")),
        ts=ts,
        thread_ts=_text(event.get("thread_ts")) or None,
        bot_id=_text(event.get("bot_id")) or None,
        subtype=_text(event.get("subtype")) or None,
    )


@dataclass(frozen=True)
class ButtonClick:
    """One button pressed on one of our messages (``block_actions``).

    Attributes:
        team: The workspace id.
        channel: The channel of the message.
        user: Who pressed it.
        thread: The thread the message is in (``None`` if it is in none).
        action_id: Which of our buttons (``ia_option:3``, ``ia_more``, ``ia_secret``).
        value: The button's value (an option's text, a page offset).
        trigger_id: Lets us open a modal for the next three seconds.
    """

    team: str
    channel: str
    user: str
    thread: ThreadKey | None
    action_id: str
    value: str
    trigger_id: str


def clicks_from(payload: dict[str, Any]) -> list[ButtonClick]:
    """The button presses in a ``block_actions`` payload (usually one)."""
    if payload.get("type") != "block_actions":
        return []
    user = _dict(payload.get("user"))
    team = _text(_dict(payload.get("team")).get("id")) or _text(user.get("team_id"))
    container = _dict(payload.get("container"))
    message = _dict(payload.get("message"))
    channel = _text(_dict(payload.get("channel")).get("id")) or _text(container.get("channel_id"))
    thread_ts = (
        _text(message.get("thread_ts"))
        or _text(container.get("thread_ts"))
        or _text(container.get("message_ts"))
    )
    thread = ThreadKey(team, channel, thread_ts) if team and channel and thread_ts else None
    clicks = []
    for item in payload.get("actions") or []:
        action = _dict(item)
        if action.get("type") != "button":
            continue
        clicks.append(
            ButtonClick(
                team=team,
                channel=channel,
                user=_text(user.get("id")),
                thread=thread,
                action_id=_text(action.get("action_id")),
                value=_text(action.get("value")),
                trigger_id=_text(payload.get("trigger_id")),
            )
        )
    return clicks


@dataclass(frozen=True)
class SecretSubmission:
    """The secret form (our modal) submitted: field name → typed value (never logged)."""

    team: str
    user: str
    thread: ThreadKey
    fields: dict[str, str]


def submission_from(payload: dict[str, Any]) -> SecretSubmission | None:
    """Our secret form's ``view_submission``, or ``None`` for any other payload."""
    if payload.get("type") != "view_submission":
        return None
    view = _dict(payload.get("view"))
    if view.get("callback_id") != MODAL_CALLBACK:
        return None
    try:
        where = _dict(json.loads(_text(view.get("private_metadata")) or "{}"))
    except json.JSONDecodeError:
        return None
    thread = ThreadKey(
        _text(where.get("team")), _text(where.get("channel")), _text(where.get("thread_ts"))
    )
    user = _dict(payload.get("user"))
    if not (thread.team and thread.channel and thread.thread_ts and user.get("id")):
        return None
    fields: dict[str, str] = {}
    for block_id, inputs in _dict(_dict(view.get("state")).get("values")).items():
        for element in _dict(inputs).values():
            value = _text(_dict(element).get("value")).strip()
            if value:
                fields[block_id] = value
    return SecretSubmission(team=thread.team, user=_text(user["id"]), thread=thread, fields=fields)


def plain_text(text: str, *, bot_user: str | None = None) -> str:
    """What the person typed, from Slack's markup.

    Mentions of the app (``<@BOT>``) are dropped; other mentions become ``@U123``; links
    become the text the person typed (``<http://db.example.com|db.example.com>`` →
    ``db.example.com``); ``&amp;``, ``&lt;`` and ``&gt;`` are unescaped last.
    """

    def unmark(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            return "" if bot_user and target[1:] == bot_user else label or target
        if target.startswith("#"):
            return f"#{label}" if label else target
        if target.startswith("!"):
            return label or f"@{target[1:].split('^')[0]}"
        return label or target

    plain = _MARKUP.sub(unmark, text)
    plain = plain.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return plain.strip()
