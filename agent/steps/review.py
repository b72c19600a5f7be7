"""REVIEW: everything on one screen, secrets masked, then "yes" creates it.

At the review "change the X to Y" goes to the step that owns the answer (``agent/commands.py``)
and "call it …" renames it in place; after a name conflict at EXECUTE the next message is the
new name.
"""

from __future__ import annotations

from typing import Any, ClassVar

from agent import parsing
from agent.context import TurnContext
from agent.execute import execute
from agent.flow import FlowError, move, target_of
from agent.message import Message
from agent.naming import NAME, proposed_name, rename
from agent.prompts import render
from agent.steps.base import Step
from agent.streams import shorten
from core.wording import plural
from fsm import Event, State
from sessions import Schedule

__all__ = ["Review", "review"]

# Shown in the review's target line already.
_IN_TARGET = frozenset({"bucket", "prefix", "url", "host", "port"})


class Review(Step):
    """Everything, before creating it."""

    state: ClassVar[State] = State.REVIEW
    where: ClassVar[str] = "We're reviewing everything before I create it."

    def ask(self, ctx: TurnContext) -> None:
        """Show the review again."""
        review(ctx)

    async def answer(self, ctx: TurnContext, message: Message) -> None:
        """Yes creates it, no asks what to change, and after a conflict: the new name."""
        text = message.text
        if ctx.session.asked == NAME:
            # The name was taken when creating: this message is the new one.
            if parsing.parse_yes_no(text) is not None:
                raise FlowError(render("errors/which_name"))
            rename(ctx, text)
            review(ctx)
            return
        answer = parsing.parse_yes_no(text)
        if answer is None and text.strip().lower() in {"create", "create it"}:
            answer = True
        if answer is None:
            raise FlowError(render("errors/say_yes_to_create"))
        if not answer:
            ctx.say(render("ask_what_to_change"))
            ctx.options = ["Change the schedule", "Cancel"]
            return
        move(ctx, Event.CONFIRMED)
        await execute(ctx)


def review(ctx: TurnContext) -> None:
    """Show everything, secrets masked, one line each, and ask to create."""
    session = ctx.session
    connector = ctx.connector
    label = connector.label if connector else session.connector_type
    session.proposed_name = proposed_name(ctx)
    lines = [f'Name: "{session.proposed_name}"', f"{label} · {target_of(ctx)}"]
    lines += [
        f"{f.label}: {_shown(f.name, session.answers[f.name])}"
        for f in ctx.fields()
        if f.name in session.answers and not f.secret and f.name not in _IN_TARGET
    ]
    secrets = [f"{ctx.label(n)} {m}" for n, m in session.secret_masks.items()]
    secrets += [
        f"{f.label.lower()}: none" for f in ctx.fields() if f.secret and f.name in session.answers
    ]
    if secrets:
        lines.append("Secrets: " + ", ".join(secrets))
    schedule = session.schedule or Schedule()
    summary = ""
    if ctx.is_sink:
        push = "auto-push on" if schedule.auto_push else "auto-push off"
        retries = schedule.retries
        lines.append(push + (f" · {plural(retries, 'retry', 'retries')}" if retries else ""))
    else:
        lines.append("Streams: " + ", ".join(shorten(session.selected_streams)))
        words = schedule.description or "manual"
        if schedule.cron:
            zone = schedule.timezone or "UTC"
            summary = f"{_capital(words)} ({schedule.cron}, {zone})"
            lines.append(f"Schedule: {words}, {zone}")
        else:
            summary = _capital(words)
            lines.append(f"Schedule: {words}")
    ctx.say(
        render(
            "review",
            schedule=summary,
            lines=lines,
            is_sink=ctx.is_sink,
            edit_example="region" if session.connector_type == "S3" else "port",
        )
    )
    ctx.options = ["Create", "Change something", "Cancel"]


def _shown(name: str, value: Any) -> str:
    """An answer as a person reads it: no Python dicts or lists."""
    if isinstance(value, dict):
        return ", ".join(f"{k} → {v}" for k, v in value.items()) or "none"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "none"
    if value == "" and name == "schemas":
        return "all"
    return str(value)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
