"""What the conformance suite needs from each connector's test set-up.

A harness knows how to build the connector against a real peer, a good config and
secrets, one stream with known records, bad inputs that must be classified, and (for
sinks) how to see what a write delivered.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from connectors.base import Connector
from connectors.results import FailureClass
from connectors.spec import Role

__all__ = ["BadInput", "Harness"]


@dataclass(frozen=True)
class BadInput:
    """A config or secret that must fail with ``failure`` (and never raise)."""

    id: str
    config: Mapping[str, Any]
    secrets: Mapping[str, Any]
    failure: FailureClass
    role: Role = Role.INVENTORY_SOURCE


@dataclass(frozen=True)
class Harness:
    """One connector wired to a real peer holding known data."""

    connector: Connector  # type: ignore[type-arg]
    config: Mapping[str, Any]
    secrets: Mapping[str, Any]
    stream: str
    records: list[dict[str, Any]]
    bad_inputs: list[BadInput]
    sink_config: Mapping[str, Any] | None = None
    sink_secrets: Mapping[str, Any] | None = None
    delivered: Callable[[str], Awaitable[bytes | None]] | None = None
    canary: str = "conformance-canary-9f8e7d6c5b4a"
