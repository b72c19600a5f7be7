"""REVIEW: everything on one screen, secrets masked, then "yes" creates it.

At the review a yes creates it ("sure, create it", "go ahead", "create the source"), a no asks
what to change ("nah", "not now"), and a yes that carries more takes both parts: "yes, but
hourly" changes the schedule and creates it, "no, call it X" renames it and shows the review.
An edit in words ("actually make it hourly", "add line_items too", "drop logs", "use the
reporting schema instead", "turn auto-push off") changes that one answer and comes back here
(:mod:`agent.revisions`); "change the X to Y" and "call it …" are commands
(``agent/commands.py``). After a name conflict at EXECUTE the next message is the new name.
"""

from __future__ import annotations

import re
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
        from agent.steps.revisions import apply_review_edit  # noqa: PLC0415 - it imports review()

        edit = parsing.parse_review_edit(text)
        if edit is not None:
            await apply_review_edit(ctx, edit)
            return
        said = parsing.split_yes_no(text)
        if said.answer is None:
            if not _settings(ctx, text, message.extraction):
                raise FlowError(render("errors/say_yes_to_create"))
            return
        if said.rest:
            # "yes, but hourly", "no, call it X": the rest is an edit; a yes then creates it.
            revised = await _revise(ctx, said.rest, show=not said.answer)
            if not revised and said.answer and _may_be_an_edit(ctx, said.rest):
                raise FlowError(render("errors/review_unclear"))
            if revised and (
                not said.answer or State(ctx.session.state) is not State.REVIEW or ctx.start_task
            ):
                return  # the edit asks something, or runs work, before it can be created
        if not said.answer:
            ctx.say(render("ask_what_to_change", is_sink=ctx.is_sink, setting=_edit_example(ctx)))
            ctx.options = [_push_toggle(ctx) if ctx.is_sink else "Change the schedule", "Cancel"]
            return
        move(ctx, Event.CONFIRMED)
        await execute(ctx)


async def _revise(ctx: TurnContext, text: str, *, show: bool) -> bool:
    """Apply the edit that follows a yes or no; False when ``text`` is not one.

    Args:
        ctx: The turn.
        text: What followed the yes or no.
        show: Show the review again after a rename (not when creating right away).
    """
    from agent import commands  # noqa: PLC0415 - commands import this module
    from agent.steps.revisions import apply_review_edit  # noqa: PLC0415 - it imports review()

    command = parsing.parse_command(text, fields=ctx.fields())
    if command is not None and command.kind is parsing.CommandKind.EDIT:
        if command.field == NAME and not show:
            rename(ctx, command.value)
            return True
        return await commands.run(ctx, command)
    edit = parsing.parse_review_edit(text)
    if edit is None:
        return _settings(ctx, text, None)
    if not show and State(ctx.session.state) is State.REVIEW:
        # Creating right away: the changed answer is said, the whole review is not.
        before = len(ctx.lines)
        await apply_review_edit(ctx, edit)
        if State(ctx.session.state) is State.REVIEW and len(ctx.lines) > before:
            ctx.lines.pop()  # back at the review, whose screen is always said last
        return True
    await apply_review_edit(ctx, edit)
    return True


def review(ctx: TurnContext) -> None:
    """Show everything, secrets masked, one line each, and ask to create."""
    session = ctx.session
    session.back_to_review = False  # arrived: an edit's way back ends here
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
            edit_example=_edit_example(ctx),
        )
    )
    ctx.options = ["Create", "Change something", "Cancel"]


def _settings(ctx: TurnContext, text: str, extraction: parsing.Extraction | None) -> bool:
    """Settings given as values ("region eu-west-1"): changed, tested, and back here."""
    from agent import commands  # noqa: PLC0415 - commands import this module

    found = extraction or parsing.extract_fields(text, ctx.fields(), types=ctx.types)
    if not found.values and not found.secret_values:
        return False
    return commands.change_settings(ctx, dict(found.values), dict(found.secret_values))


# Words that make the rest of a yes look like an edit not understood, rather than chatter
# ("yes thanks, you're great"): then nothing is created until it is clear.
_EDIT_SIGNALS = re.compile(
    r"\d|\b(?:change|set|make|add|drop|remove|call|name|rename|use|switch|only|just|except|"
    r"without|instead|schedule|hourly|daily|weekly|monthly|every|night|morning|evening|"
    r"region|port|host|prefix|bucket|folder|schema|table|stream|file|push|retry|retries|"
    r"url|password|key|secret|cron|manual|time ?zone|utc)",
    re.IGNORECASE,
)


def _may_be_an_edit(ctx: TurnContext, rest: str) -> bool:
    """Whether what followed a yes looks like an edit (so it must not be ignored)."""
    if _EDIT_SIGNALS.search(rest):
        return True
    low = rest.lower()
    names = [s["name"] for s in (ctx.session.catalog or {}).get("streams", [])]
    words = {n.lower().rpartition(".")[2] for n in names} | {f.label.lower() for f in ctx.fields()}
    return any(word and word in low for word in words)


def _push_toggle(ctx: TurnContext) -> str:
    """The quick reply that flips a sink's auto-push."""
    on = bool(ctx.session.schedule and ctx.session.schedule.auto_push)
    return "Turn auto-push off" if on else "Turn auto-push on"


def _edit_example(ctx: TurnContext) -> str:
    """A setting this connector has, for the review's "change the … to …" hint."""
    names = {f.name for f in ctx.fields()}
    return next((n for n in ("region", "port", "url") if n in names), "name")


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
