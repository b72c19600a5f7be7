"""TEST_CONNECTION (and EXECUTE): work runs in the background; its outcome moves the state.

A message sent meanwhile waits for the work (the engine), except "cancel". The outcome of a
test arrives here as the agent's next message: a failure goes back to the settings asking
only for what it points at; a pass goes on to the schema question, discovery, or (a sink)
the push rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from agent.context import TurnContext
from agent.flow import move
from agent.prompts import render
from agent.steps.base import Step
from agent.steps.configure_sync import ask_sink_push
from agent.steps.discover import ask_scope
from agent.steps.gather import on_test_failed
from agent.steps.revisions import resume_after_test
from fsm import Event, State

__all__ = ["Executing", "Outcome", "Testing"]


@dataclass(frozen=True)
class Outcome:
    """What a connection test found."""

    ok: bool
    failure: str | None
    field: str | None
    message: str
    details: dict[str, Any] | None = None


class Testing(Step):
    """The connection test runs in the background."""

    state: ClassVar[State] = State.TEST_CONNECTION
    where: ClassVar[str] = "I'm testing the connection."

    @staticmethod
    def outcome(ctx: TurnContext, outcome: Outcome) -> bool:
        """Say how the test went and move on; True when discovery should start now."""
        if not outcome.ok:
            on_test_failed(ctx, outcome.failure, outcome.field, outcome.message)
            return False
        ctx.say(render("test_passed", message=outcome.message))
        move(ctx, Event.TEST_PASSED)
        resumed = resume_after_test(ctx)  # a setting changed at the review: back there
        if resumed is not None:
            return resumed
        if ctx.is_sink:
            ask_sink_push(ctx)
            return False
        if ask_scope(ctx, outcome.details or {}):
            return False
        ctx.say(render("discovering"))
        return True


class Executing(Step):
    """The source is being created."""

    state: ClassVar[State] = State.EXECUTE
    where: ClassVar[str] = "I'm creating it."
