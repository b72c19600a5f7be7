"""DISCOVER_SCHEMA: which schemas to discover, asked before discovering a database with many.

A database's connection check reports its schemas and how many tables each holds
(``details["schemas"]``). When more than :data:`ASK_ABOVE` of them hold tables and the
person has not named any, the agent asks first: discovering one schema of a large warehouse
is quicker for everyone than listing every table of every schema and then searching.

The answer is not final. The schema counts stay in the session's catalog (``scope``), so
"back" from the stream list asks again, and a stream phrase that names a schema left out
("add inventory", "inventory.products", "look at the inventory schema too") widens the scope
at once: discovery runs again and the phrase is applied to what it finds (``pending``).
"""

from __future__ import annotations

import difflib
import re
from typing import Any, ClassVar

from agent import parsing
from agent.context import TurnContext
from agent.flow import FlowError, move
from agent.message import Message
from agent.prompts import render
from agent.steps.base import Step
from agent.streams import shorten
from core.wording import human_list
from fsm import EditTarget, Event, State

__all__ = [
    "ASK_ABOVE",
    "SCOPE_FIELD",
    "DiscoverSchema",
    "answer_scope",
    "ask_scope",
    "change_scope",
    "scope_of",
    "widen_scope",
]

ASK_ABOVE = 3
SCOPE_FIELD = "schemas"
_SHOWN = 10
_KEPT = frozenset({"key", "streams"})
# How close a word must be to a schema's name to be taken for that name mistyped.
_TYPO_CUTOFF = 0.75


class DiscoverSchema(Step):
    """Discovery, and the schema question that may come before it."""

    state: ClassVar[State] = State.DISCOVER_SCHEMA
    where: ClassVar[str] = "I'm looking for what there is to pull."

    def ask(self, ctx: TurnContext) -> None:
        """Ask the schema question again ("back" from the stream list)."""
        if not ask_scope(ctx, {"schemas": scope_of(ctx)}, again=True):
            raise FlowError(render("errors/no_step_before"))

    async def answer(self, ctx: TurnContext, message: Message) -> None:
        """The schemas to discover, or "still working" while discovery runs."""
        if ctx.session.asked == SCOPE_FIELD:
            answer_scope(ctx, message.text)
        else:
            await super().answer(ctx, message)


def scope_of(ctx: TurnContext) -> dict[str, int | None]:
    """The schemas the person was asked to choose from, with their table counts."""
    scope = (ctx.session.catalog or {}).get("scope")
    return dict(scope) if isinstance(scope, dict) else {}


def ask_scope(ctx: TurnContext, details: dict[str, Any], *, again: bool = False) -> bool:
    """Ask for the schema scope when it is worth asking; True when asked.

    Args:
        ctx: The turn.
        details: The connection check's details (``schemas``: name -> table count).
        again: Ask even though the scope was answered ("back" from the stream list).
    """
    schemas = details.get("schemas")
    if (
        not isinstance(schemas, dict)
        or ctx.field(SCOPE_FIELD) is None
        or (SCOPE_FIELD in ctx.session.answers and not again)
    ):
        return False
    ranked = sorted(schemas.items(), key=lambda item: (-(item[1] or 0), item[0]))
    # A schema known to hold no table is no answer worth offering (a count of None is
    # unknown: the user may lack the statistics, not the tables).
    worth = [(name, count) for name, count in ranked if count != 0]
    if len(worth) <= ASK_ABOVE:
        return False
    # What was discovered stays, under its key: the same answer again is not rediscovered.
    kept = {k: v for k, v in (ctx.session.catalog or {}).items() if k in _KEPT}
    ctx.session.catalog = {**kept, "scope": dict(ranked)}
    ctx.session.answers.pop(SCOPE_FIELD, None)
    ctx.session.asked = SCOPE_FIELD
    first = worth[0][0]
    ctx.say(
        render(
            "ask_scope",
            total=len(ranked),
            empty=len(ranked) - len(worth),
            shown=[{"name": n, "count": c} for n, c in worth[:_SHOWN]],
            more=max(0, len(worth) - _SHOWN),
            example=", ".join(name for name, _ in worth[:2]),
            pattern=f"{first.split('_')[0]}_*",
        )
    )
    ctx.options = ["All", *[name for name, _ in worth[:4]]]
    ctx.input_type = "multi_choice"
    return True


def answer_scope(ctx: TurnContext, text: str) -> None:
    """Take the schemas to discover and start discovering them.

    A phrase about tables ("all of sales except refunds", "orders from public") scopes to the
    schemas it names and is applied to the tables once they are found. One that names tables
    but no schema ("line_items and refunds", "fact_*") discovers every schema and picks from
    all of them; a word close to a schema's name ("pubic") is asked about instead.
    """
    names = list(scope_of(ctx))
    pending = None
    try:
        chosen = list(parsing.parse_stream_selection(text, names).names)
    except parsing.SelectionError as exc:
        if _misspelt(exc.unmatched, names):
            shown = [n for n, c in scope_of(ctx).items() if c != 0]
            raise FlowError(_unknown_schema(exc, shown)) from None
        chosen = _named_schemas(text, names) or names
        pending = text
    if not chosen:
        raise FlowError(render("errors/name_a_schema"))
    _discover(ctx, chosen, names, pending)


