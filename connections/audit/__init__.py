"""The audit log: every change to a tenant's objects, hash-chained per tenant.

Each event stores ``prev_hash``, the ``hash`` of the tenant's previous event (64 zeros for
the first), and ``hash``, the SHA-256 of its own canonical JSON (see
:func:`~connections.audit.chain.event_hash`). ``audit_heads`` holds each tenant's last
``seq`` and ``hash``; appends lock that row, so the chain never forks, and it is how a
removed newest event is noticed. Deployment-wide events (vault key rotation) have a chain
of their own, :data:`SYSTEM_TENANT`. :func:`verify` recomputes everything; ``ingestion-agent
audit verify`` runs it over the whole database.
"""

from connections.audit.chain import (
    GENESIS_HASH,
    HASHED_FIELDS,
    SYSTEM_TENANT,
    event_hash,
    list_events,
    record,
)
from connections.audit.verification import Problem, VerifyReport, verify, verify_command

__all__ = [
    "GENESIS_HASH",
    "HASHED_FIELDS",
    "SYSTEM_TENANT",
    "Problem",
    "VerifyReport",
    "event_hash",
    "list_events",
    "record",
    "verify",
    "verify_command",
]
