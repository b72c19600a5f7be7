"""Turning one inventory file into one result file, a record at a time.

Memory stays bounded whatever the file's size: the reader yields one record, the mapper
maps it and the writer writes it before the next is read. The one thing a writer needs
up front is the list of columns: with a mapping it is the mapping's targets; without one,
a CSV file's header; for JSON, NDJSON and XLSX, whose records may each carry other keys,
a first pass collects every key (in order of appearance) before the second pass writes.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from connections.jobs.mapping import MAX_KEPT_ERRORS, ColumnMapping, RowMapper
from connectors.errors import DataFormatError
from connectors.formats import read_records, write_records
from connectors.spec import DataFormat

__all__ = ["Outcome", "transform_file"]

# A file whose records, together, have more keys than this is refused: one wide record
# per row (say, a JSON object keyed by product id) is not a table.
_MAX_COLUMNS: Final = 10_000


@dataclass(frozen=True)
class Outcome:
    """What a transformation read, wrote and refused.

    Attributes:
        records_in: Records read from the source file.
        records_out: Records written to the result.
        error_rows: Records refused by validation.
        errors: The first refused records described (position, field, reason).
        columns: The result's columns, in order.
    """

    records_in: int
    records_out: int
    error_rows: int
    errors: list[dict[str, Any]]
    columns: list[str]


def _open_records(
    src: Path, fmt: DataFormat, records_path: str | None
) -> tuple[Any, Iterator[dict[str, Any]]]:
    stream = src.open("rb")
    try:
        return stream, read_records(
            stream, fmt, records_path=records_path if fmt is DataFormat.JSON else None
        )
    except BaseException:
        stream.close()
        raise


def _all_keys(src: Path, fmt: DataFormat, records_path: str | None) -> list[str]:
    stream, records = _open_records(src, fmt, records_path)
    keys: dict[str, None] = {}
    with stream:
        for record in records:
            keys.update(dict.fromkeys(record))
            if len(keys) > _MAX_COLUMNS:
                raise DataFormatError(
                    f"The records of this {fmt.value} file have more than {_MAX_COLUMNS} "
                    "different keys between them; that is not a table."
                )
    return list(keys)


def transform_file(
    src: Path,
    src_format: DataFormat,
    dst: Path,
    dst_format: DataFormat,
    mapping: ColumnMapping | None,
    *,
    records_path: str | None = None,
    max_errors: int = MAX_KEPT_ERRORS,
) -> Outcome:
    """Read ``src``, map and validate each record, write the good ones to ``dst``.

    Blocking: run it in a thread.

    Args:
        src: The inventory file.
        src_format: Its format.
        dst: Where the result goes (created or replaced).
        dst_format: The result's format.
        mapping: The column mapping; None passes columns through unchanged.
        records_path: For JSON files, the dotted path of the records array.
        max_errors: How many error rows are described in the outcome.

    Raises:
        DataFormatError: The file does not parse; the message says where.
    """
    mapper = RowMapper(mapping, max_errors=max_errors)
    stream, records = _open_records(src, src_format, records_path)
    with stream:
        if mapping is not None:
            columns = list(mapping.fields)
        elif src_format is DataFormat.CSV:
            # Every CSV row has the header's keys: the first row names the columns.
            first = next(records, None)
            columns = list(first) if first is not None else []
            records = itertools.chain([first] if first is not None else [], records)
        else:
            columns = _all_keys(src, src_format, records_path)
        with dst.open("wb") as out:
            write_records(out, dst_format, mapper.map(records), columns)
    return Outcome(
        records_in=mapper.records_in,
        records_out=mapper.records_out,
        error_rows=mapper.error_rows,
        errors=list(mapper.errors),
        columns=columns,
    )
