"""Value objects that connectors return: check results, catalogs and read messages."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Catalog",
    "CheckResult",
    "CheckStep",
    "Column",
    "ColumnType",
    "FailureClass",
    "FileInfo",
    "RecordMessage",
    "StateMessage",
    "StepStatus",
    "Stream",
    "WriteResult",
]


class FailureClass(StrEnum):
    """Why a connector operation failed, in terms the conversation can act on."""

    AUTH_FAILED = "auth_failed"
    PERMISSION_DENIED = "permission_denied"
    NOT_FOUND = "not_found"
    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"
    TLS = "tls"
    INVALID_CONFIG = "invalid_config"
    BLOCKED_BY_POLICY = "blocked_by_policy"
    MALFORMED_DATA = "malformed_data"
    ENDPOINT_GONE = "endpoint_gone"
    SERVER_ERROR = "server_error"
    UNKNOWN = "unknown"


class StepStatus(StrEnum):
    """Outcome of one step of a connection check."""

    OK = "ok"
    FAILED = "failed"
    SKIPPED = "skipped"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CheckStep(_Frozen):
    """One step of a connection check, e.g. ``authenticate``, with a plain message."""

    name: str
    status: StepStatus
    message: str


class CheckResult(_Frozen):
    """The outcome of ``check``: which steps ran, and the classified failure if any.

    ``details`` carries what the check learned, e.g. for S3 how many objects and bytes
    the next sync would pull.
    """

    ok: bool
    failure: FailureClass | None = None
    message: str
    field: str | None = None
    steps: tuple[CheckStep, ...] = ()
    details: dict[str, Any] = Field(default_factory=dict)


ColumnType = Literal["integer", "number", "boolean", "timestamp", "string"]


class Column(_Frozen):
    """A column of a stream with its inferred or declared type."""

    name: str
    type: ColumnType
    nullable: bool = True


class Stream(_Frozen):
    """A readable unit: a group of files, a table or an endpoint."""

    name: str
    columns: tuple[Column, ...] = ()
    primary_key: tuple[str, ...] = ()
    cursor_candidates: tuple[str, ...] = ()
    size_bytes: int | None = None
    record_estimate: int | None = None
    file_count: int | None = None
    description: str | None = None


class Catalog(_Frozen):
    """What ``discover`` found."""

    streams: tuple[Stream, ...] = ()

    def __repr__(self) -> str:
        """A short repr: name three streams and count the rest.

        The full repr of 10,000 tables took a second, and asyncio.run builds it when the
        catalog is its main task's result (Python 3.11's check of the SIGINT handler).
        """
        names = ", ".join(s.name for s in self.streams[:3])
        more = f", … {len(self.streams) - 3} more" if len(self.streams) > 3 else ""
        return f"Catalog({len(self.streams)} streams: {names}{more})"

    def stream(self, name: str) -> Stream:
        """Return the stream called ``name``.

        Raises:
            KeyError: If the catalog has no such stream.
        """
        for stream in self.streams:
            if stream.name == name:
                return stream
        raise KeyError(name)


class RecordMessage(_Frozen):
    """One record read from a stream."""

    kind: Literal["record"] = "record"
    stream: str
    data: dict[str, Any]


class StateMessage(_Frozen):
    """A checkpoint: passing ``state`` back to ``read`` resumes after this point."""

    kind: Literal["state"] = "state"
    state: dict[str, Any]


class FileInfo(_Frozen):
    """A remote file as listed by a file-based connector."""

    key: str
    size: int
    etag: str
    last_modified: datetime


class WriteResult(_Frozen):
    """What a sink ``write`` delivered."""

    location: str
    bytes_written: int
    attempts: int = 1
    status_code: int | None = None
