"""Periodic clean-up: expired staged secrets and old idempotency keys."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import structlog

from connections.idempotency import IdempotencyStore
from connections.service import ConnectionService

__all__ = ["Housekeeping"]

log = structlog.get_logger(__name__)


@dataclass
class Housekeeping:
    """Runs :meth:`sweep` every ``interval`` seconds until cancelled."""

    service: ConnectionService
    idempotency: IdempotencyStore
    interval: float = 300.0

    async def sweep(self) -> tuple[int, int]:
        """One pass: (staged secrets purged, idempotency keys forgotten)."""
        async with self.service.deps.database() as db:
            secrets = await self.service.deps.vault.purge_expired(db)
            await db.commit()
        keys = await self.idempotency.purge()
        if secrets or keys:
            log.info("housekeeping_swept", staged_secrets=secrets, idempotency_keys=keys)
        return secrets, keys

    async def run(self) -> None:
        """Sweep forever; a failed sweep is logged and retried at the next interval."""
        while True:
            try:
                await self.sweep()
            except Exception:  # keep sweeping: the next pass may succeed
                log.exception("housekeeping_failed")
            await asyncio.sleep(self.interval)
