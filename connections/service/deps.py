"""What the service's parts share: the database, the vault, the connectors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from croniter import croniter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import DeclarativeBase

from connections import audit
from connections.errors import NotFoundError, ValidationError
from connections.identity import Identity
from connections.vault import Vault
from connectors.base import ConnectorContext
from connectors.registry import ConnectorRegistry

__all__ = ["MAX_PAGE", "ServiceDeps", "audited", "get_scoped", "page_query", "require_cron"]

M = TypeVar("M", bound=DeclarativeBase)
MAX_PAGE = 200


@dataclass(frozen=True)
class ServiceDeps:
    """Shared collaborators, built once by the application."""

    sessions: async_sessionmaker[AsyncSession]
    vault: Vault
    registry: ConnectorRegistry
    connector_context: ConnectorContext


async def get_scoped(
    db: AsyncSession, model: type[M], tenant_id: str, object_id: str, what: str, **where: Any
) -> M:
    """Load ``object_id`` of ``model`` within the tenant.

    Raises:
        NotFoundError: Missing, or another tenant's: the two are indistinguishable.
    """
    query = select(model).where(
        model.id == object_id,  # type: ignore[attr-defined]
        model.tenant_id == tenant_id,  # type: ignore[attr-defined]
    )
    for column, value in where.items():
        query = query.where(getattr(model, column) == value)
    row = (await db.execute(query)).scalar_one_or_none()
    if row is None:
        raise NotFoundError(f"No {what} with id {object_id}.")
    return row


async def audited(
    db: AsyncSession,
    who: Identity,
    action: str,
    object_id: str,
    details: Mapping[str, Any] | None = None,
) -> None:
    """Record ``action`` (``agent.create``, ``secret.store``, ...) by ``who`` in the audit log.

    The object type is the action's first part; the event commits with the caller's change.
    """
    await audit.record(
        db,
        tenant_id=who.tenant_id,
        actor=who.user_id,
        action=action,
        object_type=action.split(".", 1)[0],
        object_id=object_id,
        details=details,
    )


def page_query(query: Any, model: Any, limit: int, cursor: str | None) -> Any:
    """Keyset pagination by id (ULIDs sort by creation time); one extra row tells if more."""
    if limit < 1 or limit > MAX_PAGE:
        raise ValidationError(f"limit must be between 1 and {MAX_PAGE}.", field="limit")
    if cursor:
        query = query.where(model.id > cursor)
    return query.order_by(model.id).limit(limit + 1)


def require_cron(expression: str | None, field: str) -> None:
    """Check a cron expression.

    Raises:
        ValidationError: Naming ``field``, with an example of a valid expression.
    """
    if expression is not None and not croniter.is_valid(expression):
        raise ValidationError(
            f"{expression!r} is not a valid cron expression (e.g. '0 */6 * * *').", field=field
        )
