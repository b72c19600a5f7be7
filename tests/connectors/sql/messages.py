"""What the database connector tests look at: a read's messages, a check's steps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from connectors.results import CheckResult, RecordMessage, StateMessage, StepStatus
from connectors.sql import SqlConnector

__all__ = ["last_state", "read_all", "records", "statuses"]


async def read_all(
    connector: SqlConnector[Any],
    config: Mapping[str, Any],
    secrets: Mapping[str, Any],
    streams: Sequence[str],
    state: Mapping[str, Any] | None = None,
) -> list[Any]:
    """Every message of one read, in order."""
    return [m async for m in connector.read(config, secrets, streams, state)]


def records(messages: list[Any]) -> list[dict[str, Any]]:
    """The records' data, in order."""
    return [m.data for m in messages if isinstance(m, RecordMessage)]


def last_state(messages: list[Any]) -> dict[str, Any]:
    """The state of the last checkpoint."""
    return next(m.state for m in reversed(messages) if isinstance(m, StateMessage))


def statuses(result: CheckResult) -> dict[str, StepStatus]:
    """Each check step's status, by step name, in order."""
    return {step.name: step.status for step in result.steps}
