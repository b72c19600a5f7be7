"""Commands understood in any state: help, status, back, cancel, retry, change X to Y."""

from __future__ import annotations

from agent import parsing
from agent.context import TurnContext
from agent.finish import review
from agent.flow import FlowError, ask_next, move, start_test, store_answers, type_options
from agent.naming import NAME, rename
from agent.prompts import render
from agent.scope import SCOPE_FIELD, ask_scope, change_scope, scope_of
from agent.streams import ask_schedule, show_streams
from connections.schemas import FieldOut
from fsm import EditTarget, Event, InvalidTransition, State
from sessions import Session

__all__ = [
    "WHERE",
    "apply_edit",
    "back",
    "cancel",
    "forget_answers",
    "help_text",
    "retype_secret",
    "status",
]

WHERE = {
    State.SELECT_SOURCE_TYPE: "We're choosing what to connect.",
    State.GATHER_CREDENTIALS: "We're gathering the connection settings.",
    State.TEST_CONNECTION: "I'm testing the connection.",
    State.DISCOVER_SCHEMA: "I'm looking for what there is to pull.",
    State.SELECT_STREAMS: "We're choosing what to pull.",
    State.CONFIGURE_SYNC: "We're setting how often to sync.",
    State.REVIEW: "We're reviewing everything before I create it.",
    State.EXECUTE: "I'm creating it.",
    State.DONE: "This setup is finished.",
}
# Where a changed connection setting takes effect at once (the FSM's EDIT rows).
_LATER = (State.SELECT_STREAMS, State.CONFIGURE_SYNC, State.REVIEW)
_SCHEDULE_WORDS = {"schedule", "cron", "frequency", "sync", "timing"}
_STREAM_WORDS = {"streams", "stream", "tables", "files", "selection"}


def help_text(ctx: TurnContext) -> None:
    """Explain where we are and what can be said."""
    ctx.say(render("help", where=WHERE.get(State(ctx.session.state), "")))
    ctx.keep_options = True
    if State(ctx.session.state) is State.GATHER_CREDENTIALS:
        ask_next(ctx)


def status(ctx: TurnContext) -> None:
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
    ctx.say(
        render(
            "status",
            label=connector.label if connector else "",
            is_sink=ctx.is_sink,
            where=WHERE.get(State(s.state), ""),
            lines=lines,
            missing=[f.label.lower() for f in ctx.absent()] if connector else [],
            suspect=[f.label.lower() for f in ctx.reasked()] if connector else [],
        )
    )
    ctx.data["required_fields"] = [f.name for f in ctx.missing()] if connector else []
    ctx.keep_options = True


def cancel(ctx: TurnContext) -> list[str]:
    """Back to choosing a type; answers dropped. Returns staged refs for the engine to delete."""
    refs = sorted(set(ctx.session.secret_refs.values()))
    move(ctx, Event.CANCEL)
    forget_answers(ctx.session)
    ctx.say(render("cancelled"))
    return refs


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


def back(ctx: TurnContext) -> None:
    """One step back, then the question of that step again."""
    try:
        new = move(ctx, Event.BACK)
    except InvalidTransition:
        raise FlowError("There is no step before this one.") from None
    ctx.session.task = None
    reprompt(ctx, new)


def reprompt(ctx: TurnContext, state: State) -> None:
    """Ask the question that belongs to ``state``."""
    if state is State.SELECT_SOURCE_TYPE:
        ctx.session.connector_type = None
        ctx.session.role = None
        ctx.say("What type of data source would you like to connect?")
        ctx.options = type_options(ctx)
    elif state is State.GATHER_CREDENTIALS:
        ctx.say('Which setting should I change? You can also say "retry" to test again.')
        ask_next(ctx)
    elif state is State.SELECT_STREAMS:
        show_streams(ctx)
    elif state is State.CONFIGURE_SYNC:
        if ctx.is_sink:
            ctx.say(render("ask_sink_push"))
            ctx.options = ["Yes", "No"]
        else:
            ask_schedule(ctx)
    elif state is State.REVIEW:
        review(ctx)
    elif state is State.DISCOVER_SCHEMA and not ask_scope(ctx, _scope_counts(ctx), again=True):
        raise FlowError("There is no step before this one.")


def apply_edit(ctx: TurnContext, command: parsing.Command) -> None:
    """Handle "change the region to eu-west-1": set it, and go where that answer is used."""
    topic = (command.field or "").lower().strip()
    if topic == NAME:
        rename(ctx, command.value)
        if State(ctx.session.state) is State.REVIEW:
            review(ctx)
        else:
            ctx.keep_options = True
    elif topic in _SCHEDULE_WORDS:
        _edit_topic(ctx, EditTarget.SCHEDULE)
    elif topic in _STREAM_WORDS:
        _edit_topic(ctx, EditTarget.STREAMS)
    else:
        _edit_setting(ctx, topic, command.value)


def _edit_topic(ctx: TurnContext, target: EditTarget) -> None:
    if State(ctx.session.state) is not State.REVIEW:
        raise FlowError("Let's finish this step first; you can change that at the review.")
    move(ctx, Event.EDIT, edit=target)
    reprompt(ctx, State(ctx.session.state))


def _edit_setting(ctx: TurnContext, topic: str, value: str | None) -> None:
    """A connection setting changed: the connection is tested again before going on."""
    field = _field_named(ctx, topic)
    if field is None:
        raise FlowError(f'I don\'t know a setting called "{topic}" here.')
    if field.secret:
        raise FlowError(
            f"Type the new {field.label.lower()} on its own; I'll store it in the vault."
        )
    state = State(ctx.session.state)
    if field.name == SCOPE_FIELD and state in (*_LATER, State.DISCOVER_SCHEMA):
        change_scope(ctx, value)  # discovered again at once
        return
    if value is None:
        ctx.session.answers.pop(field.name, None)
    else:
        ctx.session.answers[field.name] = value
        ctx.say(f"Changed the {field.label.lower()} to {value}.")
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


def _scope_counts(ctx: TurnContext) -> dict[str, object]:
    return {"schemas": scope_of(ctx)}


def retype_secret(ctx: TurnContext, text: str) -> None:
    """Take a secret typed again after it expired, then ask this step's question again."""
    name = ctx.session.asked or ""
    if not text.strip():
        raise FlowError(f"That was empty. Type the {ctx.label(name)}.")
    store_answers(ctx, {}, {name: text.strip()})
    ctx.session.asked = None
    ctx.say(f"Thanks, the {ctx.label(name)} is back in the vault.")
    reprompt(ctx, State(ctx.session.state))
