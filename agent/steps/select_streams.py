"""SELECT_STREAMS: page, search and pick streams.

A phrase naming a schema left out widens the scope first (discovered again, then the phrase
picks from what it made visible).
"""

from __future__ import annotations

from typing import Any, ClassVar

from agent.context import TurnContext
from agent.flow import FlowError, move
from agent.message import Message
from agent.prompts import render
from agent.steps.base import Step
from agent.steps.configure_sync import ask_schedule
from agent.steps.discover import widen_scope
from agent.steps.revisions import resume_after_discovery, resume_after_streams
from agent.streams import choose_streams, show_streams
from fsm import Event, State
from sessions import Failure

__all__ = ["SelectStreams", "choose", "discovered", "discovery_failed"]


class SelectStreams(Step):
    """What to pull."""

    state: ClassVar[State] = State.SELECT_STREAMS
    where: ClassVar[str] = "We're choosing what to pull."

    def ask(self, ctx: TurnContext) -> None:
        """Show the catalog (a page, or a summary by schema)."""
        show_streams(ctx)

    async def answer(self, ctx: TurnContext, message: Message) -> None:
        """A page, a search, or the choice."""
        try:
            choose(ctx, message.text)
        except FlowError:
            # "inventory.products" or "add inventory" while only sales was discovered.
            if not widen_scope(ctx, message.text):
                raise


def choose(ctx: TurnContext, text: str) -> None:
    """Take a choice of streams; once chosen, ask for the schedule."""
    choose_streams(ctx, text)
    if State(ctx.session.state) is State.CONFIGURE_SYNC and not resume_after_streams(ctx):
        ask_schedule(ctx)


def discovered(ctx: TurnContext, streams: list[dict[str, Any]], key: str) -> None:
    """Discovery's outcome: show what was found (or why nothing was).

    A phrase that widened the scope is applied to what it made visible.
    """
    before = ctx.session.catalog or {}
    ctx.session.catalog = {"key": key, "streams": streams}
    if before.get("scope"):
        ctx.session.catalog["scope"] = before["scope"]  # "back" asks the scope again
    move(ctx, Event.DISCOVERED)
    if resume_after_discovery(ctx, before):
        return  # an edit at the review: the earlier choice still holds
    pending = before.get("pending")
    missed = None
    if pending and streams:
        try:
            choose(ctx, pending)
        except FlowError as exc:
            missed = str(exc)  # said after the list, so the person sees what to pick from
        else:
            return
    show_streams(ctx)
    if missed:
        ctx.say(missed)
    if not streams:
        ctx.session.last_failure = Failure(failure="no_streams")
        ctx.options = ["Retry", "Cancel"]


def discovery_failed(ctx: TurnContext, message: str) -> None:
    """Discovery failed: back to the settings, with the reason."""
    move(ctx, Event.DISCOVERY_FAILED)
    ctx.session.last_failure = Failure(failure="discovery_failed")
    ctx.say(f"✗ {message}")
    ctx.say(render("discovery_failed"))
    ctx.options = ["Retry", "Cancel"]
