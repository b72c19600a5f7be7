"""Turning one inventory file into one result file, record by record."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from connections.jobs import ColumnMapping, transform_file
from connectors.errors import DataFormatError
from connectors.formats import read_records
from connectors.spec import DataFormat


def _read(path: Path, fmt: DataFormat) -> list[dict[str, object]]:
    with path.open("rb") as stream:
        return list(read_records(stream, fmt))


def test_csv_is_mapped_into_csv(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("Item Code,Title,Stock\nA1,Widget,3\nB2,Gadget,4\n")
    dst = tmp_path / "out.csv"

    outcome = transform_file(
        src, DataFormat.CSV, dst, DataFormat.CSV, ColumnMapping(fields={"sku": "Item Code"})
    )

    assert dst.read_text().splitlines() == ["sku", "A1", "B2"]
    assert (outcome.records_in, outcome.records_out, outcome.error_rows) == (2, 2, 0)


def test_without_a_mapping_csv_columns_pass_through(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("Item Code,Title\nA1,Widget\n")
    dst = tmp_path / "out.ndjson"

    outcome = transform_file(src, DataFormat.CSV, dst, DataFormat.NDJSON, None)

    assert [json.loads(line) for line in dst.read_text().splitlines()] == [
        {"Item Code": "A1", "Title": "Widget"}
    ]
    assert outcome.columns == ["Item Code", "Title"]


def test_ndjson_pass_through_keeps_every_key_of_every_record(tmp_path: Path) -> None:
    src = tmp_path / "in.ndjson"
    src.write_text('{"a": 1}\n{"b": 2}\n{"a": 3, "c": [1, 2]}\n')
    dst = tmp_path / "out.csv"

    outcome = transform_file(src, DataFormat.NDJSON, dst, DataFormat.CSV, None)

    assert outcome.columns == ["a", "b", "c"]
    assert dst.read_text().splitlines() == ["a,b,c", "1,,", ",2,", '3,,"[1, 2]"']


def test_nested_json_records_are_found_by_their_path(tmp_path: Path) -> None:
    src = tmp_path / "in.json"
    src.write_text(json.dumps({"data": {"items": [{"id": 1, "name": "x"}]}}))
    dst = tmp_path / "out.json"

    transform_file(
        src,
        DataFormat.JSON,
        dst,
        DataFormat.JSON,
        ColumnMapping(fields={"key": "id"}),
        records_path="data.items",
    )

    assert json.loads(dst.read_text()) == [{"key": 1}]


def test_results_can_be_xlsx(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("sku,qty\nA1,3\n")
    dst = tmp_path / "out.xlsx"

    transform_file(src, DataFormat.CSV, dst, DataFormat.XLSX, None)

    assert _read(dst, DataFormat.XLSX) == [{"sku": "A1", "qty": "3"}]


def test_error_rows_are_left_out_and_described(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("code,name\nA1,Widget\n,Nameless\nC3,Gizmo\n")
    dst = tmp_path / "out.csv"

    outcome = transform_file(
        src,
        DataFormat.CSV,
        dst,
        DataFormat.CSV,
        ColumnMapping(fields={"sku": "code", "name": "name"}, required=("sku",)),
    )

    assert dst.read_text().splitlines() == ["sku,name", "A1,Widget", "C3,Gizmo"]
    assert outcome.error_rows == 1
    assert outcome.errors == [
        {"row": 2, "field": "sku", "message": "'sku' is required but column 'code' is empty."}
    ]


def test_a_file_that_does_not_parse_says_where(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("a,b\n1,2\n3,4,5\n")

    with pytest.raises(DataFormatError, match="line 3"):
        transform_file(src, DataFormat.CSV, tmp_path / "out.csv", DataFormat.CSV, None)


def test_the_source_file_is_left_as_it_was(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    content = b"a,b\n1,2\n"
    src.write_bytes(content)

    transform_file(src, DataFormat.CSV, tmp_path / "out.csv", DataFormat.CSV, None)

    assert src.read_bytes() == content
    assert list(read_records(io.BytesIO(content), DataFormat.CSV)) == [{"a": "1", "b": "2"}]
