"""NDJSON: one JSON object per line, read and written a line at a time."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.errors import DataFormatError
from connectors.formats import read_records, write_records
from connectors.spec import DataFormat
from tests.connectors.formats.streams import forward_only


def read(data: bytes) -> list[dict[str, Any]]:
    return list(read_records(io.BytesIO(data), DataFormat.NDJSON))


def write(records: list[dict[str, Any]], columns: list[str]) -> bytes:
    out = io.BytesIO()
    write_records(out, DataFormat.NDJSON, records, columns)
    return out.getvalue()


# -- reading ------------------------------------------------------------------------------


def test_each_line_is_one_record() -> None:
    assert read(b'{"id": 1}\n{"id": 2}\n') == [{"id": 1}, {"id": 2}]


def test_values_keep_their_json_types() -> None:
    assert read(b'{"i": 7, "f": 2.5, "b": false, "n": null, "o": {"k": [1]}}\n') == [
        {"i": 7, "f": 2.5, "b": False, "n": None, "o": {"k": [1]}}
    ]


def test_last_line_needs_no_newline() -> None:
    assert read(b'{"id": 1}\n{"id": 2}') == [{"id": 1}, {"id": 2}]


def test_blank_lines_are_skipped() -> None:
    assert read(b'\n{"id": 1}\n  \n\r\n{"id": 2}\n\n') == [{"id": 1}, {"id": 2}]


def test_windows_line_endings_are_accepted() -> None:
    assert read(b'{"id": 1}\r\n{"id": 2}\r\n') == [{"id": 1}, {"id": 2}]


def test_byte_order_mark_is_ignored() -> None:
    assert read(b'\xef\xbb\xbf{"id": 1}\n') == [{"id": 1}]


def test_empty_file_has_no_records() -> None:
    assert read(b"") == []


def test_first_record_is_read_without_consuming_the_file() -> None:
    data = b"".join(b'{"id": %d, "note": "padding text"}\n' % i for i in range(100_000))
    stream, counter = forward_only(data)

    first = next(read_records(stream, DataFormat.NDJSON))

    assert first == {"id": 0, "note": "padding text"}
    assert counter.bytes_read < 64 * 1024 < len(data)


# -- malformed input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"id": 1}\n{"id": ?}\n', "NDJSON line 2 is not valid JSON (at column 8)."),
        (b'{"id": 1}\n\n[1, 2]\n', "NDJSON line 3 is not a JSON object."),
        (b'{"id": 1}\n"text"\n', "NDJSON line 2 is not a JSON object."),
        (b'{"id": 1}\n{"id": 2} {"id": 3}\n', "NDJSON line 2 is not valid JSON (at column 11)."),
        (b'{"id": 1}\n{"id": "\xff"}\n', "NDJSON line 2 is not valid UTF-8 text."),
    ],
    ids=["broken-json", "array-line", "string-line", "two-objects-on-a-line", "not-utf8"],
)
def test_malformed_line_is_a_data_format_error_naming_the_line(data: bytes, message: str) -> None:
    with pytest.raises(DataFormatError) as caught:
        read(data)

    assert caught.value.message == message


def test_error_message_does_not_quote_the_line() -> None:
    with pytest.raises(DataFormatError) as caught:
        read(b'{"token": "s3cr3t-value", oops}\n')

    assert "s3cr3t-value" not in caught.value.message


# -- writing ------------------------------------------------------------------------------


def test_writes_one_compact_object_per_line() -> None:
    assert write([{"id": 1, "name": "Ann"}, {"id": 2, "name": "Bob"}], ["id", "name"]) == (
        b'{"id":1,"name":"Ann"}\n{"id":2,"name":"Bob"}\n'
    )


def test_no_records_write_nothing() -> None:
    assert write([], ["id"]) == b""


def test_keys_follow_the_columns_and_absent_keys_become_null() -> None:
    assert write([{"b": 2, "extra": 3}], ["a", "b"]) == b'{"a":null,"b":2}\n'


def test_datetimes_are_written_as_iso8601() -> None:
    data = write([{"at": datetime(2024, 5, 1, 10, 30, tzinfo=UTC)}], ["at"])

    assert json.loads(data) == {"at": "2024-05-01T10:30:00+00:00"}


def test_text_is_utf8_not_escaped() -> None:
    assert write([{"name": "Zoë"}], ["name"]) == '{"name":"Zoë"}\n'.encode()
