"""Asking which schemas to discover, before discovering a database with many of them.

A database's connection check reports its schemas and how many tables each holds
(``details["schemas"]``). When there are more than :data:`ASK_ABOVE` and the person has not
named any, the agent asks first: discovering one schema of a large warehouse is quicker
for everyone than listing every table of every schema and then searching through them.
"""

from __future__ import annotations

from typing import Any

from agent import parsing
from agent.context import TurnContext
from agent.flow import FlowError
from agent.prompts import human_list, render
from agent.streams import shorten

__all__ = ["ASK_ABOVE", "SCOPE_FIELD", "answer_scope", "ask_scope"]

ASK_ABOVE = 3
SCOPE_FIELD = "schemas"
_SHOWN = 10


def ask_scope(ctx: TurnContext, details: dict[str, Any]) -> bool:
    """Ask for the schema scope when it is worth asking; True when asked."""
    schemas = details.get("schemas")
    if (
        not isinstance(schemas, dict)
        or len(schemas) <= ASK_ABOVE
        or ctx.field(SCOPE_FIELD) is None
        or SCOPE_FIELD in ctx.session.answers
    ):
        return False
    ranked = sorted(schemas.items(), key=lambda item: (-(item[1] or 0), item[0]))
    ctx.session.catalog = {"schemas": [name for name, _ in ranked]}
    ctx.session.asked = SCOPE_FIELD
    ctx.say(
        render(
            "ask_scope",
            schemas=schemas,
            shown=[{"name": n, "count": c} for n, c in ranked[:_SHOWN]],
            more=max(0, len(ranked) - _SHOWN),
        )
    )
    ctx.options = ["All", *[name for name, _ in ranked[:4]]]
    ctx.data["input_type"] = "multi_choice"
    return True


def answer_scope(ctx: TurnContext, text: str) -> None:
    """Take the schemas to discover and start discovering them."""
    names = list((ctx.session.catalog or {}).get("schemas", []))
    try:
        selection = parsing.parse_stream_selection(text, names)
    except parsing.SelectionError as exc:
        raise FlowError(f"{exc} The schemas are: {', '.join(names[:_SHOWN])}.") from None
    chosen = list(selection.names)
    if not chosen:
        raise FlowError('Name at least one schema, or say "all".')
    # Every schema is kept as "" (not a list), so schemas created later are found too.
    ctx.session.answers[SCOPE_FIELD] = ",".join(chosen) if len(chosen) < len(names) else ""
    ctx.session.asked = None
    ctx.session.catalog = None
    which = "every schema" if len(chosen) == len(names) else human_list(shorten(chosen, 5))
    ctx.say(f"Looking at {which}…")
    ctx.start_task = "discover"
