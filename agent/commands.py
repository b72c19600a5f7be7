"""Commands understood in any state: help, status, back, cancel, retry, generate, change X to Y.

A command is the same in every state; what it says about the state (where we are, its
question) comes from the state's step (``agent/steps/``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agent import parsing
from agent.context import TurnContext
from agent.flow import FlowError, move
from agent.naming import NAME, rename
from agent.parsing.regions import region_code
from agent.prompts import render
from agent.staging import discard
from agent.steps import STEPS
from agent.steps.discover import SCOPE_FIELD, change_scope
from agent.steps.gather import after_answers as gather_more
from agent.steps.gather import ask_next, generate_signing_secret, retry, start_test, store_answers
from agent.steps.review import review
from agent.steps.revisions import (
    apply_review_edit,
    mark_rescoped,
    replace_streams,
    rescope,
    set_push,
)
from agent.steps.select_type import type_options
from connections.schemas import FieldOut
from fsm import EditTarget, Event, InvalidTransition, State
from sessions import Session

__all__ = ["change_settings", "forget_answers", "run"]

CommandKind = parsing.CommandKind
# Where a changed connection setting takes effect at once (the FSM's EDIT rows).
_LATER = (State.SELECT_STREAMS, State.CONFIGURE_SYNC, State.REVIEW)
_SCHEDULE_WORDS = {"schedule", "cron", "frequency", "sync", "timing"}
_STREAM_WORDS = {"streams", "stream", "tables", "files", "selection"}
# A sink's push rule, named as a setting: "set auto-push to off", "change retries to 5".
_PUSH_WORDS = {"auto_push", "autopush", "push", "pushing", "auto_pushing", "automatic_push"}
_RETRY_WORDS = {"retries", "retry", "retry_count", "number_of_retries", "retry_failed_push"}


async def run(ctx: TurnContext, command: parsing.Command) -> bool:
    """Carry out a command; False when it does not apply here (the message is data)."""
    kind = command.kind
    state = State(ctx.session.state)
    if kind is CommandKind.HELP:
        _help(ctx)
    elif kind is CommandKind.STATUS:
        _status(ctx)
    elif kind is CommandKind.BACK:
        _back(ctx)
    elif kind is CommandKind.CANCEL:
        await _cancel(ctx)
    elif kind is CommandKind.RETRY and state is State.GATHER_CREDENTIALS:
        if not ctx.session.last_failure and ctx.missing() and not ctx.asking_secret():
            return False  # "retry" may be the answer to the question asked
        retry(ctx)
    elif kind is CommandKind.GENERATE and state is State.GATHER_CREDENTIALS:
        generate_signing_secret(ctx)
    elif kind is CommandKind.EDIT:
        return await _edit(ctx, command, state)
    else:
        return False
    return True


def _help(ctx: TurnContext) -> None:
    """Explain where we are and what can be said."""
    state = State(ctx.session.state)
    ctx.say(render("help", where=STEPS[state].where if state in STEPS else ""))
    ctx.keep_options = True
    if state is State.GATHER_CREDENTIALS:
        ask_next(ctx)


def _status(ctx: TurnContext) -> None:
    """Summarize the answers so far, secrets masked."""
    s = ctx.session
    lines = [
        f"{f.label}: {'none' if f.secret else s.answers[f.name]}"
        for f in ctx.fields()
        if f.name in s.answers
    ]
    lines += [f"{ctx.label(n).capitalize()}: {m}" for n, m in s.secret_masks.items()]
    if s.selected_streams:
        lines.append(f"Streams: {', '.join(s.selected_streams[:8])}")
    connector = ctx.connector
    state = State(s.state)
    ctx.say(
        render(
            "status",
            label=connector.label if connector else "",
            is_sink=ctx.is_sink,
            where=STEPS[state].where if state in STEPS else "",
            lines=lines,
            missing=[f.label.lower() for f in ctx.absent()] if connector else [],
            suspect=[f.label.lower() for f in ctx.reasked()] if connector else [],
        )
    )
    ctx.required_fields = [f.name for f in ctx.missing()] if connector else []
    ctx.keep_options = True


async def _cancel(ctx: TurnContext) -> None:
    """Back to choosing a type, answers dropped and staged secrets deleted."""
    if State(ctx.session.state) is State.DONE:
        move(ctx, Event.RESTART)
        # The finished setup's answers and masks must not leak into the next one.
        forget_answers(ctx.session)
        ctx.say(render("ask_type"))
    else:
        refs = sorted(set(ctx.session.secret_refs.values()))
        move(ctx, Event.CANCEL)
        forget_answers(ctx.session)
        ctx.say(render("cancelled"))
        await discard(ctx.client, refs)
    ctx.options = type_options(ctx)


def forget_answers(s: Session) -> None:
    """Drop everything one setup gathered, e.g. to start over after creating a source."""
    s.connector_type = None
    s.role = None
    s.answers = {}
    s.secret_refs = {}
    s.secret_masks = {}
    s.asked = None
    s.catalog = None
    s.selected_streams = []
    s.schedule = None
    s.last_failure = None
    s.task = None
    s.result = None
    s.proposed_name = None
    s.back_to_review = False


def _back(ctx: TurnContext) -> None:
    """One step back, then the question of that step again."""
    try:
        new = move(ctx, Event.BACK)
    except InvalidTransition:
        raise FlowError(render("errors/no_step_before")) from None
    ctx.session.task = None
    STEPS[new].ask(ctx)


async def _edit(ctx: TurnContext, command: parsing.Command, state: State) -> bool:
    if command.field and command.secret and state is State.REVIEW:
        _edit_secret_at_review(ctx, command.field, command.value)
    elif command.field and command.secret:
        # A new secret goes to the vault like any other; its value never stays here.
        if command.value:
            store_answers(ctx, {}, {command.field: command.value})
            gather_more(ctx)
        else:
            ctx.session.asked = command.field
            ask_next(ctx)
    elif command.field:
        await _apply_edit(ctx, command)
    elif (
        state is State.REVIEW
        and command.value
        and (edit := parsing.parse_review_edit(command.value))
    ):
        await apply_review_edit(ctx, edit)  # "change it to weekly"
    elif state is State.REVIEW:
        ctx.say(render("ask_what_to_change_short"))
    else:
        return False
    return True


def change_settings(
    ctx: TurnContext, values: Mapping[str, Any], secrets: Mapping[str, str]
) -> bool:
    """Settings given as values at the review ("region eu-west-1", "port 5433").

    All of them are changed and tested once, then the review comes back; the schema scope
    alone is discovered again instead. False when nothing names a setting this connector has.
    """
    plain = {n: v for n, v in values.items() if (f := ctx.field(n)) is not None and not f.secret}
    if len(secrets) == 1 and not plain:
        ((name, value),) = secrets.items()
        _edit_secret_at_review(ctx, name, value)
        return True
    if not plain:
        return False
    if set(plain) == {SCOPE_FIELD}:
        rescope(ctx, str(plain[SCOPE_FIELD]))
        return True
    for name, value in plain.items():
        if name == SCOPE_FIELD:
            continue
        ctx.session.answers[name] = value
        ctx.say(render("setting_changed", label=ctx.label(name), value=value))
        mark_rescoped(ctx, name)
    store_answers(ctx, {}, secrets)
    move(ctx, Event.EDIT, edit=EditTarget.CREDENTIALS)
    if ctx.missing():
        ask_next(ctx)
    else:
        start_test(ctx)
    return True


def _edit_secret_at_review(ctx: TurnContext, name: str, value: str | None) -> None:
    """A new secret at the review: to the vault, tested, and back to the review."""
    field = ctx.field(name)
    if field is None:
        raise FlowError(render("errors/unknown_setting", topic=name.replace("_", " ")))
    mark_rescoped(ctx, name)
    move(ctx, Event.EDIT, edit=EditTarget.CREDENTIALS)
    if value:
        store_answers(ctx, {}, {name: value})
        start_test(ctx)
        return
    # Asked in the settings step, where the answer is taken as this secret and tested.
    ctx.session.asked = name
    ctx.input_type = "secret"
    ctx.required_fields = [name]
    ctx.say(render("ask_field", prompt=field.prompt, secret=True, example=None, optional=False))


async def _apply_edit(ctx: TurnContext, command: parsing.Command) -> None:
    """Handle "change the region to eu-west-1": set it, and go where that answer is used.

    At the review a schedule, streams or push rule given with the edit is applied in place
    ("change the schedule to hourly"); without one, the step that owns it asks.
    """
    topic = (command.field or "").lower().strip()
    at_review = State(ctx.session.state) is State.REVIEW
    value = command.value
    if topic == NAME:
        rename(ctx, value)
        if at_review:
            review(ctx)
        else:
            ctx.keep_options = True
    elif topic in _SCHEDULE_WORDS:
        if at_review and value and not ctx.is_sink:
            await apply_review_edit(ctx, parsing.ReviewEdit(parsing.EditKind.SCHEDULE, value))
        else:
            _edit_topic(ctx, EditTarget.SCHEDULE)
    elif topic in _STREAM_WORDS:
        if at_review and value and not ctx.is_sink:
            replace_streams(ctx, value)
        else:
            _edit_topic(ctx, EditTarget.STREAMS)
    elif ctx.is_sink and topic in _PUSH_WORDS and parsing.parse_yes_no(value or "") is not None:
        set_push(ctx, auto_push=parsing.parse_yes_no(value or ""))
    elif ctx.is_sink and topic in _RETRY_WORDS and value and value.strip().isdigit():
        set_push(ctx, retries=int(value))
    else:
        _edit_setting(ctx, topic, value)


def _edit_topic(ctx: TurnContext, target: EditTarget) -> None:
    if State(ctx.session.state) is not State.REVIEW:
        raise FlowError(render("errors/finish_step_first"))
    # The answer given there comes back to the review, keeping every other one.
    ctx.session.back_to_review = True
    new = move(ctx, Event.EDIT, edit=target)
    STEPS[new].ask(ctx)


def _edit_setting(ctx: TurnContext, topic: str, value: str | None) -> None:
    """A connection setting changed: the connection is tested again before going on."""
    field = _field_named(ctx, topic)
    if field is None:
        raise FlowError(render("errors/unknown_setting", topic=topic))
    if field.secret:
        raise FlowError(render("errors/secret_on_its_own", label=field.label.lower()))
    state = State(ctx.session.state)
    if field.name == SCOPE_FIELD and state is State.REVIEW:
        rescope(ctx, value or "")  # discovered again, the streams kept where they can be
        return
    if field.name == SCOPE_FIELD and state in (*_LATER, State.DISCOVER_SCHEMA):
        change_scope(ctx, value)  # discovered again at once
        return
    if value is not None and field.name == "region":
        value = region_code(value) or value  # "change the region to frankfurt"
    if value is None:
        ctx.session.answers.pop(field.name, None)
    else:
        ctx.session.answers[field.name] = value
        ctx.say(render("setting_changed", label=field.label.lower(), value=value))
    if state is State.REVIEW:
        mark_rescoped(ctx, field.name)  # tested, maybe discovered, then the review again
    if state in _LATER:
        # A changed connection setting is tested again before anything uses it.
        move(ctx, Event.EDIT, edit=EditTarget.CREDENTIALS)
    if State(ctx.session.state) is State.GATHER_CREDENTIALS:
        if ctx.missing():
            ask_next(ctx)
        else:
            start_test(ctx)


def _field_named(ctx: TurnContext, topic: str) -> FieldOut | None:
    key = topic.replace(" ", "_")
    for f in ctx.fields():
        if key in {f.name, f.label.lower().replace(" ", "_")}:
            return f
    return None
