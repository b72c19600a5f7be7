"""JSON: arrays of objects streamed one record at a time, written as one array."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from connectors.errors import DataFormatError
from connectors.formats import read_records, write_records
from connectors.spec import DataFormat
from tests.connectors.formats.streams import forward_only


def read(data: bytes, records_path: str | None = None) -> list[dict[str, Any]]:
    return list(read_records(io.BytesIO(data), DataFormat.JSON, records_path=records_path))


def write(records: list[dict[str, Any]], columns: list[str]) -> bytes:
    out = io.BytesIO()
    write_records(out, DataFormat.JSON, records, columns)
    return out.getvalue()


# -- reading ------------------------------------------------------------------------------


def test_array_of_objects_gives_one_record_per_object() -> None:
    assert read(b'[{"id": 1}, {"id": 2}]') == [{"id": 1}, {"id": 2}]


def test_values_keep_their_json_types() -> None:
    data = b'[{"i": 7, "f": 2.5, "b": true, "n": null, "s": "x", "o": {"k": [1]}}]'

    [record] = read(data)

    assert record == {"i": 7, "f": 2.5, "b": True, "n": None, "s": "x", "o": {"k": [1]}}
    assert type(record["f"]) is float


def test_single_top_level_object_is_one_record() -> None:
    assert read(b'{"id": 1, "name": "Ann"}') == [{"id": 1, "name": "Ann"}]


def test_empty_array_has_no_records() -> None:
    assert read(b"[]") == []


def test_byte_order_mark_and_leading_whitespace_are_ignored() -> None:
    assert read(b'\xef\xbb\xbf \n [{"id": 1}]') == [{"id": 1}]


@pytest.mark.parametrize(
    ("data", "records_path"),
    [
        (b'{"items": [{"id": 1}]}', "items"),
        (b'{"meta": {"n": 1}, "data": {"items": [{"id": 1}]}}', "data.items"),
        (b'{"data": {"items": [{"id": 1}], "next": null}, "items": []}', "data.items"),
    ],
    ids=["top-level-key", "nested-two-deep", "same-key-elsewhere"],
)
def test_records_path_finds_a_nested_array(data: bytes, records_path: str) -> None:
    assert read(data, records_path) == [{"id": 1}]


def test_records_path_to_an_empty_array_has_no_records() -> None:
    assert read(b'{"data": []}', "data") == []


def test_first_record_is_read_without_consuming_the_document() -> None:
    data = b"[" + b",".join(b'{"id": %d, "note": "padding text"}' % i for i in range(100_000))
    stream, counter = forward_only(data + b"]")

    first = next(read_records(stream, DataFormat.JSON))

    assert first == {"id": 0, "note": "padding text"}
    assert counter.bytes_read < 64 * 1024 < len(data)


def test_nested_first_record_is_read_without_consuming_the_document() -> None:
    items = b",".join(b'{"id": %d, "note": "padding text"}' % i for i in range(100_000))
    data = b'{"data": {"items": [' + items + b"]}}"
    stream, counter = forward_only(data)

    first = next(read_records(stream, DataFormat.JSON, records_path="data.items"))

    assert first == {"id": 0, "note": "padding text"}
    assert counter.bytes_read < 64 * 1024 < len(data)


# -- malformed input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "records_path", "message"),
    [
        (b"", None, "JSON document is empty."),
        (b" \n ", None, "JSON document is empty."),
        (
            b'[{"id": 1}, {"id": 2',
            None,
            "JSON document ends early: it is incomplete after byte 20.",
        ),
        (b'[{"id": 1}, {id: 2}]', None, "JSON is malformed between byte 0 and byte 20."),
        (b'[{"id": 1}] trailing', None, "JSON is malformed between byte 0 and byte 20."),
        (
            b"42",
            None,
            "JSON document is a single value; expected an array of objects or an object.",
        ),
        (b'[{"id": 1}, "two"]', None, "JSON array element 2 is a string, not an object."),
        (b'{"data": {}}', "data.items", "JSON document has no value at 'data.items'."),
        (b"[]", "data", "JSON document has no value at 'data'."),
        (b'{"data": {"id": 1}}', "data", "JSON value at 'data' is an object, not an array."),
        (b'{"data": 3}', "data", "JSON value at 'data' is a number, not an array."),
        (b'{"data": [null]}', "data", "JSON array at 'data' element 1 is null, not an object."),
    ],
    ids=[
        "empty",
        "only-whitespace",
        "truncated",
        "unquoted-key",
        "trailing-garbage",
        "top-level-scalar",
        "element-not-object",
        "records-path-missing",
        "records-path-on-array",
        "records-path-to-object",
        "records-path-to-number",
        "records-path-element-not-object",
    ],
)
def test_malformed_document_is_a_data_format_error_saying_where(
    data: bytes, records_path: str | None, message: str
) -> None:
    with pytest.raises(DataFormatError) as caught:
        read(data, records_path)

    assert caught.value.message == message


def test_syntax_error_deep_in_a_large_document_is_located_to_a_byte_range() -> None:
    good = b",".join(b'{"id": %d}' % i for i in range(50_000))
    data = b"[" + good + b", {oops}]"
    error_at = data.index(b"oops")

    with pytest.raises(DataFormatError) as caught:
        read(data)

    located = re.fullmatch(
        r"JSON is malformed between byte (\d+) and byte (\d+)\.", caught.value.message
    )
    assert located is not None
    start, end = int(located[1]), int(located[2])
    assert start <= error_at < end
    assert end - start <= 16 * 1024


def test_error_message_does_not_quote_the_document() -> None:
    with pytest.raises(DataFormatError) as caught:
        read(b'[{"token": "s3cr3t-value", oops}]')

    assert "s3cr3t-value" not in caught.value.message


# -- writing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "records",
    [
        [],
        [{"id": 1, "name": "Ann"}],
        [{"id": i, "name": f"n{i}"} for i in range(50)],
    ],
    ids=["no-records", "one-record", "many-records"],
)
def test_writes_a_valid_json_array(records: list[dict[str, Any]]) -> None:
    assert json.loads(write(records, ["id", "name"])) == records


def test_writes_one_object_per_line_between_brackets() -> None:
    assert write([{"a": 1}, {"a": 2}], ["a"]) == b'[\n{"a":1},\n{"a":2}\n]\n'


def test_absent_keys_become_null_and_other_keys_are_left_out() -> None:
    data = write([{"b": 2, "extra": 3}], ["a", "b"])

    assert json.loads(data) == [{"a": None, "b": 2}]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (datetime(2024, 5, 1, 10, 30, tzinfo=UTC), "2024-05-01T10:30:00+00:00"),
        (date(2024, 5, 1), "2024-05-01"),
        (Decimal("12.50"), 12.5),
        (Decimal(3), 3),
        (float("nan"), None),
        (float("inf"), None),
        ("Zoë", "Zoë"),
    ],
    ids=["datetime-iso8601", "date-iso8601", "decimal", "whole-decimal", "nan", "infinity", "utf8"],
)
def test_value_is_written_as(value: Any, written: Any) -> None:
    assert json.loads(write([{"v": value}], ["v"])) == [{"v": written}]


def test_value_without_a_json_form_is_a_data_format_error_naming_record_and_column() -> None:
    with pytest.raises(DataFormatError) as caught:
        write([{"a": 1, "b": 2}, {"a": 1, "b": object()}], ["a", "b"])

    assert caught.value.message == (
        "Record 2 cannot be written as JSON: column 'b' holds a value of type object."
    )


def test_each_record_is_written_before_the_next_is_pulled() -> None:
    out = io.BytesIO()

    def records() -> Iterator[dict[str, Any]]:
        for i in range(3):
            yield {"id": i}
            assert json.dumps({"id": i}, separators=(",", ":")).encode() in out.getvalue()

    assert write_records(out, DataFormat.JSON, records(), ["id"]) == 3
