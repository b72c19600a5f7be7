"""A sync's manifest (seed 001's shape) and the outcome a pull hands to its finish.

Each entry is ``{"key", "size", "status", "inventoryId"}`` plus ``etag`` and ``error`` where
they apply::

    {"key": "daily-uploads/2026-05-25/booking.csv", "size": 2451231, "status": "uploaded",
     "inventoryId": "inv_01J...", "etag": "9b2cf535f27731c974343645a3985328"}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from core.redaction import redact_text

__all__ = ["EntryStatus", "Outcome", "SyncStatus", "entry"]


class EntryStatus(StrEnum):
    """What happened to one object of a sync."""

    UPLOADED = "uploaded"
    SKIPPED = "skipped"
    FAILED = "failed"
    PUSHED = "pushed"


class SyncStatus(StrEnum):
    """Where a sync stands (DESIGN §13)."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    PARTIAL = "partial"
    FAILED = "failed"
    CANCELLED = "cancelled"


def entry(
    key: str,
    size: int,
    status: EntryStatus,
    *,
    inventory_id: str | None = None,
    etag: str | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    """One manifest entry; ``error`` passes the redaction on its way in."""
    item: dict[str, Any] = {
        "key": key,
        "size": size,
        "status": status.value,
        "inventoryId": inventory_id,
    }
    if etag is not None:
        item["etag"] = etag
    if error is not None:
        item["error"] = redact_text(error)
    return item


@dataclass
class Outcome:
    """What a pull did, for the sync row and the source.

    Attributes:
        manifest: Entries in the order the objects were taken.
        bytes: Bytes uploaded to the inventory.
        records: Records in the uploads, where known (table extracts; files are counted
            when jobs parse them).
        error: A source-level failure (the listing failed, say); the sync failed.
        state: The source's new ``state`` to store when the sync ends, or None to keep it
            (table extracts store theirs with each upload).
        seen: ``(key, etag, last_modified)`` of objects to remember without an upload
            (deleted since they were listed).
        prune_before: Forget seen objects modified before this when the sync ends (the
            start of the look-back window behind the newest object listed), if set.
    """

    manifest: list[dict[str, Any]] = field(default_factory=list)
    bytes: int = 0
    records: int = 0
    error: str | None = None
    state: dict[str, Any] | None = None
    seen: list[tuple[str, str, Any]] = field(default_factory=list)
    prune_before: datetime | None = None

    @property
    def failures(self) -> int:
        """Entries that failed."""
        return sum(1 for e in self.manifest if e["status"] == EntryStatus.FAILED)

    @property
    def uploads(self) -> int:
        """Entries uploaded."""
        return sum(1 for e in self.manifest if e["status"] == EntryStatus.UPLOADED)

    def status(self) -> SyncStatus:
        """Succeeded, partial (some objects failed, some arrived) or failed."""
        if self.error is not None:
            return SyncStatus.FAILED
        if not self.failures:
            return SyncStatus.SUCCEEDED
        return SyncStatus.PARTIAL if self.uploads else SyncStatus.FAILED

    def summary(self) -> str | None:
        """The sync's ``error`` column: the failure, or how many objects failed."""
        if self.error is not None:
            return redact_text(self.error)
        failed = self.failures
        if not failed:
            return None
        first = next(e.get("error") for e in self.manifest if e["status"] == EntryStatus.FAILED)
        total = len(self.manifest)
        return redact_text(f"{failed} of {total} object(s) failed; the first: {first}")
