"""How Python values become cells of the text formats (CSV, JSON, NDJSON).

Writers share these rules so that a record looks the same whatever format it lands in:
datetimes as ISO 8601, booleans as ``true``/``false``, nested values as JSON text in CSV.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Mapping, Sequence
from datetime import date, time
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from connectors.errors import DataFormatError

__all__ = ["encode_json", "is_missing", "json_default", "project", "to_text"]


def is_missing(value: Any) -> bool:
    """Whether ``value`` should be written as an empty cell or ``null``.

    NaN and the infinities count as missing: neither JSON nor Excel can hold them, and in
    data frames NaN is how an absent value is usually spelled.
    """
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def json_default(value: Any) -> Any:
    """The ``default=`` hook for :func:`json.dumps`: values JSON has no type for.

    Raises:
        TypeError: If ``value`` has no sensible JSON form; :func:`json.dumps` expects this.
    """
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        # A JSON number keeps the column numeric for whoever reads the file next.
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def to_text(value: Any) -> str:
    """The text of one CSV cell; missing values become the empty string."""
    if is_missing(value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float | Decimal):
        return str(value)
    if isinstance(value, Mapping | list | tuple):
        return json.dumps(value, ensure_ascii=False, default=json_default)
    try:
        encoded = json_default(value)
    except TypeError:
        return str(value)
    return encoded if isinstance(encoded, str) else json.dumps(encoded, ensure_ascii=False)


def project(record: Mapping[str, Any], columns: Sequence[str]) -> dict[str, Any]:
    """The record reduced to ``columns``, in their order, with missing values as None."""
    return {name: None if is_missing(value := record.get(name)) else value for name in columns}


def encode_json(record: dict[str, Any], *, number: int) -> str:
    """One record as compact JSON text.

    Args:
        record: The projected record to encode.
        number: Its 1-based position in the output, for the error message.

    Raises:
        DataFormatError: If a value has no JSON form; the message names the column.
    """
    try:
        return json.dumps(
            record,
            ensure_ascii=False,
            allow_nan=False,
            default=json_default,
            separators=(",", ":"),
        )
    except (TypeError, ValueError) as exc:
        column = next((name for name, value in record.items() if not _encodes(value)), "?")
        raise DataFormatError(
            f"Record {number} cannot be written as JSON: column {column!r} holds a value "
            f"of type {type(record.get(column)).__name__}."
        ) from exc


def _encodes(value: Any) -> bool:
    try:
        json.dumps(value, allow_nan=False, default=json_default)
    except (TypeError, ValueError):
        return False
    return True
