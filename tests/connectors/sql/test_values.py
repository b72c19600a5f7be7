"""Database values become JSON-safe record values."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from ipaddress import IPv4Address

import pytest

from connectors.sql.values import json_safe, record_maker

UTC = dt.UTC


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        (dt.datetime(2024, 5, 1, 10, 0, tzinfo=UTC), "2024-05-01T10:00:00+00:00"),
        (dt.datetime(2024, 5, 1, 10, 0, 0, 500), "2024-05-01T10:00:00.000500"),  # noqa: DTZ001
        (dt.date(2024, 5, 1), "2024-05-01"),
        (dt.time(10, 30), "10:30:00"),
        (dt.timedelta(hours=1, seconds=30), 3630.0),
        (Decimal("12.30"), "12.30"),
        (Decimal("NaN"), "NaN"),
        (float("nan"), "NaN"),
        (float("-inf"), "-Infinity"),
        (b"\xde\xad\xbe\xef", "3q2+7w=="),
        (memoryview(b"ab"), "YWI="),
        (uuid.UUID(int=1), "00000000-0000-0000-0000-000000000001"),
        (IPv4Address("10.0.0.1"), "10.0.0.1"),
        ([1, Decimal("2.5")], [1, "2.5"]),
        ({"a": dt.date(2024, 1, 2)}, {"a": "2024-01-02"}),
        (None, None),
        (True, True),
    ],
    ids=lambda v: type(v).__name__,
)
def test_values_become_what_json_writes_unchanged(value: object, safe: object) -> None:
    converted = json_safe(value)

    assert converted == safe
    assert json.loads(json.dumps(converted)) == safe


def test_records_are_keyed_by_column_name() -> None:
    make = record_maker(["id", "at"])

    assert make((1, dt.date(2024, 1, 2))) == {"id": 1, "at": "2024-01-02"}
    assert make((2, None)) == {"id": 2, "at": None}
