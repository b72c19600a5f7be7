"""CSV: header-keyed string records, sniffed delimiters, errors that say which line."""

from __future__ import annotations

import gc
import io
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.errors import DataFormatError
from connectors.formats import read_records, write_records
from connectors.spec import DataFormat
from tests.connectors.formats.streams import forward_only


def read(data: bytes) -> list[dict[str, Any]]:
    return list(read_records(io.BytesIO(data), DataFormat.CSV))


def write(records: list[dict[str, Any]], columns: list[str]) -> bytes:
    out = io.BytesIO()
    write_records(out, DataFormat.CSV, records, columns)
    return out.getvalue()


# -- reading ------------------------------------------------------------------------------


def test_rows_are_keyed_by_the_header() -> None:
    assert read(b"id,name\n1,Ann\n2,Bob\n") == [
        {"id": "1", "name": "Ann"},
        {"id": "2", "name": "Bob"},
    ]


def test_values_stay_strings() -> None:
    assert read(b"n,flag,when\n42,true,2024-01-31\n") == [
        {"n": "42", "flag": "true", "when": "2024-01-31"}
    ]


def test_empty_cells_are_none() -> None:
    assert read(b"a,b,c\n,x,\n") == [{"a": None, "b": "x", "c": None}]


def test_byte_order_mark_is_not_part_of_the_first_name() -> None:
    assert read(b"\xef\xbb\xbfid,name\n1,Ann\n") == [{"id": "1", "name": "Ann"}]


@pytest.mark.parametrize(
    "delimiter",
    [",", ";", "\t", "|"],
    ids=["comma", "semicolon", "tab", "pipe"],
)
def test_delimiter_is_detected(delimiter: str) -> None:
    data = delimiter.join(["id", "name", "city"]) + "\n" + delimiter.join(["1", "Ann", "Oslo"])

    assert read(data.encode()) == [{"id": "1", "name": "Ann", "city": "Oslo"}]


def test_semicolon_file_with_decimal_commas_splits_on_semicolons() -> None:
    assert read(b"id;price\n1;3,50\n2;4,25\n") == [
        {"id": "1", "price": "3,50"},
        {"id": "2", "price": "4,25"},
    ]


def test_delimiter_is_detected_despite_blank_lines() -> None:
    assert read(b"id;name\r\n1;Ann\r\n\r\n2;Bob\r\n") == [
        {"id": "1", "name": "Ann"},
        {"id": "2", "name": "Bob"},
    ]


def test_single_column_file_is_read_whole() -> None:
    assert read(b"email\na@example.com\nb@example.com\n") == [
        {"email": "a@example.com"},
        {"email": "b@example.com"},
    ]


def test_quoted_fields_keep_delimiters_quotes_and_newlines() -> None:
    data = b'id,note\n1,"one, two"\n2,"say ""hi"""\n3,"line one\nline two"\n'

    assert [row["note"] for row in read(data)] == ["one, two", 'say "hi"', "line one\nline two"]


def test_windows_line_endings_are_not_part_of_values() -> None:
    assert read(b"a,b\r\n1,2\r\n") == [{"a": "1", "b": "2"}]


def test_blank_lines_are_skipped() -> None:
    assert read(b"a,b\n1,2\n\n\n3,4\n\n") == [{"a": "1", "b": "2"}, {"a": "3", "b": "4"}]


def test_spaces_around_header_names_are_dropped() -> None:
    assert read(b"id , name\n1,Ann\n") == [{"id": "1", "name": "Ann"}]


@pytest.mark.parametrize("data", [b"", b"id,name\n"], ids=["empty-file", "header-only"])
def test_file_without_data_rows_has_no_records(data: bytes) -> None:
    assert read(data) == []


def test_first_row_is_read_without_consuming_the_file() -> None:
    data = b"id,name,note\n" + b"".join(
        b"%d,name %d,some longer text to make the file big\n" % (i, i) for i in range(100_000)
    )
    stream, counter = forward_only(data)

    first = next(read_records(stream, DataFormat.CSV))

    assert first == {"id": "0", "name": "name 0", "note": "some longer text to make the file big"}
    assert counter.bytes_read < 64 * 1024 < len(data)


def test_reading_leaves_the_stream_open() -> None:
    stream = io.BytesIO(b"a\n1\n2\n")

    assert list(read_records(stream, DataFormat.CSV)) == [{"a": "1"}, {"a": "2"}]
    assert not stream.closed