def _names_elsewhere(ctx: TurnContext, text: str) -> bool:
    """Whether ``text`` names streams not discovered that are no near miss of one that was."""
    streams = [str(s["name"]) for s in (ctx.session.catalog or {}).get("streams", [])]
    try:
        parsing.parse_stream_selection(text, streams)
    except parsing.SelectionError as exc:
        words = [w.rpartition(".")[2] for w in exc.unmatched if not re.fullmatch(r"[#\d-]+", w)]
        parts = sorted({n.rpartition(".")[2].lower() for n in streams})
        return bool(words) and not _misspelt(tuple(words), parts)
    return False


def _unknown_schema(exc: parsing.SelectionError, names: list[str]) -> str:
    """Why a word is no schema: the schemas, and the one it was probably meant to be."""
    lower = {n.lower(): n for n in names}
    close = [
        lower[hits[0]]
        for word in exc.unmatched
        if (hits := difflib.get_close_matches(word.lower(), list(lower), n=1, cutoff=_TYPO_CUTOFF))
    ]
    return render("errors/unknown_schema", unmatched=list(exc.unmatched), names=names, close=close)


def _misspelt(unmatched: tuple[str, ...], names: list[str]) -> bool:
    """Whether a word that matched no schema looks like one of them mistyped."""
    lower = [n.lower() for n in names]
    return any(
        difflib.get_close_matches(word.lower(), lower, n=1, cutoff=_TYPO_CUTOFF)
        for word in unmatched
    )


def widen_scope(ctx: TurnContext, text: str) -> bool:
    """Discover again when a stream phrase names a schema left out; True when it did.

    A phrase naming a table found nowhere in the schemas discovered ("refunds" while only
    public was) looks in the schemas left out, unless the name is a near miss of one found
    ("custmers"): that is a typo, named back to the person instead.
    """
    names = list(scope_of(ctx))
    if not names:
        return False
    current = _current(ctx, names)
    added = [n for n in _named_schemas(text, names) if n not in current]
    if not added and _names_elsewhere(ctx, text):
        added = [n for n in names if n not in current]
    if not added:
        return False
    move(ctx, Event.EDIT, edit=EditTarget.SCOPE)
    _discover(ctx, [n for n in names if n in current or n in added], names, text)
    return True


def change_scope(ctx: TurnContext, value: str | None) -> None:
    """Discover the schemas a "change the schemas to …" names, at once."""
    names = list(scope_of(ctx))
    if not value:
        raise FlowError(render("errors/name_a_schema"))
    if names:
        try:
            chosen = list(parsing.parse_stream_selection(value, names).names)
        except parsing.SelectionError as exc:
            raise FlowError(_unknown_schema(exc, names[:_SHOWN])) from None
    else:
        chosen = [n.strip() for n in re.split(r"[,\s]+", value) if n.strip()]
    if State(ctx.session.state) is not State.DISCOVER_SCHEMA:
        move(ctx, Event.EDIT, edit=EditTarget.SCOPE)
    _discover(ctx, chosen, names or chosen, None)


def _discover(ctx: TurnContext, chosen: list[str], names: list[str], pending: str | None) -> None:
    # Every schema is kept as "" (not a list), so schemas created later are found too.
    everything = set(chosen) >= set(names)
    ctx.session.answers[SCOPE_FIELD] = "" if everything else ",".join(chosen)
    ctx.session.asked = None
    catalog = {k: v for k, v in (ctx.session.catalog or {}).items() if k in _KEPT}
    if scope_of(ctx):
        catalog["scope"] = scope_of(ctx)
    if pending:
        catalog["pending"] = pending
    ctx.session.catalog = catalog or None
    ctx.session.selected_streams = []
    which = "every schema" if everything else human_list(shorten(chosen, 5))
    ctx.say(render("looking_at", which=which))
    ctx.start_task = "discover"


def _current(ctx: TurnContext, names: list[str]) -> set[str]:
    answer = str(ctx.session.answers.get(SCOPE_FIELD) or "")
    return set(names) if not answer else {n.strip() for n in answer.split(",")}


def _named_schemas(text: str, names: list[str]) -> list[str]:
    """The schemas ``text`` names as words or as the first part of ``schema.table``."""
    low = text.lower()
    return [n for n in names if re.search(rf"(?<![\w.]){re.escape(n.lower())}(?![\w])", low)]
