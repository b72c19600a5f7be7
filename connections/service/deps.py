"""Moved to :mod:`connections.deps`.

This name stays only until ``connections/sync`` imports from there (its refactor, issue 14
item 5, is in flight); import from ``connections.deps``.
"""

from connections.deps import ServiceDeps, audited_by

__all__ = ["ServiceDeps", "audited_by"]
