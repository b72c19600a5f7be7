"""Choosing a format by name, and the promise every format keeps: what is written reads back."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.errors import InvalidConfigError
from connectors.formats import format_from_name, read_records, write_records
from connectors.spec import DataFormat
from tests.connectors.formats.streams import forward_only


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("items.csv", DataFormat.CSV),
        ("ITEMS.CSV", DataFormat.CSV),
        ("items.tsv", DataFormat.CSV),
        ("exports/2024/items.json", DataFormat.JSON),
        ("items.ndjson", DataFormat.NDJSON),
        ("items.jsonl", DataFormat.NDJSON),
        ("Report.Xlsx", DataFormat.XLSX),
        ("items.v2.csv", DataFormat.CSV),
        ("items.csv.gz", None),
        ("items.xls", None),
        ("items.txt", None),
        ("items", None),
        ("exports.csv/items", None),
        (".csv", None),
        ("", None),
    ],
    ids=[
        "csv",
        "upper-case",
        "tsv-is-csv",
        "path",
        "ndjson",
        "jsonl-is-ndjson",
        "mixed-case",
        "dots-in-stem",
        "gzip-unsupported",
        "legacy-xls-unsupported",
        "unknown-extension",
        "no-extension",
        "extension-only-on-folder",
        "hidden-file-without-extension",
        "empty",
    ],
)
def test_format_from_name(name: str, expected: DataFormat | None) -> None:
    assert format_from_name(name) is expected


# Each format's own value types: CSV has only text, JSON has no datetimes.
ROUND_TRIPS: dict[DataFormat, list[dict[str, Any]]] = {
    DataFormat.CSV: [
        {"id": "1", "name": "Ann, Jr.", "note": 'say "hi"\nbye'},
        {"id": "2", "name": "Zoë", "note": None},
    ],
    DataFormat.JSON: [
        {"id": 1, "name": "Ann", "note": {"tags": ["a", "b"], "score": 2.5}},
        {"id": 2, "name": "Zoë", "note": None},
        {"id": 3, "name": "", "note": True},
    ],
    DataFormat.NDJSON: [
        {"id": 1, "name": "Ann", "note": {"tags": ["a", "b"], "score": 2.5}},
        {"id": 2, "name": "Zoë", "note": None},
        {"id": 3, "name": "", "note": True},
    ],
    DataFormat.XLSX: [
        # A spreadsheet cell holds no time zone.
        {
            "id": 1,
            "name": "Ann",
            "note": datetime(2024, 5, 1, 10, 30, tzinfo=UTC).replace(tzinfo=None),
        },
        {"id": 2, "name": "Zoë", "note": 2.5},
        {"id": 3, "name": None, "note": False},
    ],
}


@pytest.mark.parametrize("fmt", list(DataFormat), ids=lambda fmt: fmt.value.lower())
def test_written_records_read_back_the_same(fmt: DataFormat) -> None:
    records = ROUND_TRIPS[fmt]
    out = io.BytesIO()

    count = write_records(out, fmt, records, ["id", "name", "note"])
    out.seek(0)

    assert count == len(records)
    assert list(read_records(out, fmt)) == records


@pytest.mark.parametrize("fmt", list(DataFormat), ids=lambda fmt: fmt.value.lower())
def test_written_records_read_back_from_a_stream_that_cannot_seek(fmt: DataFormat) -> None:
    out = io.BytesIO()
    write_records(out, fmt, ROUND_TRIPS[fmt], ["id", "name", "note"])
    stream, _ = forward_only(out.getvalue())

    assert list(read_records(stream, fmt)) == ROUND_TRIPS[fmt]


@pytest.mark.parametrize("fmt", list(DataFormat), ids=lambda fmt: fmt.value.lower())
def test_nothing_is_read_until_the_first_record_is_asked_for(fmt: DataFormat) -> None:
    stream, counter = forward_only(b"anything")

    read_records(stream, fmt)

    assert counter.bytes_read == 0


@pytest.mark.parametrize(
    "fmt",
    [DataFormat.CSV, DataFormat.NDJSON, DataFormat.XLSX],
    ids=["csv", "ndjson", "xlsx"],
)
def test_records_path_is_refused_for_formats_other_than_json(fmt: DataFormat) -> None:
    with pytest.raises(InvalidConfigError) as caught:
        read_records(io.BytesIO(b""), fmt, records_path="data.items")

    assert caught.value.field == "records_path"
    assert caught.value.message == f"A records path applies to JSON files only, not {fmt.value}."


@pytest.mark.parametrize(
    "records_path",
    ["", "data..items", ".items", "data."],
    ids=["empty", "double-dot", "leading-dot", "trailing-dot"],
)
def test_records_path_with_an_empty_key_is_refused(records_path: str) -> None:
    with pytest.raises(InvalidConfigError) as caught:
        read_records(io.BytesIO(b"{}"), DataFormat.JSON, records_path=records_path)

    assert caught.value.field == "records_path"
