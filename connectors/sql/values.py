"""Database values as JSON-safe values, ready for NDJSON or CSV inventory files.

Drivers return ``datetime``, ``Decimal``, ``bytes``, ``UUID``, arrays and JSON documents;
records carry only what ``json.dumps`` writes without help:

- dates and times become ISO 8601 strings (with the offset when the value has one);
- decimals become strings, so no digit is lost to a float (``"12.30"``);
- floats that JSON cannot hold (NaN, infinities) become ``"NaN"``, ``"Infinity"``;
- bytes become base64 strings;
- durations become seconds (a number);
- lists and mappings (arrays, JSON columns) keep their shape, their items converted;
- anything else (UUIDs, network addresses, ranges, enums) becomes its text.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from enum import Enum
from typing import Any

__all__ = ["json_safe", "record_maker"]

_PLAIN = (str, int, bool, type(None))


def _float(value: float) -> object:
    if math.isfinite(value):
        return value
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def _bytes(value: bytes | bytearray | memoryview) -> str:
    return base64.b64encode(bytes(value)).decode("ascii")


def json_safe(value: object) -> object:
    """``value`` as something ``json.dumps`` writes unchanged (see the module docstring)."""
    if isinstance(value, _PLAIN):
        return value
    converted: object
    if isinstance(value, float):
        converted = _float(value)
    elif isinstance(value, Decimal):
        converted = str(value)  # also "NaN" and "Infinity"
    elif isinstance(value, dt.datetime | dt.date | dt.time):
        converted = value.isoformat()
    elif isinstance(value, dt.timedelta):
        converted = value.total_seconds()
    elif isinstance(value, bytes | bytearray | memoryview):
        converted = _bytes(value)
    elif isinstance(value, Mapping):
        converted = {str(k): json_safe(v) for k, v in value.items()}
    elif isinstance(value, list | tuple):
        converted = [json_safe(v) for v in value]
    elif isinstance(value, Enum):
        converted = json_safe(value.value)
    else:
        converted = str(value)
    return converted


def record_maker(names: Sequence[str]) -> Callable[[Sequence[Any]], dict[str, Any]]:
    """A function turning one result row into a JSON-safe record keyed by ``names``.

    Rows whose values are all plain (strings, integers, booleans, NULL) skip conversion,
    which is the common case and keeps reading cheap.
    """
    keys = tuple(names)

    def make(row: Sequence[Any]) -> dict[str, Any]:
        if all(isinstance(v, _PLAIN) for v in row):
            return dict(zip(keys, row, strict=True))
        return {k: json_safe(v) for k, v in zip(keys, row, strict=True)}

    return make
