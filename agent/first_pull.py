"""The first pull after creating a source: started at once, followed, its outcome said.

EXECUTE asks the connection service for a pull with trigger ``initial``. The reply says so
and carries ``data.task`` (step "initial pull"), like a connection test, so every face
shows progress. A background task polls the sync until it ends and then says what came
in, as the agent's next message. The follower never holds the session lock while it
waits, and messages sent meanwhile are answered at once (unlike a test, nothing in the
conversation waits for a pull). If the pull cannot start, the source still exists and the
reply says so.
"""

from __future__ import annotations

import asyncio
from typing import Any

from agent.context import TurnContext
from agent.prompts import render
from connections.client import ConnectionClient
from connections.errors import ServiceError
from connections.schemas import SyncOut
from core.wording import human_bytes

__all__ = ["STEP", "report", "start", "wait"]

STEP = "initial pull"
_ENDED = frozenset({"succeeded", "partial", "failed", "cancelled"})
_FIRST_LOOK = 0.05


async def start(ctx: TurnContext, source_id: str) -> str:
    """Queue the first pull of ``source_id``; return a note for the reply.

    On success the turn starts the follower (``ctx.start_task = "pull"``).
    """
    try:
        sync = await ctx.client.pull_source(
            ctx.session.agent_id or "", source_id, trigger="initial"
        )
    except ServiceError as exc:
        return f"The first pull could not start ({exc.message}); it will run on the schedule."
    ctx.pull = (source_id, sync.id)
    ctx.start_task = "pull"
    return f"The first pull has started ({sync.id}); I'll tell you when it is done."


async def wait(
    client: ConnectionClient,
    agent_id: str,
    source_id: str,
    sync_id: str,
    *,
    poll: float = 1.0,
    within: float = 900.0,
) -> SyncOut | None:
    """Poll the sync until it ends; ``None`` when it is still running after ``within``.

    The first looks come quickly and then slow down to one per ``poll`` seconds: a small
    first pull is reported a moment after it ends, a long one costs one request a second.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    pause = min(_FIRST_LOOK, poll)
    while loop.time() < deadline:
        await asyncio.sleep(pause)
        pause = min(pause * 2, poll)
        sync = await client.get_sync(agent_id, source_id, sync_id)
        if sync.status in _ENDED:
            return sync
    return None


def report(ctx: TurnContext, source_id: str, sync_id: str, sync: SyncOut | None) -> bool:
    """Say how the first pull went, if the person is still looking at that source."""
    if ctx.session.result is None or ctx.session.result.id != source_id:
        return False  # started over meanwhile: the outcome is in the source's syncs
    context: dict[str, Any] = {"sync_id": sync_id, "status": None}
    if sync is not None:
        entries = [e for e in sync.manifest if e.get("status") == "uploaded"]
        context.update(
            status=sync.status,
            files=len(entries),
            size=human_bytes(sync.bytes),
            records=sync.records,
            error=sync.error,
        )
    ctx.say(render("first_pull", **context))
    ctx.options = ["Start over"]
    return False
