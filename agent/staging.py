"""Secrets on their way through a conversation: staged in the vault, kept alive, retyped.

A secret goes to the vault the moment it is typed (one staged secret per conversation, merged
field by field); the session keeps only the reference and a mask. Every turn keeps the staged
secret alive, so it expires one TTL after the conversation's last turn, not after it was
typed; one that expired anyway is asked for again, and only that one, where the
conversation stands.
"""

from __future__ import annotations

from agent.context import TurnContext
from agent.flow import FlowError
from agent.prompts import render
from agent.steps import STEPS
from agent.steps.gather import store_answers
from connections.client import ConnectionClient
from connections.errors import NotFoundError, ValidationError
from core.redaction import register_secret
from core.wording import human_list
from fsm import State

__all__ = ["discard", "keep_alive", "retype", "stage"]


async def stage(ctx: TurnContext) -> None:
    """Send the secrets typed this turn to the vault; the session keeps only the reference."""
    pending, ctx.pending_secrets = ctx.pending_secrets, {}
    if not pending:
        return
    for value in pending.values():
        register_secret(value)
    refs = sorted(set(ctx.session.secret_refs.values()))
    staged = await ctx.client.stage_secret(
        pending, type_=ctx.session.connector_type, secret_ref=refs[0] if refs else None
    )
    for name in pending:
        ctx.session.secret_refs[name] = staged.secret_ref
        ctx.session.secret_masks[name] = staged.mask if len(pending) == 1 else "ia_****"


async def discard(client: ConnectionClient, refs: list[str]) -> None:
    """Delete staged secrets (a cancelled or ended conversation); gone ones are fine."""
    for ref in refs:
        try:
            await client.discard_secret(ref)
        except (NotFoundError, ValidationError):
            continue


async def keep_alive(ctx: TurnContext) -> bool:
    """Keep the session's staged secrets alive; True when one had expired and is asked for."""
    session = ctx.session
    expired: list[str] = []
    for ref in sorted(set(session.secret_refs.values())):
        try:
            await ctx.client.touch_secret(ref)
        except NotFoundError:
            expired += [name for name, r in session.secret_refs.items() if r == ref]
    if not expired:
        return False
    for name in expired:
        session.secret_refs.pop(name, None)
        session.secret_masks.pop(name, None)
    ctx.say(render("secret_expired", labels=human_list([ctx.label(n) for n in expired])))
    if State(session.state) is State.GATHER_CREDENTIALS:
        return False  # the turn goes on, and asks for what is missing
    session.asked = expired[0]
    ctx.say(render("retype_secret", label=ctx.label(expired[0])))
    ctx.input_type = "secret"
    ctx.options = ["Cancel"]
    return True


def retype(ctx: TurnContext, text: str) -> None:
    """Take a secret typed again after it expired, then ask this step's question again."""
    name = ctx.session.asked or ""
    if not text.strip():
        raise FlowError(render("errors/empty_secret", paste=False, label=ctx.label(name)))
    store_answers(ctx, {}, {name: text.strip()})
    ctx.session.asked = None
    ctx.say(render("secret_back", label=ctx.label(name)))
    STEPS[State(ctx.session.state)].ask(ctx)
