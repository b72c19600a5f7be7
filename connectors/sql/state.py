"""Per-stream read state of database sources, as it travels in a StateMessage.

The state of a read is ``{"streams": {name: stream_state}}``. An incremental stream keeps
its cursor column and the greatest value read so far, tagged with its type so that the
value comes back as the same Python type (a ``datetime`` is compared as a timestamp, not
as text)::

    {"mode": "incremental", "cursor_field": "updated_at",
     "cursor": "2024-05-01T10:00:00+00:00", "cursor_type": "datetime"}

A full-refresh stream keeps ``{"mode": "full_refresh"}``: it is read whole every time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Final

import structlog

__all__ = ["StreamState", "decode_cursor", "encode_cursor", "stream_states"]

log = structlog.get_logger(__name__)

FULL_REFRESH: Final = "full_refresh"
INCREMENTAL: Final = "incremental"


# Checked in order: bool before int (a bool is an int), datetime before date.
_ENCODERS: tuple[tuple[type, str, Callable[[Any], Any]], ...] = (
    (bool, "boolean", bool),
    (int, "integer", int),
    (float, "float", float),
    (Decimal, "decimal", str),
    (dt.datetime, "datetime", dt.datetime.isoformat),
    (dt.date, "date", dt.date.isoformat),
    (dt.time, "time", dt.time.isoformat),
)
_DECODERS: dict[str, Callable[[Any], object]] = {
    "boolean": bool,
    "integer": int,
    "float": float,
    "decimal": lambda v: Decimal(str(v)),
    "datetime": lambda v: dt.datetime.fromisoformat(str(v)),
    "date": lambda v: dt.date.fromisoformat(str(v)),
    "time": lambda v: dt.time.fromisoformat(str(v)),
    "string": str,
}


def encode_cursor(value: object) -> tuple[Any, str]:
    """A cursor value as (JSON value, type tag); anything unlisted is kept as text."""
    for kind, tag, encode in _ENCODERS:
        if isinstance(value, kind):
            return encode(value), tag
    return str(value), "string"


def decode_cursor(value: Any, tag: str) -> object:
    """The Python value a (JSON value, type tag) pair stands for.

    Raises:
        ValueError: The value does not fit its tag (a state edited by hand).
    """
    decode = _DECODERS.get(tag, str)
    try:
        return decode(value)
    except (TypeError, ValueError, InvalidOperation) as exc:
        raise ValueError(f"a saved cursor value is not a valid {tag}") from exc


@dataclass(frozen=True, slots=True)
class StreamState:
    """Where a stream's last read ended.

    Attributes:
        cursor_field: The cursor column, or ``None`` for a full refresh.
        cursor: The greatest cursor value read (a Python value), or ``None`` when no row
            with a value was read yet.
    """

    cursor_field: str | None = None
    cursor: object = None

    @property
    def incremental(self) -> bool:
        """Whether the stream is read by cursor."""
        return self.cursor_field is not None

    def to_json(self) -> dict[str, Any]:
        """The JSON form kept in the read state."""
        if self.cursor_field is None:
            return {"mode": FULL_REFRESH}
        data: dict[str, Any] = {"mode": INCREMENTAL, "cursor_field": self.cursor_field}
        if self.cursor is not None:
            data["cursor"], data["cursor_type"] = encode_cursor(self.cursor)
        return data

    @classmethod
    def from_json(cls, data: object) -> StreamState:
        """Read one stream's saved state; anything unreadable means "start over"."""
        if not isinstance(data, Mapping) or data.get("mode") != INCREMENTAL:
            return cls()
        field = data.get("cursor_field")
        if not isinstance(field, str) or not field:
            return cls()
        if data.get("cursor") is None:
            return cls(cursor_field=field)
        try:
            value = decode_cursor(data["cursor"], str(data.get("cursor_type", "string")))
        except ValueError:
            log.warning("sql_state_cursor_unreadable", cursor_field=field)
            return cls(cursor_field=field)
        return cls(cursor_field=field, cursor=value)


def stream_states(state: Mapping[str, Any]) -> dict[str, Any]:
    """The raw per-stream states of a read state (``state["streams"]``), copied."""
    streams = state.get("streams")
    return dict(streams) if isinstance(streams, Mapping) else {}
