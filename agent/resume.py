"""Resuming a paused source from the chat: "resume", "resume orders-db".

A source is paused after repeated failed pulls (``data_sources.pause_source_after_failures``)
and a pending item says so. Resuming is the REST call ``POST …/resume``; the chat offers the
same, in any state except at a secret prompt (a password may read "resume…"). With no name
and exactly one paused source, that one is meant.
"""

from __future__ import annotations

import re

from agent.context import TurnContext
from agent.flow import FlowError
from connections.schemas import DataSourceOut
from core.roles import Role

__all__ = ["resume", "resume_target"]

_RESUME = re.compile(
    r"(?:please\s+)?(?:resume|unpause|un-pause|reactivate)"
    r"(?:\s+(?:the\s+)?(?:source\s+)?(?P<name>.+?))?[.!]?",
    re.IGNORECASE,
)


def resume_target(ctx: TurnContext, text: str) -> str | None:
    """The source named by a resume request ("" for none named), or ``None`` if it is not one."""
    if ctx.asking_secret():
        return None
    match = _RESUME.fullmatch(text.strip())
    if match is None:
        return None
    return (match.group("name") or "").strip().strip("\"'")


async def resume(ctx: TurnContext, name: str) -> None:
    """Resume the paused source ``name`` (its name or id), or say which ones are paused."""
    page = await ctx.client.list_sources(ctx.session.agent_id or "", role=Role.INVENTORY_SOURCE)
    paused = [s for s in page.items if s.status == "paused"]
    source = _pick(page.items, paused, name)
    if source.status != "paused":
        ctx.say(f'"{source.name}" is not paused; it is pulled on its schedule.')
        return
    resumed = await ctx.client.resume_source(ctx.session.agent_id or "", source.id)
    ctx.say(
        f'Resumed "{resumed.name}": its failure count is cleared and it will be pulled on its '
        "schedule again. The pending item about it can be resolved once a pull succeeds."
    )


def _pick(sources: list[DataSourceOut], paused: list[DataSourceOut], name: str) -> DataSourceOut:
    if not name:
        if len(paused) == 1:
            return paused[0]
        if not paused:
            raise FlowError("No source of this agent is paused.")
        raise FlowError(_which(paused))
    low = name.casefold()
    for source in sources:
        if low in (source.id.casefold(), source.name.casefold()):
            return source
    raise FlowError(f'I found no source called "{name}". ' + (_which(paused) if paused else ""))


def _which(paused: list[DataSourceOut]) -> str:
    names = ", ".join(f'"{s.name}"' for s in paused[:5])
    return f'Which one? Paused: {names}. Say for example "resume {paused[0].name}".'
