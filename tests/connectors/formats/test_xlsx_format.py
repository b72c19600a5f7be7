"""XLSX: the first worksheet as header-keyed records with native cell types."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from connectors.errors import DataFormatError
from connectors.formats import read_records, write_records
from connectors.spec import DataFormat
from tests.connectors.formats.streams import ForwardOnlyWriter, forward_only


def wall_clock(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    """A datetime without a zone, the only kind a spreadsheet cell holds."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC).replace(tzinfo=None)


def workbook(*rows: Sequence[Any]) -> Workbook:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    return book


def to_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read(data: bytes) -> list[dict[str, Any]]:
    return list(read_records(io.BytesIO(data), DataFormat.XLSX))


def write(records: list[dict[str, Any]], columns: list[str]) -> bytes:
    out = io.BytesIO()
    write_records(out, DataFormat.XLSX, records, columns)
    return out.getvalue()


def mark_empty_cell(book: Workbook, cell: str) -> None:
    """Give a cell formatting but no value, as spreadsheet tools leave behind."""
    sheet = book.active
    assert sheet is not None
    sheet[cell].font = Font(bold=True)


# -- reading ------------------------------------------------------------------------------


def test_rows_are_keyed_by_the_header_row() -> None:
    data = to_bytes(workbook(["id", "name"], [1, "Ann"], [2, "Bob"]))

    assert read(data) == [{"id": 1, "name": "Ann"}, {"id": 2, "name": "Bob"}]


def test_cells_keep_their_python_types() -> None:
    when = wall_clock(2024, 5, 1, 10, 30)
    data = to_bytes(workbook(["i", "f", "b", "s", "t"], [7, 2.5, True, "x", when]))

    [record] = read(data)

    assert record == {"i": 7, "f": 2.5, "b": True, "s": "x", "t": when}
    assert type(record["i"]) is int
    assert type(record["t"]) is datetime


def test_empty_cells_are_none() -> None:
    data = to_bytes(workbook(["a", "b", "c"], [None, "x", None]))

    assert read(data) == [{"a": None, "b": "x", "c": None}]


def test_fully_empty_rows_are_skipped_wherever_they_are() -> None:
    book = workbook(["id"], [1], [None], [2])
    mark_empty_cell(book, "A3")
    mark_empty_cell(book, "A20")

    assert read(to_bytes(book)) == [{"id": 1}, {"id": 2}]


def test_header_is_the_first_row_with_a_value() -> None:
    book = workbook([None], [None], ["id"], [1])
    mark_empty_cell(book, "A1")

    assert read(to_bytes(book)) == [{"id": 1}]


def test_formatted_empty_cells_right_of_the_header_are_not_columns() -> None:
    book = workbook(["id", "name"], [1, "Ann"])
    mark_empty_cell(book, "D1")

    assert read(to_bytes(book)) == [{"id": 1, "name": "Ann"}]


def test_header_names_are_text_without_surrounding_spaces() -> None:
    assert read(to_bytes(workbook([" id ", 2024], [1, "x"]))) == [{"id": 1, "2024": "x"}]


def test_only_the_first_sheet_is_read() -> None:
    book = workbook(["id"], [1])
    book.create_sheet("Other").append(["other"])

    assert read(to_bytes(book)) == [{"id": 1}]


@pytest.mark.parametrize(
    "rows",
    [[], [["id"]]],
    ids=["empty-sheet", "header-only"],
)
def test_sheet_without_data_rows_has_no_records(rows: list[list[Any]]) -> None:
    assert read(to_bytes(workbook(*rows))) == []


def test_non_seekable_stream_is_read() -> None:
    stream, counter = forward_only(to_bytes(workbook(["id"], [1], [2])))
    assert not stream.seekable()

    assert list(read_records(stream, DataFormat.XLSX)) == [{"id": 1}, {"id": 2}]
    assert counter.bytes_read > 0


def test_reading_leaves_the_stream_open() -> None:
    stream = io.BytesIO(to_bytes(workbook(["id"], [1])))

    assert list(read_records(stream, DataFormat.XLSX)) == [{"id": 1}]
    assert not stream.closed


# -- malformed input ----------------------------------------------------------------------


