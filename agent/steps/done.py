"""DONE: the setup is finished; "start over" connects something else."""

from __future__ import annotations

from typing import ClassVar

from agent.context import TurnContext
from agent.message import Message
from agent.prompts import render
from agent.steps.base import Step
from fsm import State

__all__ = ["Done"]


class Done(Step):
    """After creating."""

    state: ClassVar[State] = State.DONE
    where: ClassVar[str] = "This setup is finished."

    async def answer(self, ctx: TurnContext, message: Message) -> None:  # noqa: ARG002
        """Say it is done, and how to start over."""
        ctx.say(render("done"))
        ctx.options = ["Start over"]
