"""Counting failed pulls: after the agent's limit in a row, pause, file an item, tell people.

The limit is the agent's rule ``data_sources.pause_source_after_failures`` (3 by default).
A failed pull adds one; a succeeded or partial pull (the source answered; single objects
failed) starts the count again. Reaching the limit pauses the source (schedules skip it,
manual pulls are refused until it is resumed), files a ``DATA_SOURCE_PULL_FAILED`` pending
item and returns the :class:`PauseNotice` for the agent's notification channels.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from connections.db.models import Agent, DataSource, PendingItem
from connections.deps import audited_by
from connections.rules import RuleSet
from connections.sync.manifest import SyncStatus
from core.ids import new_id
from core.redaction import redact_text

__all__ = ["PULL_FAILED", "SYSTEM_ACTOR", "PauseNotice", "count_outcome"]

PULL_FAILED = "DATA_SOURCE_PULL_FAILED"
SYSTEM_ACTOR = "system"


@dataclass(frozen=True)
class PauseNotice:
    """A source was paused after failed pulls: what the channels are told."""

    tenant_id: str
    agent_id: str
    agent_name: str
    source_id: str
    source_name: str
    pending_item_id: str
    failures: int
    error: str | None
    sync_id: str
    at: datetime

    def text(self) -> str:
        """The message in words (a Slack message, a pending item)."""
        last = f" The last error: {self.error}" if self.error else ""
        return (
            f"Data source \u201c{self.source_name}\u201d of agent \u201c{self.agent_name}\u201d "
            f"was paused after {self.failures} failed pulls in a row.{last} Fix the cause, "
            f"then resume it (say \u201cresume {self.source_name}\u201d in the chat, or "
            f"POST /api/v1/agents/{self.agent_id}/data-sources/{self.source_id}/resume)."
        )

    def payload(self) -> dict[str, Any]:
        """The JSON of a webhook notification (Standard Webhooks' ``type``/``data`` shape)."""
        return {
            "type": "data_source.paused",
            "timestamp": self.at.isoformat(),
            "data": {
                "agentId": self.agent_id,
                "sourceId": self.source_id,
                "sourceName": self.source_name,
                "pendingItemId": self.pending_item_id,
                "kind": PULL_FAILED,
                "consecutiveFailures": self.failures,
                "syncId": self.sync_id,
                "error": self.error,
                "message": self.text(),
            },
        }


async def count_outcome(
    db: AsyncSession,
    source: DataSource,
    agent: Agent,
    *,
    status: SyncStatus,
    error: str | None,
    sync_id: str,
    now: datetime,
) -> PauseNotice | None:
    """Update the source's failure count (in ``db``'s transaction); pause at the limit.

    Returns:
        The notice to send once the transaction is committed, if the source was paused.
    """
    if status in (SyncStatus.SUCCEEDED, SyncStatus.PARTIAL):
        source.consecutive_failures = 0
        return None
    if status is not SyncStatus.FAILED:
        return None
    source.consecutive_failures = (source.consecutive_failures or 0) + 1
    limit = RuleSet.model_validate(agent.rules or {}).data_sources.pause_source_after_failures
    if source.status == "paused" or source.consecutive_failures < limit:
        return None
    source.status = "paused"
    error = redact_text(error) if error else None
    notice = PauseNotice(
        tenant_id=source.tenant_id,
        agent_id=agent.id,
        agent_name=agent.name,
        source_id=source.id,
        source_name=source.name,
        pending_item_id=new_id("pnd"),
        failures=source.consecutive_failures,
        error=error,
        sync_id=sync_id,
        at=now,
    )
    db.add(
        PendingItem(
            id=notice.pending_item_id,
            tenant_id=source.tenant_id,
            agent_id=agent.id,
            source_id=source.id,
            kind=PULL_FAILED,
            status="open",
            message=notice.text(),
            created_at=now,
        )
    )
    await audited_by(
        db,
        source.tenant_id,
        SYSTEM_ACTOR,
        "data_source.pause",
        source.id,
        details={
            "reason": "pull_failures",
            "consecutiveFailures": source.consecutive_failures,
            "pendingItemId": notice.pending_item_id,
        },
    )
    return notice
