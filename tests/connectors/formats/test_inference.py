"""Column inference: the narrowest type holding every value, nullable when any is absent."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import pytest

from connectors.formats import infer_columns
from connectors.results import Column, ColumnType


def type_of(*values: Any) -> ColumnType:
    [column] = infer_columns({"v": value} for value in values)
    return column.type


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # Text, as CSV delivers it.
        (["42", "-3", "+7", "0"], "integer"),
        (["007"], "string"),
        (["42", "007"], "string"),
        (["-0012"], "string"),
        (["3.14", "-0.5", ".5", "5."], "number"),
        (["1e3", "2.5E-4"], "number"),
        (["00.5"], "string"),
        (["1", "2.5"], "number"),
        (["true", "False", "TRUE"], "boolean"),
        (["yes", "no"], "string"),
        (["1", "true"], "string"),
        (["2024-05-01"], "timestamp"),
        (
            ["2024-05-01T10:30:00Z", "2024-05-01 10:30", "2024-05-01T10:30:00.123+02:00"],
            "timestamp",
        ),
        (["2024-02-30"], "string"),
        (["2024-05-01", "tomorrow"], "string"),
        (["20240501"], "integer"),
        (["10:30"], "string"),
        (["12345678901234567890"], "string"),
        (["9223372036854775807"], "integer"),
        (["1_000"], "string"),
        (["1,000"], "string"),
        (["NaN", "inf"], "string"),
        ([" 42 "], "integer"),
        (["hello"], "string"),
        # Native values, as JSON and XLSX deliver them.
        ([1, 2], "integer"),
        ([1, 2.5], "number"),
        ([Decimal("1.5")], "number"),
        ([True, False], "boolean"),
        ([True, 1], "string"),
        ([datetime(2024, 5, 1, tzinfo=UTC), date(2024, 5, 1)], "timestamp"),
        ([time(10, 30)], "string"),
        ([{"k": 1}], "string"),
        ([[1, 2]], "string"),
        ([1, "2"], "integer"),
        ([2.5, "x"], "string"),
        # Nulls never decide.
        ([None, "5", ""], "integer"),
        ([None, None], "string"),
        (["", "  "], "string"),
    ],
    ids=[
        "integer-text",
        "leading-zero-is-identifier",
        "one-identifier-makes-string",
        "negative-leading-zero",
        "decimal-text",
        "exponent-text",
        "leading-zero-decimal",
        "integer-widens-to-number",
        "boolean-text-any-case",
        "yes-no-is-text",
        "integer-and-boolean-conflict",
        "iso-date",
        "iso-datetimes",
        "impossible-date",
        "timestamp-and-text-conflict",
        "compact-date-is-integer",
        "time-of-day-is-text",
        "beyond-int64-is-identifier",
        "int64-max",
        "underscore-digits",
        "thousands-separator",
        "nan-and-inf-text",
        "padded-integer",
        "plain-text",
        "native-int",
        "native-int-and-float",
        "native-decimal",
        "native-bool",
        "bool-is-not-integer",
        "native-datetime-and-date",
        "native-time",
        "native-object",
        "native-list",
        "native-int-and-integer-text",
        "native-float-and-text",
        "nulls-and-blanks-ignored",
        "all-null",
        "all-blank",
    ],
)
def test_column_type(values: list[Any], expected: ColumnType) -> None:
    assert type_of(*values) == expected


@pytest.mark.parametrize(
    ("records", "nullable"),
    [
        ([{"v": 1}, {"v": 2}], False),
        ([{"v": 1}, {"v": None}], True),
        ([{"v": "1"}, {"v": ""}], True),
        ([{"v": "x"}, {"v": "  "}], True),
        ([{"v": 1}, {}], True),
        ([{}, {"v": 1}], True),
        ([{"v": None}], True),
    ],
    ids=[
        "always-present",
        "a-null",
        "an-empty-string",
        "a-blank-in-a-text-column",
        "missing-from-a-later-record",
        "missing-from-an-earlier-record",
        "only-null",
    ],
)
def test_column_nullability(records: list[dict[str, Any]], nullable: bool) -> None:
    [column] = infer_columns(records)

    assert column.nullable is nullable


def test_columns_come_in_first_seen_order() -> None:
    records = [{"b": 1, "a": 1}, {"c": 1, "a": 2}]

    assert [column.name for column in infer_columns(records)] == ["b", "a", "c"]


def test_whole_result_for_a_small_table() -> None:
    records = [
        {"id": "1", "sku": "007", "price": "9.5", "active": "true", "added": "2024-05-01"},
        {"id": "2", "sku": "042", "price": "10", "active": "false", "added": ""},
    ]

    assert infer_columns(records) == (
        Column(name="id", type="integer", nullable=False),
        Column(name="sku", type="string", nullable=False),
        Column(name="price", type="number", nullable=False),
        Column(name="active", type="boolean", nullable=False),
        Column(name="added", type="timestamp", nullable=True),
    )


def test_limit_inspects_only_the_first_records() -> None:
    records = iter([{"v": "1"}, {"v": "2"}, {"v": "text"}])

    [column] = infer_columns(records, limit=2)

    assert column.type == "integer"
    assert next(records) == {"v": "text"}


def test_no_records_give_no_columns() -> None:
    assert infer_columns([]) == ()
