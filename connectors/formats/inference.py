"""Column type inference: the narrowest type that holds every value seen in a column.

Types widen along ``integer -> number -> string``; ``boolean`` and ``timestamp`` stand
alone, and any other mix falls back to ``string``. Text is read for what it spells, since
CSV hands over only strings: ``"42"`` is an integer, ``"1e3"`` a number, ``"TRUE"`` a
boolean and ``"2024-05-01T10:00:00Z"`` a timestamp. Null and empty values never decide a
type; they, like a key missing from some records, make the column nullable.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from connectors.results import Column, ColumnType

__all__ = ["infer_columns", "infer_type"]

# A leading zero ("007", "0123") marks an identifier or a code, whose zeros a number would
# lose, so such text stays a string.
_INTEGER: Final = re.compile(r"[+-]?(?:0|[1-9][0-9]*)")
_NUMBER: Final = re.compile(r"[+-]?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_TIMESTAMP: Final = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(?:[T ][0-9]{2}(?::[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?)?"
    r"(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?"
)
# Checked in order; bool comes before int because True is an int to Python but a boolean
# to everyone else. A datetime is a date, so both are timestamps.
_NATIVE: Final[tuple[tuple[type | tuple[type, ...], ColumnType], ...]] = (
    (bool, "boolean"),
    (int, "integer"),
    ((float, Decimal), "number"),
    (date, "timestamp"),
)
_BOOLEANS: Final = frozenset({"true", "false"})
# Digit runs beyond a signed 64-bit integer are account or card numbers, not quantities;
# typing them integer would overflow the BIGINT columns a store creates from it.
_INT64: Final = range(-(2**63), 2**63)


@dataclass
class _Tally:
    type: ColumnType | None = None
    present: int = 0
    saw_null: bool = False


def infer_type(value: Any) -> ColumnType | None:
    """The type one value suggests, or None for a null or blank value.

    Examples:
        >>> infer_type("42"), infer_type("007"), infer_type("3.5"), infer_type("False")
        ('integer', 'string', 'number', 'boolean')
    """
    if value is None:
        return None
    if isinstance(value, str):
        return _text_type(value)
    return next((kind for cls, kind in _NATIVE if isinstance(value, cls)), "string")


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text_type(value: str) -> ColumnType | None:
    text = value.strip()
    if not text:
        return None
    if _INTEGER.fullmatch(text):
        return "integer" if int(text) in _INT64 else "string"
    if _NUMBER.fullmatch(text):
        return "number"
    if text.lower() in _BOOLEANS:
        return "boolean"
    if _TIMESTAMP.fullmatch(text) and _is_real_date(text):
        return "timestamp"
    return "string"


def _is_real_date(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _widen(current: ColumnType | None, new: ColumnType) -> ColumnType:
    if current is None or current == new:
        return new
    if {current, new} == {"integer", "number"}:
        return "number"
    return "string"


def infer_columns(
    records: Iterable[Mapping[str, Any]], *, limit: int | None = None
) -> tuple[Column, ...]:
    """Infer the columns of a stream from a sample of its records.

    Args:
        records: The records to inspect; consumed up to ``limit``.
        limit: Inspect at most this many records; None inspects all of them.

    Returns:
        One column per key, in the order keys were first seen. A column is nullable if
        it held a null or blank value or was missing from a record; a column that never
        held a value is a nullable string.
    """
    sample = records if limit is None else itertools.islice(records, limit)
    tallies: dict[str, _Tally] = {}
    total = 0
    for record in sample:
        total += 1
        for name, value in record.items():
            tally = tallies.get(name)
            if tally is None:
                tally = tallies[name] = _Tally()
            tally.present += 1
            if tally.type == "string":
                # Nothing widens a string further; only nullness is left to learn.
                tally.saw_null = tally.saw_null or _is_blank(value)
                continue
            kind = infer_type(value)
            if kind is None:
                tally.saw_null = True
            else:
                tally.type = _widen(tally.type, kind)
    return tuple(
        Column(
            name=name,
            type=tally.type or "string",
            nullable=tally.saw_null or tally.present < total,
        )
        for name, tally in tallies.items()
    )