def test_abandoning_the_records_leaves_the_stream_open() -> None:
    stream = io.BytesIO(b"a\n1\n2\n")
    records = read_records(stream, DataFormat.CSV)
    next(records)

    del records
    gc.collect()

    assert not stream.closed


# -- malformed input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"a,b\n1,2\n3,4,5\n", "CSV line 3 has 3 fields; the header has 2."),
        (b"a,b,c\n1,2,3\n4\n", "CSV line 3 has 1 fields; the header has 3."),
        (b"a,,c\n1,2,3\n", "CSV header column 2 has no name."),
        (b"a,b,\n1,2,3\n", "CSV header column 3 has no name."),
        (b"id,name,id\n1,2,3\n", "CSV header names 'id' twice (columns 1 and 3)."),
        (b"\na,b\n1,2\n", "CSV line 1 is blank; it must hold the column names."),
        (b'a,b\n1,2\n3,"open\n', "CSV is malformed at line 3: unexpected end of data."),
        (b'a,b\n1,"2"x\n', "CSV is malformed at line 2"),
        (b"a,b\n1,\xff\xfe\n", "CSV is not valid UTF-8"),
    ],
    ids=[
        "too-many-fields",
        "too-few-fields",
        "empty-header-name",
        "trailing-delimiter-in-header",
        "repeated-header-name",
        "blank-first-line",
        "unclosed-quote",
        "text-after-closing-quote",
        "not-utf8",
    ],
)
def test_malformed_file_is_a_data_format_error_saying_where(data: bytes, message: str) -> None:
    with pytest.raises(DataFormatError) as caught:
        read(data)

    assert message in caught.value.message


def test_records_before_a_malformed_row_are_still_yielded() -> None:
    records = read_records(io.BytesIO(b"a,b\n1,2\n3\n"), DataFormat.CSV)

    assert next(records) == {"a": "1", "b": "2"}
    with pytest.raises(DataFormatError, match="line 3"):
        next(records)


def test_invalid_utf8_deep_in_a_file_is_placed_after_a_good_line_close_to_it() -> None:
    bad_line = 10_002
    data = b"a,b\n" + b"1,2\n" * (bad_line - 2) + b"3,\xff\n"

    with pytest.raises(DataFormatError, match=r"somewhere after line \d+") as caught:
        read(data)

    reported = int(caught.value.message.rsplit(" ", 1)[1].rstrip("."))
    # Text is decoded 8 KB ahead of the rows, 4 bytes a row here.
    assert bad_line - 8 * 1024 // 4 <= reported < bad_line


def test_error_message_does_not_quote_the_file() -> None:
    with pytest.raises(DataFormatError) as caught:
        read(b"user,token\nann,s3cr3t-value,extra\n")

    assert "s3cr3t-value" not in caught.value.message


# -- writing ------------------------------------------------------------------------------


def test_writes_a_header_then_one_line_per_record() -> None:
    data = write([{"id": 1, "name": "Ann"}, {"id": 2, "name": "Bob"}], ["id", "name"])

    assert data == b"id,name\r\n1,Ann\r\n2,Bob\r\n"


def test_writes_only_the_given_columns_in_their_order() -> None:
    data = write([{"b": "x", "a": "y", "extra": "z"}], ["a", "b"])

    assert data == b"a,b\r\ny,x\r\n"


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (None, b""),
        (float("nan"), b""),
        (True, b"true"),
        (False, b"false"),
        (3.5, b"3.5"),
        (datetime(2024, 5, 1, 10, 30, tzinfo=UTC), b"2024-05-01T10:30:00+00:00"),
        ({"k": [1, 2]}, b'"{""k"": [1, 2]}"'),
        ("a,b", b'"a,b"'),
        ("Zoë", "Zoë".encode()),
    ],
    ids=[
        "none-empty",
        "nan-empty",
        "true",
        "false",
        "float",
        "datetime-iso8601",
        "nested-as-json",
        "delimiter-quoted",
        "utf8",
    ],
)
def test_value_is_written_as(value: Any, cell: bytes) -> None:
    assert write([{"k": "x", "v": value}], ["k", "v"]) == b"k,v\r\nx," + cell + b"\r\n"


def test_writer_returns_the_record_count_and_leaves_the_stream_open() -> None:
    out = io.BytesIO()

    count = write_records(out, DataFormat.CSV, ({"a": i} for i in range(3)), ["a"])

    assert count == 3
    assert not out.closed
