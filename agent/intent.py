"""Whether a message is a command here, or data (one rule for the engine and the scrubber).

Commands are commands everywhere, at a secret prompt too: the faces promise it ("cancel",
"status", "help", "back" and "retry" always work), and a quick-reply button pressed while a
masked field is open must not end up in the vault as the secret.
"""

from __future__ import annotations

from agent import parsing
from agent.context import TurnContext

__all__ = ["command_for", "form_command"]


def command_for(ctx: TurnContext, text: str) -> parsing.Command | None:
    """The command ``text`` gives in this turn, or None when it is data."""
    return parsing.parse_command(text, fields=ctx.fields())


def form_command(fields: dict[str, str]) -> str | None:
    """The command typed into a masked form instead of the secret it asked for, if any.

    Only a form with one value counts, and only a command without a value of its own: an
    edit typed into a password field is more likely a password than an instruction.
    """
    if len(fields) != 1:
        return None
    (value,) = fields.values()
    if not isinstance(value, str):
        return None  # the engine's input check says what is wrong with it
    command = parsing.parse_command(value)
    if command is None or command.kind is parsing.CommandKind.EDIT:
        return None
    return value.strip()
