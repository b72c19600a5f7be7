"""Questions asked mid-flow: a short answer from ``prompts/answers/``, then the open question.

The question changes nothing: no answer is stored, the state stays, and the open question
is asked again with the same required fields, input type and quick replies, so a face keeps
its masked field open when the question came while a secret was asked.
"""

from __future__ import annotations

from agent import parsing
from agent.context import TurnContext
from agent.naming import NAME
from agent.prompts import render
from agent.steps import STEPS
from agent.steps.configure_sync import TIMEZONE
from agent.steps.gather import ask_next
from agent.steps.select_type import type_options
from fsm import State

__all__ = ["answer", "ask_again"]

# The topic of the question a state asks, for a question that names no topic of its own.
_STATE_TOPICS: dict[State, str] = {
    State.SELECT_SOURCE_TYPE: "types",
    State.SELECT_STREAMS: "stream",
    State.REVIEW: "change_later",
}


def answer(ctx: TurnContext, question: parsing.Question) -> None:
    """Answer ``question`` in a few sentences, then ask the open question again."""
    connector = ctx.connector
    asked = ctx.field(ctx.session.asked)
    topic = question.topic
    if topic is None and question.why and asked is not None and asked.secret:
        topic = "why_secret"
    if topic is None:
        topic = parsing.FIELD_TOPICS.get(ctx.session.asked or "") or _state_topic(ctx)
    ctx.say(
        render(
            f"answers/{topic}",
            label=connector.label if connector else "",
            is_sink=ctx.is_sink,
            labels=[t.label for t in ctx.types],
        )
    )
    ask_again(ctx)


def ask_again(ctx: TurnContext) -> None:
    """Ask the question that is open in this state again, as it was asked."""
    session = ctx.session
    state = State(session.state)
    ctx.keep_options = True
    if state is State.SELECT_SOURCE_TYPE and session.role == "RESULTS_SINK":
        ctx.say(render("ask_sink_type"))
        ctx.options = [t.label for t in ctx.types if "RESULTS_SINK" in t.roles]
    elif state is State.SELECT_SOURCE_TYPE:
        ctx.say(render("ask_type"))
        ctx.options = type_options(ctx)
    elif state is State.GATHER_CREDENTIALS:
        ask_next(ctx)
    elif state is State.CONFIGURE_SYNC and session.asked == TIMEZONE and session.schedule:
        words = session.schedule.description or ""
        ctx.say(render("ask_timezone", schedule=words[:1].upper() + words[1:]))
    elif state is State.REVIEW:
        ctx.say(
            render("errors/which_name" if session.asked == NAME else "errors/say_yes_to_create")
        )
    elif state in STEPS:
        STEPS[state].ask(ctx)


def _state_topic(ctx: TurnContext) -> str:
    """What a question naming nothing ("what does that mean?") is about, by state."""
    state = State(ctx.session.state)
    if state is State.CONFIGURE_SYNC:
        return "push" if ctx.is_sink else "schedule"
    return _STATE_TOPICS.get(state, "unknown")
