"""Idempotency keys: a replayed create returns the first response, never a second object.

:meth:`IdempotencyStore.run` is the one place the steps are written (reserve the key, replay
or do the work, store the response or release the key); the REST dispatcher and the
in-process client both call it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connections.db.models import IdempotencyRecord
from connections.db.types import utcnow
from connections.errors import ConflictError, IdempotencyError, ValidationError

__all__ = ["IdempotencyStore", "StoredResponse"]

_IN_PROGRESS = 0
_MAX_KEY = 200


@dataclass(frozen=True)
class StoredResponse:
    """The first response to a key.

    Attributes:
        status: Its HTTP status.
        body: Its JSON body.
        location: Its ``Location`` header, if any.
        replayed: Whether it was stored by an earlier request with the same key.
    """

    status: int
    body: Any
    location: str | None
    replayed: bool = False


class IdempotencyStore:
    """Reserves a key before the work and stores the response after it."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        secret: bytes,
        *,
        keep_for: timedelta = timedelta(hours=24),
    ) -> None:
        self._sessions = sessions
        self._secret = secret
        self._keep_for = keep_for

    def fingerprint(self, method: str, path: str, body: Any) -> str:
        """A keyed hash of the request: bodies may hold secrets, so no plain hash is stored."""
        canonical = json.dumps([method, path, body], sort_keys=True, separators=(",", ":"))
        return hmac.new(self._secret, canonical.encode(), hashlib.sha256).hexdigest()

    async def begin(self, tenant_id: str, key: str, fingerprint: str) -> StoredResponse | None:
        """Reserve ``key``; return the stored response if the key was used before.

        Raises:
            ValidationError: The key is empty or too long.
            IdempotencyError: The key was used with a different request.
            ConflictError: The first request with this key is still running.
        """
        if not key or len(key) > _MAX_KEY:
            raise ValidationError(
                f"Idempotency-Key must be 1-{_MAX_KEY} characters.", field="Idempotency-Key"
            )
        async with self._sessions() as db:
            db.add(
                IdempotencyRecord(
                    tenant_id=tenant_id,
                    key=key,
                    fingerprint=fingerprint,
                    status_code=_IN_PROGRESS,
                    body={},
                )
            )
            try:
                await db.commit()
            except IntegrityError:
                await db.rollback()
            else:
                return None
            row = (
                await db.execute(
                    select(IdempotencyRecord).where(
                        IdempotencyRecord.tenant_id == tenant_id, IdempotencyRecord.key == key
                    )
                )
            ).scalar_one()
        if not hmac.compare_digest(row.fingerprint, fingerprint):
            raise IdempotencyError(
                "This Idempotency-Key was already used with a different request.",
                field="Idempotency-Key",
            )
        if row.status_code == _IN_PROGRESS:
            raise ConflictError("A request with this Idempotency-Key is still being processed.")
        return StoredResponse(
            status=row.status_code, body=row.body.get("body"), location=row.location, replayed=True
        )

    async def run(
        self,
        tenant_id: str,
        key: str,
        *,
        method: str,
        path: str,
        body: Any,
        work: Callable[[], Awaitable[StoredResponse]],
    ) -> StoredResponse:
        """Do ``work`` once per key: the first request's response, replayed after it.

        Args:
            tenant_id: Keys are per tenant.
            key: The client's ``Idempotency-Key``.
            method: The request's method, path and JSON body, fingerprinted (keyed hash)
                so that a key reused with another request is refused.
            path: See ``method``.
            body: See ``method``.
            work: Does the request and returns its response; when it raises, the key is
                released so that a retry can run.

        Returns:
            The response, with ``replayed`` set when it is an earlier request's.

        Raises:
            ValidationError: The key is empty or too long.
            IdempotencyError: The key was used with a different request.
            ConflictError: The first request with this key is still running.
        """
        stored = await self.begin(tenant_id, key, self.fingerprint(method, path, body))
        if stored is not None:
            return stored
        try:
            response = replace(await work(), replayed=False)
        except BaseException:
            await self.abandon(tenant_id, key)
            raise
        await self.finish(tenant_id, key, response.status, response.body, response.location)
        return response

    async def finish(
        self, tenant_id: str, key: str, status: int, body: Any, location: str | None
    ) -> None:
        """Store the response for replays."""
        async with self._sessions() as db:
            row = await db.get(IdempotencyRecord, (tenant_id, key))
            if row is not None:
                row.status_code = status
                row.body = {"body": body}
                row.location = location
                await db.commit()

    async def abandon(self, tenant_id: str, key: str) -> None:
        """Release a reservation whose request failed, so a retry can run."""
        async with self._sessions() as db:
            await db.execute(
                delete(IdempotencyRecord).where(
                    IdempotencyRecord.tenant_id == tenant_id,
                    IdempotencyRecord.key == key,
                    IdempotencyRecord.status_code == _IN_PROGRESS,
                )
            )
            await db.commit()

    async def purge(self) -> int:
        """Forget keys older than the retention period."""
        async with self._sessions() as db:
            result = await db.execute(
                delete(IdempotencyRecord).where(
                    IdempotencyRecord.created_at < utcnow() - self._keep_for
                )
            )
            await db.commit()
            return int(getattr(result, "rowcount", 0) or 0)
