"""NDJSON (JSON Lines): one JSON object per line, read and written a line at a time."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, BinaryIO

from connectors.errors import DataFormatError
from connectors.formats._values import encode_json, project

__all__ = ["read_ndjson", "write_ndjson"]


def read_ndjson(stream: BinaryIO) -> Iterator[dict[str, Any]]:
    """Yield one record per line of an NDJSON file.

    Args:
        stream: The file, positioned at its start. It is left open.

    Yields:
        One dict per non-blank line, with JSON's native value types.

    Raises:
        DataFormatError: If a line is not UTF-8, not JSON, or not a JSON object.
    """
    for number, raw in enumerate(stream, start=1):
        try:
            # Only the first line can carry a byte-order mark.
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise DataFormatError(f"NDJSON line {number} is not valid UTF-8 text.") from exc
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataFormatError(
                f"NDJSON line {number} is not valid JSON (at column {exc.pos + 1})."
            ) from exc
        if not isinstance(record, dict):
            raise DataFormatError(f"NDJSON line {number} is not a JSON object.")
        yield record


def write_ndjson(
    stream: BinaryIO, records: Iterable[Mapping[str, Any]], columns: Sequence[str]
) -> int:
    """Write each record as one compact JSON object followed by a newline.

    Args:
        stream: Where to write. It is not closed.
        records: The records; keys outside ``columns`` are ignored.
        columns: The keys each object gets, in this order; absent values become null.

    Returns:
        The number of records written.

    Raises:
        DataFormatError: If a value has no JSON form.
    """
    count = 0
    for record in records:
        count += 1
        text = encode_json(project(record, columns), number=count)
        stream.write(text.encode("utf-8") + b"\n")
    return count
