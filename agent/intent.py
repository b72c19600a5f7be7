"""Whether a message is a command here, or data (one rule for the engine and the scrubber)."""

from __future__ import annotations

from agent import parsing
from agent.context import TurnContext
from agent.parsing import CommandKind

__all__ = ["command_for"]

# At a secret prompt only navigation counts as a command: a password may read "retry".
_AT_SECRET_PROMPT = frozenset(
    {CommandKind.CANCEL, CommandKind.BACK, CommandKind.HELP, CommandKind.STATUS}
)


def command_for(ctx: TurnContext, text: str) -> parsing.Command | None:
    """The command ``text`` gives in this turn, or None when it is data."""
    command = parsing.parse_command(text, fields=ctx.fields())
    if command is None or not ctx.asking_secret():
        return command
    allowed = set(_AT_SECRET_PROMPT)
    if ctx.session.asked == "signing_secret":
        allowed.add(CommandKind.GENERATE)
    return command if command.kind in allowed else None
