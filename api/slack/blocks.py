"""Replies drawn in Block Kit: the text, ``options`` as buttons, the secret form.

Slack's limits shape this module: a text object holds 3,000 characters, a message 50 blocks,
an actions block 25 elements, a button's label 75 characters and its value 2,000. Options
beyond one actions block are paged: 24 buttons and a "More…" button that posts the next page.
Text goes out as ``plain_text`` so nothing the agent says (a cron ``0 */6 * * *``) is read as
Slack markup.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from agent.reply import Reply
from api.slack.events import MODAL_CALLBACK
from api.slack.threads import ThreadKey

__all__ = [
    "MORE_ACTION",
    "OPTION_ACTION",
    "SECRET_ACTION",
    "FormField",
    "SlackMessage",
    "options_message",
    "reply_message",
    "secret_form",
    "text_message",
]

OPTION_ACTION = "ia_option"
MORE_ACTION = "ia_more"
SECRET_ACTION = "ia_secret"  # noqa: S105 (an action id, not a secret)

_MAX_ELEMENTS = 25  # per actions block
_PAGE = _MAX_ELEMENTS - 1  # a paged block keeps one element for "More…"
_MAX_TEXT = 3000
_MAX_SECTIONS = 40  # of the 50 blocks a message may hold; the rest are buttons and notes
_MAX_LABEL = 75
_MAX_VALUE = 2000
_PRIVATE_FORM_NOTE = (
    "Slack has no masked input and keeps every message, so please don't type the secret "
    "here. The button opens a private form; what you enter goes straight to the encrypted "
    "vault and is never shown in Slack."
)


@dataclass(frozen=True)
class SlackMessage:
    """What ``chat.postMessage`` sends: the notification text and the blocks."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class FormField:
    """One input of the secret form."""

    name: str
    label: str
    required: bool = True


def _plain(text: str, limit: int = _MAX_TEXT) -> dict[str, Any]:
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return {"type": "plain_text", "text": text or " ", "emoji": True}


def _chunks(text: str) -> list[str]:
    """``text`` in pieces of at most 3,000 characters, cut between paragraphs if possible."""
    pieces: list[str] = []
    current = ""
    for paragraph in text.split("\n\n"):
        candidate = f"{current}\n\n{paragraph}" if current else paragraph
        if len(candidate) <= _MAX_TEXT:
            current = candidate
            continue
        if current:
            pieces.append(current)
        rest = paragraph
        while len(rest) > _MAX_TEXT:
            pieces.append(rest[:_MAX_TEXT])
            rest = rest[_MAX_TEXT:]
        current = rest
    if current:
        pieces.append(current)
    return pieces


def _sections(text: str) -> list[dict[str, Any]]:
    chunks = _chunks(text)
    if len(chunks) > _MAX_SECTIONS:
        chunks = [*chunks[: _MAX_SECTIONS - 1], '… (cut short: say "status" for a summary)']
    return [{"type": "section", "text": _plain(chunk)} for chunk in chunks]


def _fallback(text: str) -> str:
    """The notification text, in Slack's markup: ``&``, ``<`` and ``>`` escaped."""
    short = text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…"
    return short.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") or " "


def _button(label: str, action_id: str, value: str, *, primary: bool = False) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "text": _plain(label, _MAX_LABEL),
        "action_id": action_id,
        "value": value[:_MAX_VALUE],
    }
    if primary:
        button["style"] = "primary"
    return button


def _options_block(options: list[str], start: int) -> dict[str, Any]:
    """One actions block of ``options`` from ``start``: all that fit, else a page and "More…"."""
    rest = options[start:]
    page = rest if len(rest) <= _MAX_ELEMENTS else rest[:_PAGE]
    elements = [
        _button(option, f"{OPTION_ACTION}:{start + i}", option) for i, option in enumerate(page)
    ]
    if len(page) < len(rest):
        elements.append(_button("More…", MORE_ACTION, str(start + len(page))))
    return {"type": "actions", "block_id": f"ia_options:{start}", "elements": elements}


def reply_message(reply: Reply, *, chose: str | None = None) -> SlackMessage:
    """A reply as a Slack message: its text, its options as buttons, the secret button.

    Args:
        reply: The agent's reply (already redacted by the engine).
        chose: The option a button click sent, shown so the thread says what was picked.
    """
    blocks: list[dict[str, Any]] = []
    if chose:
        blocks.append({"type": "context", "elements": [_plain(f"You chose: {chose}", 2000)]})
    blocks.extend(_sections(reply.message))
    if reply.options:
        blocks.append(_options_block(list(reply.options), 0))
    if reply.data.get("input_type") == "secret":
        blocks.append(
            {
                "type": "actions",
                "block_id": SECRET_ACTION,
                "elements": [_button("🔒 Enter it privately", SECRET_ACTION, "open", primary=True)],
            }
        )
        blocks.append({"type": "context", "elements": [_plain(_PRIVATE_FORM_NOTE)]})
    return SlackMessage(text=_fallback(reply.message), blocks=blocks)


def options_message(options: list[str], start: int) -> SlackMessage:
    """The next page of options (a "More…" click)."""
    rest = len(options) - start
    shown = rest if rest <= _MAX_ELEMENTS else _PAGE
    text = f"More choices ({start + 1} to {start + shown} of {len(options)}):"
    return SlackMessage(
        text=_fallback(text),
        blocks=[{"type": "section", "text": _plain(text)}, _options_block(options, start)],
    )


def text_message(text: str) -> SlackMessage:
    """A plain message from the relay itself (a notice, a warning)."""
    return SlackMessage(text=_fallback(text), blocks=_sections(text))


def secret_form(fields: list[FormField], thread: ThreadKey) -> dict[str, Any]:
    """The modal ``views.open`` shows: one text input per secret field.

    The thread travels in ``private_metadata`` (not secret), so the submission finds its
    session; the values themselves are read once from the submission and sent to the vault.
    """
    where = {"team": thread.team, "channel": thread.channel, "thread_ts": thread.thread_ts}
    blocks: list[dict[str, Any]] = [
        {
            "type": "input",
            "block_id": f.name,
            "optional": not f.required,
            "label": _plain(f.label, 2000),
            "element": {"type": "plain_text_input", "action_id": "value", "max_length": 3000},
        }
        for f in fields
    ]
    blocks.append(
        {
            "type": "context",
            "elements": [
                _plain("Sent straight to the encrypted vault; never posted in Slack.", 2000)
            ],
        }
    )
    return {
        "type": "modal",
        "callback_id": MODAL_CALLBACK,
        "title": _plain("Enter a secret", 24),
        "submit": _plain("Save", 24),
        "close": _plain("Cancel", 24),
        "private_metadata": json.dumps(where),
        "blocks": blocks,
    }
