"""Choosing the reader or writer for a :class:`~connectors.spec.DataFormat`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any, BinaryIO, Final

from connectors.errors import InvalidConfigError
from connectors.formats.csv_format import read_csv, write_csv
from connectors.formats.json_format import read_json, write_json
from connectors.formats.ndjson_format import read_ndjson, write_ndjson
from connectors.formats.xlsx_format import read_xlsx, write_xlsx
from connectors.spec import DataFormat

__all__ = ["format_from_name", "read_records", "write_records"]

_BY_SUFFIX: Final = {
    ".csv": DataFormat.CSV,
    ".tsv": DataFormat.CSV,
    ".json": DataFormat.JSON,
    ".ndjson": DataFormat.NDJSON,
    ".jsonl": DataFormat.NDJSON,
    ".xlsx": DataFormat.XLSX,
}


def format_from_name(name: str) -> DataFormat | None:
    """The format a file or object-key name announces by its extension, if any.

    Only the last extension counts, so compressed files such as ``data.csv.gz`` give None:
    no reader here decompresses.

    Args:
        name: A file name, path or object key, e.g. ``exports/2024/Items.CSV``.

    Returns:
        The format, or None if the extension is missing or not one we read.
    """
    return _BY_SUFFIX.get(PurePosixPath(name).suffix.lower())


def read_records(
    stream: BinaryIO, fmt: DataFormat, *, records_path: str | None = None
) -> Iterator[dict[str, Any]]:
    """Stream the records of a file.

    Reading is lazy: nothing is read until the first record is asked for, and CSV, JSON
    and NDJSON hold one record at a time. XLSX needs random access to its zip container
    and spools a non-seekable stream to a temporary file first.

    Args:
        stream: The file, positioned at its start. It is left open.
        fmt: The file's format.
        records_path: For JSON only, the dotted keys of the records array inside the
            top-level object, e.g. ``data.items``.

    Returns:
        An iterator of records. CSV values are strings (empty cells None); JSON and
        NDJSON keep their native types; XLSX cells keep their Python types.

    Raises:
        InvalidConfigError: If ``records_path`` is given for a format other than JSON,
            or is not a dotted path.
        DataFormatError: While iterating, if the file does not parse; the message says
            where.
    """
    if records_path is not None:
        if fmt is not DataFormat.JSON:
            raise InvalidConfigError(
                f"A records path applies to JSON files only, not {fmt.value}.",
                field="records_path",
            )
        if not all(records_path.split(".")):
            raise InvalidConfigError(
                "A records path is keys separated by dots, such as 'data.items'.",
                field="records_path",
            )
    match fmt:
        case DataFormat.CSV:
            return read_csv(stream)
        case DataFormat.JSON:
            return read_json(stream, records_path=records_path)
        case DataFormat.NDJSON:
            return read_ndjson(stream)
        case DataFormat.XLSX:
            return read_xlsx(stream)


def write_records(
    stream: BinaryIO,
    fmt: DataFormat,
    records: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
) -> int:
    """Write records to a stream, one at a time.

    Text formats are UTF-8 and write datetimes as ISO 8601; missing values and NaN
    become empty CSV cells, JSON nulls or empty XLSX cells.

    Args:
        stream: Where to write. It is not closed.
        fmt: The format to write.
        records: The records; keys outside ``columns`` are ignored.
        columns: The columns to write, in order.

    Returns:
        The number of records written.

    Raises:
        DataFormatError: If a value cannot be represented in JSON or NDJSON.
    """
    match fmt:
        case DataFormat.CSV:
            return write_csv(stream, records, columns)
        case DataFormat.JSON:
            return write_json(stream, records, columns)
        case DataFormat.NDJSON:
            return write_ndjson(stream, records, columns)
        case DataFormat.XLSX:
            return write_xlsx(stream, records, columns)
