"""The connection service: what other packages may use of it (DESIGN.md section 8).

The agent reaches the service only through a :class:`ConnectionClient` (in this process,
or over HTTP to a separate service process); the faces open it with :func:`open_runtime`.
Request and response bodies are the REST contract in :mod:`connections.schemas`.

Errors have one root, :class:`ServiceError`, which ``api/errors.py`` maps to statuses::

    ServiceError
    ├── NotFoundError          404
    ├── PermissionDeniedError  403
    ├── UnauthenticatedError   401
    ├── ValidationError        422
    ├── ConflictError          409
    ├── IdempotencyError       422
    ├── CheckFailedError       422 (a save-time connection check failed)
    ├── ConnectorFailedError   by failure class (a connector's failure, via the client)
    ├── UnavailableError       503
    └── VaultError             500

Inventory files fail apart from requests: :class:`InventoryError` (location, missing).

Names are imported on first use, so importing one submodule (``connections.errors``) does
not load the whole service.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from connections.client import ConnectionClient, HttpClient, InProcessClient
    from connections.deps import ServiceDeps
    from connections.errors import (
        CheckFailedError,
        ConflictError,
        ConnectorFailedError,
        IdempotencyError,
        NotFoundError,
        PermissionDeniedError,
        ServiceError,
        UnauthenticatedError,
        UnavailableError,
        ValidationError,
    )
    from connections.housekeeping import Housekeeping
    from connections.idempotency import IdempotencyStore
    from connections.identity import Identity, Permission, RoleMap
    from connections.inventory import (
        InventoryError,
        InventoryLocationError,
        InventoryMissingError,
        InventoryStore,
    )
    from connections.runtime import Runtime, open_runtime
    from connections.service import ConnectionService
    from connections.vault import VaultError

_WHERE = {
    "CheckFailedError": "connections.errors",
    "ConflictError": "connections.errors",
    "ConnectorFailedError": "connections.errors",
    "ConnectionClient": "connections.client",
    "ConnectionService": "connections.service",
    "Housekeeping": "connections.housekeeping",
    "HttpClient": "connections.client",
    "IdempotencyError": "connections.errors",
    "IdempotencyStore": "connections.idempotency",
    "Identity": "connections.identity",
    "InProcessClient": "connections.client",
    "InventoryError": "connections.inventory",
    "InventoryLocationError": "connections.inventory",
    "InventoryMissingError": "connections.inventory",
    "InventoryStore": "connections.inventory",
    "NotFoundError": "connections.errors",
    "Permission": "connections.identity",
    "PermissionDeniedError": "connections.errors",
    "RoleMap": "connections.identity",
    "Runtime": "connections.runtime",
    "ServiceDeps": "connections.deps",
    "ServiceError": "connections.errors",
    "UnauthenticatedError": "connections.errors",
    "UnavailableError": "connections.errors",
    "ValidationError": "connections.errors",
    "VaultError": "connections.vault",
    "open_runtime": "connections.runtime",
}

__all__ = [
    "CheckFailedError",
    "ConflictError",
    "ConnectionClient",
    "ConnectionService",
    "ConnectorFailedError",
    "Housekeeping",
    "HttpClient",
    "IdempotencyError",
    "IdempotencyStore",
    "Identity",
    "InProcessClient",
    "InventoryError",
    "InventoryLocationError",
    "InventoryMissingError",
    "InventoryStore",
    "NotFoundError",
    "Permission",
    "PermissionDeniedError",
    "RoleMap",
    "Runtime",
    "ServiceDeps",
    "ServiceError",
    "UnauthenticatedError",
    "UnavailableError",
    "ValidationError",
    "VaultError",
    "open_runtime",
]


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'connections' has no attribute {name!r}")
    value = getattr(importlib.import_module(where), name)
    globals()[name] = value
    return value
