"""The type a message at the type question names, and its fields, before the step runs.

"postgres, host 127.0.0.1, db shop, user app, password ..." names the type and gives fields in
one breath. The message is read (and its secrets scrubbed from the transcript) before the
step chooses the type, so reading it needs the fields of the type it is about to choose: the
same choice the step makes, made here once for both.
"""

from __future__ import annotations

from agent import parsing
from agent.context import TurnContext
from connections.schemas import ConnectorTypeOut, FieldOut

__all__ = ["named_fields", "role_for"]


def role_for(ctx: TurnContext, connector: ConnectorTypeOut, role: str | None) -> str:
    """The role to set up: the one asked for if the type serves it, else its first."""
    if role is None:
        role = ctx.session.role if ctx.session.role in connector.roles else None
    if role is None or role not in connector.roles:
        role = "INVENTORY_SOURCE" if "INVENTORY_SOURCE" in connector.roles else "RESULTS_SINK"
    return role


def named_fields(ctx: TurnContext, text: str) -> list[FieldOut]:
    """At the type question, the fields of the type ``text`` names (none if it names none)."""
    if ctx.session.connector_type is not None:
        return []
    match = parsing.match_type(text, ctx.types)
    if match is None:
        return []
    role = role_for(ctx, match.connector, match.role.value if match.role else None)
    return [f for f in match.connector.fields if role in f.roles]
