"""What a line typed in the terminal means, given the agent's last reply.

The rules, in order:

- a number picks the numbered quick reply (except for a stream selection, where the agent
  reads numbers such as ``1,3-5`` itself and the options are only examples);
- at a masked prompt, a quick reply's own words (``generate``) or ``cancel``/``back`` are
  sent as a message; anything else is the secret, sent as ``{"fields": {name: value}}``
  when the reply names the asked field first in ``required_fields``, else as a message; an
  empty line there is sent as an empty field (a login without a password);
- anything else is sent as typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

__all__ = ["Answer", "PromptKind", "interpret", "numbered_options", "prompt_kind", "reply_data"]

# Words that steer the conversation even where a secret is asked for.
_STEERING = frozenset({"cancel", "back"})


class PromptKind(Enum):
    """How the next answer is read."""

    TEXT = "text"
    SECRET = "secret"  # noqa: S105 - an input type, not a password
    MULTI_CHOICE = "multi_choice"


@dataclass(frozen=True)
class Answer:
    """One turn to send: a message or structured fields.

    Attributes:
        message: Text sent as ``{"message": …}``.
        fields: Sent as ``{"fields": …}`` instead, when set.
    """

    message: str | None = None
    fields: dict[str, str] | None = None

    def __repr__(self) -> str:
        # A fields answer holds a secret: its value never shows in a repr or traceback.
        if self.fields is not None:
            return f"Answer(fields={dict.fromkeys(self.fields, '***')})"
        return f"Answer(message={self.message!r})"


def reply_data(reply: dict[str, Any]) -> dict[str, Any]:
    """The reply's ``data`` object (empty when missing or not an object)."""
    data = reply.get("data")
    return data if isinstance(data, dict) else {}


def prompt_kind(reply: dict[str, Any]) -> PromptKind:
    """Masked, a stream selection, or plain text."""
    input_type = reply_data(reply).get("input_type")
    if input_type == "secret":
        return PromptKind.SECRET
    if input_type == "multi_choice":
        return PromptKind.MULTI_CHOICE
    return PromptKind.TEXT


def numbered_options(reply: dict[str, Any]) -> list[str]:
    """The quick replies a number picks (none for a stream selection)."""
    options = reply.get("options") or []
    if prompt_kind(reply) is PromptKind.MULTI_CHOICE:
        return []
    return [str(option) for option in options]


def _picked(options: list[str], typed: str) -> str | None:
    if typed.isdigit() and 1 <= int(typed) <= len(options):
        return options[int(typed) - 1]
    return None


def interpret(reply: dict[str, Any], typed: str) -> Answer | None:
    """The turn to send for ``typed``; None when there is nothing to send (a blank line)."""
    text = typed.strip()
    if not text:
        # At a masked prompt an empty line is an answer: a login without a password (the
        # service says so, or asks again where the secret may not be empty).
        return _empty_secret(reply)
    options = numbered_options(reply)
    picked = _picked(options, text)
    if picked is not None:
        return Answer(message=picked)
    if prompt_kind(reply) is not PromptKind.SECRET:
        return Answer(message=text)
    words = {option.casefold() for option in options} | _STEERING
    if text.casefold() in words:
        return Answer(message=text)
    required = reply_data(reply).get("required_fields") or []
    if reply.get("state") == "gather_credentials" and required and isinstance(required[0], str):
        return Answer(fields={required[0]: text})
    return Answer(message=text)


def _empty_secret(reply: dict[str, Any]) -> Answer | None:
    if prompt_kind(reply) is not PromptKind.SECRET or reply.get("state") != "gather_credentials":
        return None
    required = reply_data(reply).get("required_fields") or []
    if required and isinstance(required[0], str):
        return Answer(fields={required[0]: ""})
    return None
