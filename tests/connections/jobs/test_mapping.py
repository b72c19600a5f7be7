"""The column mapping (seed 003's ``default_mapping``) and the rows it refuses."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from connections.jobs import ColumnMapping, RowMapper


@pytest.mark.parametrize(
    "stored",
    [
        pytest.param({"fields": {"sku": "Item Code"}}, id="seed-003-shape"),
        pytest.param({"sku": "Item Code"}, id="flat-shape"),
    ],
)
def test_both_stored_shapes_read_as_target_to_column(stored: dict[str, object]) -> None:
    mapping = ColumnMapping.from_stored(stored)

    assert mapping is not None
    assert mapping.fields == {"sku": "Item Code"}


@pytest.mark.parametrize("stored", [None, {}, {"fields": {}}], ids=["none", "empty", "no-fields"])
def test_no_mapping_means_pass_through(stored: dict[str, object] | None) -> None:
    assert ColumnMapping.from_stored(stored) is None


def test_required_must_name_mapped_fields() -> None:
    with pytest.raises(ValidationError, match="not mapped: price"):
        ColumnMapping(fields={"sku": "Item Code"}, required=("price",))


def test_mapped_rows_carry_targets_in_mapping_order() -> None:
    mapper = RowMapper(ColumnMapping(fields={"name": "Title", "sku": "Code"}))

    rows = list(mapper.map([{"Code": "A1", "Title": "Widget", "Extra": "x"}]))

    assert rows == [{"name": "Widget", "sku": "A1"}]
    assert list(rows[0]) == ["name", "sku"]


def test_pass_through_keeps_records_unchanged() -> None:
    record = {"Code": "A1", "Title": "Widget"}
    mapper = RowMapper(None)

    assert list(mapper.map([record])) == [record]
    assert (mapper.records_in, mapper.records_out) == (1, 1)


def test_a_row_missing_a_mapped_column_is_an_error_row_and_the_rest_go_on() -> None:
    mapper = RowMapper(ColumnMapping(fields={"sku": "Code"}))

    rows = list(mapper.map([{"Code": "A1"}, {"Other": "B2"}, {"Code": "C3"}]))

    assert rows == [{"sku": "A1"}, {"sku": "C3"}]
    assert mapper.errors == [{"row": 2, "field": "sku", "message": "The row has no column 'Code'."}]


@pytest.mark.parametrize("empty", [None, "", "   "], ids=["null", "empty", "blank"])
def test_an_empty_required_value_is_an_error_row(empty: str | None) -> None:
    mapper = RowMapper(ColumnMapping(fields={"sku": "Code", "name": "Title"}, required=("sku",)))

    rows = list(mapper.map([{"Code": empty, "Title": "Widget"}]))

    assert rows == []
    assert mapper.error_rows == 1
    assert mapper.errors[0]["field"] == "sku"


def test_an_empty_optional_value_passes() -> None:
    mapper = RowMapper(ColumnMapping(fields={"sku": "Code", "name": "Title"}, required=("sku",)))

    assert list(mapper.map([{"Code": "A1", "Title": None}])) == [{"sku": "A1", "name": None}]


def test_every_error_row_is_counted_but_only_the_first_are_described() -> None:
    mapper = RowMapper(ColumnMapping(fields={"sku": "Code"}), max_errors=3)

    list(mapper.map([{"Other": str(i)} for i in range(10)]))

    assert mapper.error_rows == 10
    assert [e["row"] for e in mapper.errors] == [1, 2, 3]


def test_error_messages_never_quote_values() -> None:
    mapper = RowMapper(ColumnMapping(fields={"sku": "Code"}, required=("sku",)))

    list(mapper.map([{"Code": "   "}, {"Nope": "top-secret-value"}]))

    assert "top-secret-value" not in repr(mapper.errors)
