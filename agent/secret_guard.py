"""A value this session holds as a secret is never stored as a setting, nor said back.

The shape of a value (``ghp_…``, ``whsec_…``, a long random token) already sends a pasted key
to the vault wherever it is typed (:mod:`agent.parsing.secret_shapes`). This module catches
what the shape cannot: a value that equals a secret typed in this session, before or after.

- typed where a setting was asked ("the database is <the password>"), it is not stored, and
  the person is told it stays in the vault;
- a setting stored earlier that turns out to equal a secret typed now (the password typed as
  the database name, then as the password) is dropped and asked for again;
- typed again later (at the stream list, at the review) it changes nothing and the open
  question is asked again.

Which values are this session's secrets is known from the redaction registry, per session
(:func:`core.redaction.holds_secret`); the session itself keeps no secret value.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from agent import parsing
from agent.context import TurnContext
from agent.parsing.secret_shapes import looks_like_secret
from agent.parsing.text import strip_quotes
from agent.prompts import render
from core.redaction import holds_secret
from core.redaction.text import MIN_ANYWHERE
from fsm import State

if TYPE_CHECKING:
    from agent.message import Message  # the message module reads through this one

__all__ = ["held_again", "screen", "shaped", "sift"]

_MASK_PREFIX = "ia_****"
_MASK_SHOWS_FROM = 16
_TRIM = ".,;:!?\"'`()[]<>"
# Words of a message looked up (a registered secret is never shorter than MIN_ANYWHERE).
_MAX_WORDS = 64


def shaped(text: str) -> set[str]:
    """The words of ``text`` shaped like a key (``sk_live_…``, ``ghp_…``, a long random token).

    Wherever they are typed (the type question, the stream list), they are registered so
    that no reply says them back, even one that quotes what it could not understand.
    """
    words = (strip_quotes(word).strip(_TRIM) for word in text.split()[:_MAX_WORDS])
    return {word for word in words if len(word) >= MIN_ANYWHERE and looks_like_secret(word)}


def sift(ctx: TurnContext, extraction: parsing.Extraction) -> parsing.Extraction:
    """``extraction`` with every value held as a secret moved to its secret field.

    "The database is <the password>": the password goes to the vault again (unchanged), the
    database stays unanswered, and the reply says a secret was pasted where it does not
    belong instead of "got the database".
    """
    moved = {
        name: value
        for name, value in extraction.values.items()
        if isinstance(value, str) and value.strip() and holds_secret(value.strip())
    }
    if not moved:
        return extraction
    secrets = dict(extraction.secret_values)
    for value in moved.values():
        field = _held_field(ctx, value.strip())
        if field is not None:
            secrets.setdefault(field, value.strip())
    asked = ctx.field(ctx.session.asked)
    return dataclasses.replace(
        extraction,
        values={k: v for k, v in extraction.values.items() if k not in moved},
        secret_values=secrets,
        misplaced=tuple(secrets) if asked is not None and not asked.secret else (),
    )


def screen(
    ctx: TurnContext, values: Mapping[str, Any], secret_values: Mapping[str, str]
) -> dict[str, Any]:
    """``values`` without the ones that are secrets; earlier answers equal to a new secret go.

    Args:
        ctx: The turn (notes are said in it).
        values: Non-secret values about to be stored.
        secret_values: Secret values typed this turn, by field name.
    """
    typed = {v.strip(): name for name, v in secret_values.items() if v and v.strip()}
    kept: dict[str, Any] = {}
    for name, value in values.items():
        text = value.strip() if isinstance(value, str) else ""
        if text and (text in typed or holds_secret(text)):
            secret = ctx.label(typed[text]) if text in typed else _which(ctx, text)
            ctx.say(render("secret_not_stored", label=ctx.label(name), secret=secret))
            continue
        kept[name] = value
    for name, value in list(ctx.session.answers.items()):
        field = ctx.field(name)
        if field is None or field.secret or not isinstance(value, str):
            continue
        if value.strip() in typed:
            # "Before it was typed": the password had been given as the database name.
            del ctx.session.answers[name]
            secret = ctx.label(typed[value.strip()])
            ctx.say(render("secret_was_answer", label=ctx.label(name), secret=secret))
    return kept


def held_again(ctx: TurnContext, message: Message) -> bool:
    """Say so and ask again when ``message`` repeats a secret held from an earlier turn.

    At a secret prompt a secret is the answer, so nothing is checked there. While settings
    are gathered only a whole message counts (a held value among other settings is left out
    by :func:`screen`); elsewhere any word of the message does.
    """
    if ctx.asking_secret() or message.form is not None:
        return False
    text = strip_quotes(message.text.strip())
    candidates = [text]
    if State(ctx.session.state) is not State.GATHER_CREDENTIALS:
        words = (strip_quotes(word).strip(_TRIM) for word in text.split()[:_MAX_WORDS])
        candidates += [word for word in words if len(word) >= MIN_ANYWHERE]
    for value in candidates:
        if value and holds_secret(value) and (not message.secret or _masked(ctx, value)):
            from agent.questions import ask_again  # noqa: PLC0415 - questions imports the steps

            ctx.say(render("secret_held", secret=_which(ctx, value)))
            ask_again(ctx)
            return True
    return False


def _masked(ctx: TurnContext, value: str) -> bool:
    """Whether a secret field's mask fits ``value`` (typed again, not a new secret)."""
    wanted = _MASK_PREFIX + value[-4:] if len(value) >= _MASK_SHOWS_FROM else _MASK_PREFIX
    return wanted in ctx.session.secret_masks.values()


def _which(ctx: TurnContext, value: str) -> str:
    """The label of the secret field ``value`` is held for, as far as its mask tells."""
    field = _held_field(ctx, value)
    return ctx.label(field) if field is not None else "secret"


def _held_field(ctx: TurnContext, value: str) -> str | None:
    """The secret field ``value`` is held for: the one whose mask fits, or the only one."""
    wanted = _MASK_PREFIX + value[-4:] if len(value) >= _MASK_SHOWS_FROM else None
    for name, mask in ctx.session.secret_masks.items():
        if mask == wanted:
            return name
    names = list(ctx.session.secret_masks)
    return names[0] if len(names) == 1 else None
