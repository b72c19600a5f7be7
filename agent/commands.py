"""Commands understood in any state: help, status, back, cancel, retry, change X to Y."""

from __future__ import annotations

from agent import parsing
from agent.context import TurnContext
from agent.finish import review
from agent.flow import FlowError, ask_next, move, start_test
from agent.prompts import render
from agent.streams import show_streams
from connections.schemas import FieldOut
from fsm import EditTarget, Event, InvalidTransition, State
from sessions import Session

__all__ = ["WHERE", "apply_edit", "back", "cancel", "forget_answers", "help_text", "status"]

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
_SCHEDULE_WORDS = {"schedule", "cron", "frequency", "sync", "timing"}
_STREAM_WORDS = {"streams", "stream", "tables", "files", "selection"}


def help_text(ctx: TurnContext) -> None:
    """Explain where we are and what can be said."""
    ctx.say(render("help", where=WHERE.get(State(ctx.session.state), "")))
    if State(ctx.session.state) is State.GATHER_CREDENTIALS:
        ask_next(ctx)


def status(ctx: TurnContext) -> None:
    """Summarize the answers so far, secrets masked."""
    s = ctx.session
    lines = [f"{f.label}: {s.answers[f.name]}" for f in ctx.fields() if f.name in s.answers]
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
            missing=[f.label.lower() for f in ctx.missing()] if connector else [],
        )
    )
    ctx.data["required_fields"] = [f.name for f in ctx.missing()] if connector else []


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
    elif state is State.GATHER_CREDENTIALS:
        ctx.say('Which setting should I change? You can also say "retry" to test again.')
        ask_next(ctx)
    elif state is State.SELECT_STREAMS:
        show_streams(ctx)
    elif state is State.CONFIGURE_SYNC:
        if ctx.is_sink:
            ctx.say(render("ask_sink_push"))
        else:
            ctx.say(render("ask_schedule", default=ctx.data.get("_agent_cron")))
    elif state is State.REVIEW:
        review(ctx)


def apply_edit(ctx: TurnContext, command: parsing.Command) -> None:
    """Handle "change the region to eu-west-1": set it, and go where that answer is used."""
    topic = (command.field or "").lower().strip()
    if topic in _SCHEDULE_WORDS:
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
    if value is None:
        ctx.session.answers.pop(field.name, None)
    else:
        ctx.session.answers[field.name] = value
        ctx.say(f"The {field.label.lower()} is now {value}.")
    if State(ctx.session.state) is State.REVIEW:
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
