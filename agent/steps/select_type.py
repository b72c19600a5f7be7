"""SELECT_SOURCE_TYPE: the connector from a name, alias, typo, number, or a whole DSN."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar

from agent import parsing
from agent.context import TurnContext
from agent.flow import FlowError, move
from agent.message import Message
from agent.named_type import role_for
from agent.prompts import render
from agent.steps.base import Step
from agent.steps.gather import after_answers, ask_next, store_answers
from connections.schemas import ConnectorTypeOut
from fsm import Event, State

__all__ = ["SelectType", "type_options"]

# What a URL said with the type looks like: a scheme, or a dotted host ("hooks.acme.io/in").
_URL_SHAPE = re.compile(r"://|^[\w-]+(?:\.[\w-]+)+")


def type_options(ctx: TurnContext) -> list[str]:
    """Quick replies for the type question."""
    options = [t.label for t in ctx.types if "INVENTORY_SOURCE" in t.roles]
    return [*options, "Send results to…"]


def _sink_types(ctx: TurnContext) -> list[ConnectorTypeOut]:
    return [t for t in ctx.types if "RESULTS_SINK" in t.roles]


def _numbered(ctx: TurnContext) -> list[str]:
    """The options on screen, which a number picks from: the sinks after "Send results to…"."""
    if ctx.session.role == "RESULTS_SINK":
        return [t.label for t in _sink_types(ctx)]
    return type_options(ctx)


class SelectType(Step):
    """What to connect."""

    state: ClassVar[State] = State.SELECT_SOURCE_TYPE
    where: ClassVar[str] = "We're choosing what to connect."

    def ask(self, ctx: TurnContext) -> None:
        """Ask for the type, offering every one."""
        ctx.session.connector_type = None
        ctx.session.role = None
        ctx.say(render("ask_type"))
        ctx.options = type_options(ctx)

    async def answer(self, ctx: TurnContext, message: Message) -> None:
        """Pick the connector; a DSN fills its fields too (and may start the test)."""
        text = message.text
        # Only the offered types' DSN schemes are read (the connection service serves them).
        dsn = parsing.parse_dsn(text, ctx.types)
        if dsn is not None:
            _from_dsn(ctx, message, dsn)
            return
        numbered = _numbered(ctx)
        if text.strip().isdigit() and 1 <= int(text) <= len(numbered):
            text = numbered[int(text) - 1]
        sink_words = text.lower().startswith("send results")
        # After "Send results to…", "the second one" is the second sink offered.
        offered = _sink_types(ctx) if ctx.session.role == "RESULTS_SINK" else ctx.types
        match = parsing.match_type(text, offered) or parsing.match_type(text, ctx.types)
        if match is None:
            if sink_words:
                ctx.say(render("ask_sink_type"))
                ctx.session.role = "RESULTS_SINK"
                ctx.options = [t.label for t in _sink_types(ctx)]
                return
            labels = [t.label for t in ctx.types]
            raise FlowError(render("errors/unknown_type", text=text.strip()[:60], labels=labels))
        # Words inside a pasted block ("Default output format") say nothing of the role.
        hint = parsing.detect_role(parsing.without_pasted(text)) if match.role else None
        _set_type(ctx, match.connector.type, hint.value if hint else ctx.session.role)
        _chosen(ctx, message)


def _from_dsn(ctx: TurnContext, message: Message, dsn: parsing.DsnMatch) -> None:
    """A DSN or URL names the type and fills its fields; the rest of the message may add more."""
    # "send results to https://..." is a sink; the URL's own path says nothing.
    start, end = dsn.span
    role = parsing.detect_role(message.text[:start] + " " + message.text[end:])
    _set_type(ctx, dsn.type, role.value if role else None)
    more = message.extraction  # "s3://acme/in/ endpoint ..., key id ..."
    values = {**(more.values if more else {}), **dsn.fields}
    secrets = {**(more.secret_values if more else {}), **dsn.secrets}
    stored = store_answers(ctx, values, secrets)
    connector = ctx.connector
    label = connector.label if connector else dsn.type
    summary = ", ".join(f"{ctx.label(k)} {v}" for k, v in values.items() if v)
    ctx.say(render("dsn_understood", label=label, summary=summary, stored_secrets=stored))
    # A DSN may carry everything: then the test starts at once.
    after_answers(ctx)


def _chosen(ctx: TurnContext, message: Message) -> None:
    """Say what is needed, taking what the same message already gives ("postgres, host db1")."""
    connector = ctx.connector
    assert connector is not None  # noqa: S101 - _set_type chose it
    given = message.extraction
    got: list[str] = []
    stored: list[str] = []
    if given is not None and given.names:
        values = _plausible(ctx, given.values)
        stored = store_answers(ctx, values, dict(given.secret_values))
        got = [ctx.label(k) for k in values if ctx.field(k) is not None]
    missing = ctx.missing()
    example = ", ".join(
        f"{f.name.replace('_', ' ')} {f.example}" for f in missing[:2] if f.example and not f.secret
    )
    ctx.say(
        render(
            "type_chosen",
            label=connector.label,
            is_sink=ctx.is_sink,
            needed=[f.label.lower() for f in missing],
            example=example,
        )
    )
    if not got and not stored:
        ask_next(ctx, intro=False)
        return
    ctx.say(render("got_fields", got=got, secret_stored=stored))
    after_answers(ctx)


def _plausible(ctx: TurnContext, values: Mapping[str, str]) -> dict[str, str]:
    """Values said with the type that look like values, not prose ("a callback url for ...")."""
    kept = {}
    for name, value in values.items():
        field = ctx.field(name)
        if field is None or len(value.split()) != 1:
            continue
        if field.kind == "url" and not _URL_SHAPE.search(value):
            continue
        kept[name] = value
    return kept


def _set_type(ctx: TurnContext, type_: str, role: str | None) -> None:
    connector = next(t for t in ctx.types if t.type == type_)
    ctx.session.connector_type = type_
    ctx.session.role = role_for(ctx, connector, role)
    move(ctx, Event.TYPE_CHOSEN)
