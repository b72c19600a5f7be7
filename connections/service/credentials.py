"""Moved to :mod:`connections.credentials`.

This name stays only until ``connections/sync`` imports from there (its refactor, issue 14
item 5, is in flight); import from ``connections.credentials``.
"""

from connections.credentials import Resolved, connector_for, secret_values, validate

__all__ = ["Resolved", "connector_for", "secret_values", "validate"]
