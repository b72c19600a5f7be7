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


def answer(ctx: TurnContext, question: parsing.Question) -> None:
    """Answer ``question`` in a few sentences, then ask the open question again."""
    topic = question.topic or parsing.FIELD_TOPICS.get(ctx.session.asked or "") or "unknown"
    connector = ctx.connector
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
    if state is State.SELECT_SOURCE_TYPE:
        ctx.say(render("ask_type"))
        ctx.options = type_options(ctx) if session.role != "RESULTS_SINK" else []
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
