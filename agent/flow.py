"""The conversation's glue to the state machine: facts, moves, and the error said to people.

Steps (``agent/steps/``) decide what a message means in their state; they move the shared
``transitions`` machine only through :func:`move`, with the facts of the session.
"""

from __future__ import annotations

from agent.context import TurnContext
from fsm import EditTarget, Event, Facts, State, fire

__all__ = ["FlowError", "facts", "move", "target_of"]


class FlowError(Exception):
    """A message that cannot be used here; its text is said to the person."""


def facts(ctx: TurnContext, *, edit: EditTarget | None = None) -> Facts:
    """The guard inputs of the current session."""
    session = ctx.session
    return Facts(
        is_sink=ctx.is_sink,
        fields_complete=not ctx.missing(),
        last_test_failed=session.last_failure is not None,
        has_streams=bool(session.catalog and session.catalog.get("streams")),
        scoped=bool(session.catalog and session.catalog.get("scope")),
        edit_target=edit,
    )


def move(ctx: TurnContext, event: Event, *, edit: EditTarget | None = None) -> State:
    """Fire ``event`` on the shared machine and record the new state."""
    new = fire(State(ctx.session.state), event, facts(ctx, edit=edit))
    ctx.session.state = new.value
    return new


def target_of(ctx: TurnContext) -> str:
    """Where the connection points, in words, without secrets."""
    a = ctx.session.answers
    if ctx.session.connector_type == "S3":
        return f"s3://{a.get('bucket', '?')}/{a.get('prefix', '')}"
    if "url" in a:
        return str(a["url"]).split("?", 1)[0]
    if "host" in a:
        return f"{a['host']}:{a.get('port', '')}".rstrip(":")
    return ctx.connector.label if ctx.connector else "the service"
