"""JSON documents: a streaming reader of record arrays, and a streaming array writer.

A document is either an array of objects, an array of objects nested inside an object (found
by a dotted ``records_path`` such as ``data.items``), or a single object that is one record.
Parsing is incremental (ijson over yajl), so only one record is held in memory at a time.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, BinaryIO, Final

import ijson

from connectors.errors import DataFormatError
from connectors.formats._values import encode_json, project

__all__ = ["read_json", "write_json"]

# ijson's parse step reads this much at a time; it is also how closely a syntax error can
# be located, because yajl's own message quotes the document and is never passed on.
_CHUNK: Final = 16 * 1024
_WHITESPACE: Final = b" \t\r\n"
_EVENT_KINDS: Final = {
    "start_map": "an object",
    "string": "a string",
    "integer": "a number",
    "double": "a number",
    "number": "a number",
    "boolean": "a boolean",
    "null": "null",
}


class _Source:
    """Feeds ijson from a binary stream: counts bytes, drops a BOM, can peek the first byte."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._pending = b""
        self.start = 0
        self.end = 0

    def first_byte(self) -> int | None:
        """The first byte that is not whitespace (or a BOM), or None for an empty document."""
        while True:
            chunk = self._stream.read(_CHUNK)
            if not chunk:
                return None
            if self.end == 0 and chunk.startswith(codecs.BOM_UTF8):
                chunk = chunk[len(codecs.BOM_UTF8) :]
                self.end = len(codecs.BOM_UTF8)
            significant = chunk.lstrip(_WHITESPACE)
            self.end += len(chunk) - len(significant)
            if significant:
                self._pending = significant
                return significant[0]

    def read(self, size: int = -1) -> bytes:
        """Read as ijson expects, remembering which bytes the parser is working on."""
        if size == 0:
            # ijson probes with read(0) to learn whether the source yields bytes or text.
            return b""
        if self._pending:
            cut = len(self._pending) if size < 0 else size
            data, self._pending = self._pending[:cut], self._pending[cut:]
        else:
            data = self._stream.read(size)
        if data:
            # The empty read at the end keeps the last chunk as the place to point at.
            self.start, self.end = self.end, self.end + len(data)
        return data


def read_json(stream: BinaryIO, *, records_path: str | None = None) -> Iterator[dict[str, Any]]:
    """Yield the records of a JSON document.

    Args:
        stream: The file, positioned at its start. It is left open.
        records_path: Dotted keys leading to the array of records inside the top-level
            object, e.g. ``data.items``. Without it the document must be an array of
            objects, or one object that is then the only record.

    Yields:
        One dict per record, with JSON's native value types (numbers as int or float).

    Raises:
        DataFormatError: If the document is malformed, empty, or not shaped as above.
    """
    source = _Source(stream)
    first = source.first_byte()
    if first is None:
        raise DataFormatError("JSON document is empty.")
    try:
        if records_path is not None:
            yield from _nested_records(source, records_path)
        elif first == ord("["):
            yield from _array_records(ijson.items(source, "item", buf_size=_CHUNK, use_float=True))
        elif first == ord("{"):
            yield from ijson.items(source, "", buf_size=_CHUNK, use_float=True)
        else:
            raise DataFormatError(
                "JSON document is a single value; expected an array of objects or an object."
            )
    except ijson.JSONError as exc:
        raise DataFormatError(_syntax_message(source, exc)) from exc


def _array_records(items: Iterable[Any], where: str = "") -> Iterator[dict[str, Any]]:
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise DataFormatError(
                f"JSON array{where} element {number} is {_kind(item)}, not an object."
            )
        yield item


def _nested_records(source: _Source, records_path: str) -> Iterator[dict[str, Any]]:
    """Records of the array at ``records_path``.

    This goes through ijson's event stream rather than its faster direct path, because
    only the events tell a missing or non-array value at the path from an empty array.
    """
    found = False

    def watched(events: Iterable[tuple[str, str, Any]]) -> Iterator[tuple[str, str, Any]]:
        nonlocal found
        for prefix, event, value in events:
            if prefix == records_path and not found:
                if event != "start_array":
                    raise DataFormatError(
                        f"JSON value at {records_path!r} is {_event_kind(event)}, not an array."
                    )
                found = True
            yield prefix, event, value

    events = ijson.parse(source, buf_size=_CHUNK, use_float=True)
    items = ijson.items(watched(events), f"{records_path}.item")
    yield from _array_records(items, where=f" at {records_path!r}")
    if not found:
        raise DataFormatError(f"JSON document has no value at {records_path!r}.")


def _syntax_message(source: _Source, exc: Exception) -> str:
    # yajl's message is safe to match on but not to show: it quotes the document.
    if "premature EOF" in str(exc):
        return f"JSON document ends early: it is incomplete after byte {source.end}."
    return f"JSON is malformed between byte {source.start} and byte {source.end}."


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array"


def _event_kind(event: str) -> str:
    return _EVENT_KINDS.get(event, "an array")


def write_json(
    stream: BinaryIO, records: Iterable[Mapping[str, Any]], columns: Sequence[str]
) -> int:
    """Write the records as one JSON array, one object per line, without building it whole.

    Args:
        stream: Where to write. It is not closed.
        records: The records; keys outside ``columns`` are ignored.
        columns: The keys each object gets, in this order; absent values become null.

    Returns:
        The number of records written.

    Raises:
        DataFormatError: If a value has no JSON form.
    """
    stream.write(b"[")
    count = 0
    for record in records:
        count += 1
        text = encode_json(project(record, columns), number=count)
        stream.write(b"\n" if count == 1 else b",\n")
        stream.write(text.encode("utf-8"))
    stream.write(b"\n]\n" if count else b"]\n")
    return count
