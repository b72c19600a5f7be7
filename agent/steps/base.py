"""A step: what one state asks, how it answers a message, and how it asks again."""

from __future__ import annotations

from typing import ClassVar

from agent.context import TurnContext
from agent.message import Message
from agent.prompts import render
from fsm import State

__all__ = ["Step"]


class Step:
    """One state of the conversation.

    A step owns its question: :meth:`ask` asks it (again, after "back", an edit, or a
    secret typed anew), and :meth:`answer` reads a message that is not a command. Commands
    ("help", "status", "back", "cancel", "change the X to Y") are the same in every state
    (``agent/commands.py``); they use :attr:`where` and :meth:`ask`.

    Attributes:
        state: The state this step serves.
        where: One sentence that says where the conversation stands.
    """

    state: ClassVar[State]
    where: ClassVar[str]

    def ask(self, ctx: TurnContext) -> None:
        """Ask this state's question (nothing to ask while work runs)."""

    async def answer(self, ctx: TurnContext, message: Message) -> None:  # noqa: ARG002
        """Read a message that answers this state's question (base: work is running)."""
        ctx.say(render("busy", step="working on it"))
