"""What the connection service's parts share: the database, the vault, the connectors.

Also the helpers every part uses on them: tenant-scoped loads, audit records, pages.
The service, pulls, jobs and pushes import this module, not :mod:`connections.service`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from croniter import croniter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import DeclarativeBase

from connections import audit
from connections.errors import NotFoundError, ValidationError
from connections.identity import Identity
from connections.schemas import Pagination
from connections.vault import Vault
from connectors.base import ConnectorContext
from connectors.registry import ConnectorRegistry

__all__ = [
    "MAX_PAGE",
    "ServiceDeps",
    "audited",
    "audited_by",
    "delete_audited",
    "get_scoped",
    "page_query",
    "page_rows",
    "require_cron",
]

M = TypeVar("M", bound=DeclarativeBase)
MAX_PAGE = 200


@dataclass(frozen=True)
class ServiceDeps:
    """Shared collaborators, built once by :func:`connections.runtime.open_runtime`.

    Attributes:
        database: Opens a database session (SQLAlchemy), not a chat session.
        vault: Secrets, encrypted at rest.
        registry: The connector types.
        connector_context: The guard's network policy, TLS trust and timeouts.
    """

    database: async_sessionmaker[AsyncSession]
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
    await audited_by(db, who.tenant_id, who.user_id, action, object_id, details=details)


async def audited_by(
    db: AsyncSession,
    tenant_id: str,
    actor: str,
    action: str,
    object_id: str,
    *,
    details: Mapping[str, Any] | None = None,
) -> None:
    """:func:`audited` for work no user did: ``actor`` is ``system``, ``system:auto-push``."""
    await audit.record(
        db,
        tenant_id=tenant_id,
        actor=actor,
        action=action,
        object_type=action.split(".", 1)[0],
        object_id=object_id,
        details=details,
    )


async def delete_audited(
    db: AsyncSession,
    vault: Vault,
    who: Identity,
    row: Any,
    action: str,
    *,
    secret_ids: Iterable[str | None] | None = None,
) -> None:
    """Delete ``row``, then the vault secrets that were its own; audit ``action``.

    Everything happens in the caller's transaction; the caller commits.

    Args:
        db: The caller's session.
        vault: The vault holding the secrets.
        who: The caller.
        row: A source, sink, channel or agent.
        action: The audit action, e.g. ``data_source.delete``.
        secret_ids: The secrets to delete; by default the row's own ``secret_id``.
    """
    object_id = row.id
    if secret_ids is None:
        secret_ids = [row.secret_id]
    await db.delete(row)
    await db.flush()
    for secret_id in filter(None, secret_ids):
        await vault.delete(db, who.tenant_id, secret_id)
    await audited(db, who, action, object_id)


def page_query(
    query: Any, model: Any, limit: int, cursor: str | None, *, newest_first: bool = False
) -> Any:
    """Keyset pagination by id (ULIDs sort by creation time); one extra row tells if more.

    Oldest first unless ``newest_first`` (histories, where the latest matters most).
    """
    if limit < 1 or limit > MAX_PAGE:
        raise ValidationError(f"limit must be between 1 and {MAX_PAGE}.", field="limit")
    if cursor:
        query = query.where(model.id < cursor if newest_first else model.id > cursor)
    return query.order_by(model.id.desc() if newest_first else model.id).limit(limit + 1)


async def page_rows(db: AsyncSession, query: Any, limit: int) -> tuple[list[Any], Pagination]:
    """Run a :func:`page_query`: the page's rows and where the next page starts.

    The rows are result rows: the page's objects are their first elements.
    """
    rows = list((await db.execute(query)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, Pagination(limit=limit, next_cursor=rows[-1][0].id if more else None)


def require_cron(expression: str | None, field: str) -> None:
    """Check a cron expression.

    Raises:
        ValidationError: Naming ``field``, with an example of a valid expression.
    """
    if expression is not None and not croniter.is_valid(expression):
        raise ValidationError(
            f"{expression!r} is not a valid cron expression (e.g. '0 */6 * * *').", field=field
        )
