"""The name a new source or sink is saved under: proposed, shown, changed, never a dead end.

Names are unique per agent (sources and sinks share them). The chat proposes one from what
is being connected, "PostgreSQL test on db.example.com" or "S3 acme/daily-uploads/", made
unique against the agent's names it can see (" (2)", " (3)" …), shows it in the review, and
takes "call it …" or "change the name to …" at any step once the type is known. A name taken
meanwhile (by another person, or beyond the first page of names) turns into a question at
EXECUTE instead of a "try again" loop.
"""

from __future__ import annotations

from agent.context import TurnContext
from agent.flow import FlowError, target_of
from agent.prompts import render

__all__ = ["NAME", "ask_for_another_name", "proposed_name", "rename"]

NAME = "name"
"""Where the person's own name is kept in the session's answers (not a connector field)."""
_MAX = 200


def proposed_name(ctx: TurnContext, *, confirmed: bool = False) -> str:
    """The name it will be saved under: the person's, or a proposal not yet taken.

    Args:
        ctx: The turn.
        confirmed: Creating now: the proposal the review showed, not a new one.
    """
    own = ctx.session.answers.get(NAME)
    if own:
        return str(own)
    if confirmed and ctx.session.proposed_name:
        return ctx.session.proposed_name
    base = _describe(ctx)[:_MAX]
    taken = {n.lower() for n in ctx.taken_names}
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: _MAX - len(suffix)] + suffix, n + 1
    return name


def rename(ctx: TurnContext, value: str | None) -> None:
    """Take the person's name for it."""
    if ctx.session.connector_type is None:
        raise FlowError(render("errors/name_needs_type"))
    name = (value or "").strip()
    if not name:
        raise FlowError(render("errors/which_name_to_use"))
    if len(name) > _MAX:
        raise FlowError(render("errors/name_too_long", most=_MAX))
    ctx.session.answers[NAME] = name
    if ctx.session.asked == NAME:
        ctx.session.asked = None
    ctx.say(render("named", name=name))


def ask_for_another_name(ctx: TurnContext, taken: str) -> None:
    """The name was taken when creating: ask for another, proposing one that is free."""
    ctx.session.answers.pop(NAME, None)
    ctx.session.proposed_name = None
    ctx.taken_names = ctx.taken_names | {taken}
    suggestion = proposed_name(ctx)
    ctx.session.asked = NAME
    kind = "sink" if ctx.is_sink else "source"
    ctx.say(render("name_taken", taken=taken, kind=kind, suggestion=suggestion))
    ctx.options = [suggestion, "Cancel"]


def _describe(ctx: TurnContext) -> str:
    answers = ctx.session.answers
    connector = ctx.connector
    label = connector.label.split(" /")[0] if connector else (ctx.session.connector_type or "")
    if ctx.is_sink:
        target = target_of(ctx).removeprefix("s3://").removeprefix("https://").rstrip("/")
        return f"Results to {target}"
    if "database" in answers and "host" in answers:
        return f"{label} {answers['database']} on {answers['host']}"
    target = target_of(ctx).removeprefix("s3://").removeprefix("https://")
    return f"{label} {target}"