def zip_without_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"id,name\n1,Ann\n",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,
        zip_without_workbook(),
    ],
    ids=["empty", "csv-text", "legacy-xls-header", "zip-without-workbook"],
)
def test_file_that_is_not_a_workbook_is_a_data_format_error(data: bytes) -> None:
    with pytest.raises(DataFormatError, match="XLSX file is not a readable workbook"):
        read(data)


def test_truncated_workbook_is_a_data_format_error() -> None:
    data = to_bytes(workbook(["id"], *([i] for i in range(1000))))

    with pytest.raises(DataFormatError, match="XLSX file is not a readable workbook"):
        read(data[: len(data) // 2])


def with_sheet_cut_in_half(data: bytes) -> bytes:
    """The same workbook, its first sheet's XML cut off halfway."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content[: len(content) // 2]
            target.writestr(info, content)
    return out.getvalue()


def test_damaged_sheet_yields_the_rows_before_the_damage_then_says_where() -> None:
    data = with_sheet_cut_in_half(to_bytes(workbook(["id"], *([i] for i in range(1000)))))
    records = read_records(io.BytesIO(data), DataFormat.XLSX)
    seen: list[dict[str, Any]] = []

    with pytest.raises(DataFormatError) as caught:
        seen.extend(records)

    assert seen == [{"id": i} for i in range(len(seen))]
    assert len(seen) > 100
    assert caught.value.message == f"XLSX sheet is damaged after row {len(seen) + 1}."


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["id", None, "name"], [1, 2, 3]], "XLSX header cell B1 is empty."),
        ([[None], [None], ["id", None, "n"], [1, 2, 3]], "XLSX header cell B3 is empty."),
        ([["id", "name", "id"], [1, 2, 3]], "XLSX header names 'id' twice (cells A1 and C1)."),
        ([[" ", "  "], [1, 2]], "XLSX header row 1 has no names."),
        ([["id"], [1], [2, "stray"]], "XLSX cell B3 has a value but its column has no header."),
    ],
    ids=[
        "empty-header-cell",
        "header-below-empty-rows",
        "repeated-header-name",
        "blank-names",
        "value-without-header",
    ],
)
def test_malformed_sheet_is_a_data_format_error_naming_the_cell(
    rows: list[list[Any]], message: str
) -> None:
    with pytest.raises(DataFormatError) as caught:
        read(to_bytes(workbook(*rows)))

    assert caught.value.message == message


# -- writing ------------------------------------------------------------------------------


def test_writes_a_header_row_then_one_row_per_record() -> None:
    data = write([{"id": 1, "name": "Ann"}, {"id": 2, "name": "Bob"}], ["id", "name"])

    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    assert list(sheet.iter_rows(values_only=True)) == [("id", "name"), (1, "Ann"), (2, "Bob")]


def test_aware_datetimes_are_written_as_utc() -> None:
    at = datetime(2024, 5, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))

    assert read(write([{"at": at}], ["at"])) == [{"at": wall_clock(2024, 5, 1, 10, 0)}]


def test_control_characters_are_dropped_from_text() -> None:
    assert read(write([{"s": "a\x00b\x1bc"}], ["s"])) == [{"s": "abc"}]


@pytest.mark.parametrize(
    ("value", "read_back"),
    [
        ({"k": [1, 2]}, '{"k": [1, 2]}'),
        ([1, "a"], '[1, "a"]'),
        (float("nan"), None),
        (None, None),
    ],
    ids=["object-as-json", "list-as-json", "nan-empty", "none-empty"],
)
def test_value_is_written_as(value: Any, read_back: Any) -> None:
    assert read(write([{"id": 1, "v": value}], ["id", "v"])) == [{"id": 1, "v": read_back}]


def test_writes_to_a_stream_that_cannot_seek() -> None:
    raw = ForwardOnlyWriter()
    out = io.BufferedWriter(raw)

    count = write_records(out, DataFormat.XLSX, [{"id": 1}], ["id"])
    out.flush()

    assert count == 1
    assert read(bytes(raw.data)) == [{"id": 1}]


def test_writer_returns_the_record_count() -> None:
    out = io.BytesIO()

    assert write_records(out, DataFormat.XLSX, ({"a": i} for i in range(5)), ["a"]) == 5


def test_aware_datetime_in_utc_round_trips_as_naive_utc() -> None:
    at = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)

    assert read(write([{"at": at}], ["at"])) == [{"at": at.replace(tzinfo=None)}]
