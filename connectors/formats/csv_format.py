"""CSV: streaming reader with delimiter sniffing, and a streaming writer.

The reader decodes UTF-8 (a leading byte-order mark is dropped), guesses the delimiter among
``, ; TAB |`` from the first few kilobytes, takes the first line as the header and yields
one dict per row with every value a string and empty cells as None. Only one row is held in
memory at a time.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, BinaryIO, Final

from connectors.errors import DataFormatError
from connectors.formats._values import to_text

__all__ = ["read_csv", "write_csv"]

_SNIFF_CHARS: Final = 8 * 1024
_DELIMITERS: Final = ",;\t|"


def read_csv(stream: BinaryIO) -> Iterator[dict[str, Any]]:
    """Yield the rows of a CSV file as dicts keyed by the header.

    Args:
        stream: The file, positioned at its start. It is left open.

    Yields:
        One dict per non-blank row; values are strings, empty cells are None.

    Raises:
        DataFormatError: If the header has an empty or repeated name, a row has more or
            fewer fields than the header, the quoting is broken, or the text is not UTF-8.
    """
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        try:
            sample = _read_sample(text)
        except UnicodeDecodeError as exc:
            raise DataFormatError("CSV is not valid UTF-8 text in its first lines.") from exc
        lines = itertools.chain(io.StringIO(sample, newline=""), text)
        # strict: an unclosed quote is an error, not a field that swallows the file.
        reader = csv.DictReader(lines, delimiter=_sniff_delimiter(sample), strict=True)
        try:
            yield from _rows(reader)
        except csv.Error as exc:
            # The inner reader's count: DictReader's own lags a row behind on errors.
            line = reader.reader.line_num
            raise DataFormatError(f"CSV is malformed at line {line}: {exc}.") from exc
        except UnicodeDecodeError as exc:
            line = reader.reader.line_num
            raise DataFormatError(
                f"CSV is not valid UTF-8 text somewhere after line {line}."
            ) from exc
    finally:
        _release(text, stream)


def _read_sample(text: io.TextIOWrapper) -> str:
    """The first few KB, extended to a line end so the sample holds whole lines only."""
    sample = text.read(_SNIFF_CHARS)
    if sample and not sample.endswith("\n"):
        sample += text.readline()
    return sample


def _sniff_delimiter(sample: str) -> str:
    # Blank lines have no delimiters and would make every candidate look inconsistent.
    lines = [line for line in sample.splitlines() if line.strip()]
    if not lines:
        return ","
    header = lines[0]
    try:
        sniffed = csv.Sniffer().sniff("\n".join(lines), delimiters=_DELIMITERS).delimiter
    except csv.Error:
        sniffed = ""
    # The sniffer can be swayed by punctuation inside values; a delimiter must at least
    # separate the header's names. Failing that, the candidate the header uses most wins.
    if sniffed and sniffed in header:
        return sniffed
    best = max(_DELIMITERS, key=header.count)
    return best if best in header else ","


def _rows(reader: csv.DictReader[str]) -> Iterator[dict[str, Any]]:
    fieldnames = reader.fieldnames
    if fieldnames is None:
        return
    header = _check_header(fieldnames)
    reader.fieldnames = header
    width = len(header)
    last = header[-1]
    for row in reader:
        # DictReader files surplus fields under the key None and pads a short row with
        # None, which always reaches the last column first; a real cell is never None.
        if None in row or row[last] is None:
            fields = width + len(row.get(None) or ()) - sum(v is None for v in row.values())
            raise DataFormatError(
                f"CSV line {reader.line_num} has {fields} fields; the header has {width}."
            )
        yield {name: value or None for name, value in row.items()}


def _check_header(fieldnames: Sequence[str]) -> list[str]:
    if not fieldnames:
        raise DataFormatError("CSV line 1 is blank; it must hold the column names.")
    # Spaces around names ("id, name") are never meant to be part of the name.
    header = [name.strip() for name in fieldnames]
    seen: dict[str, int] = {}
    for position, name in enumerate(header, start=1):
        if not name:
            raise DataFormatError(f"CSV header column {position} has no name.")
        if name in seen:
            raise DataFormatError(
                f"CSV header names {name!r} twice (columns {seen[name]} and {position})."
            )
        seen[name] = position
    return header


def _release(text: io.TextIOWrapper, stream: BinaryIO) -> None:
    """Unhook the text layer so that discarding it does not close the caller's stream."""
    if not stream.closed:
        text.detach()


def write_csv(
    stream: BinaryIO, records: Iterable[Mapping[str, Any]], columns: Sequence[str]
) -> int:
    """Write a header line and one line per record as UTF-8 CSV.

    Args:
        stream: Where to write. It is flushed, not closed.
        records: The records; keys outside ``columns`` are ignored.
        columns: The column names, in output order.

    Returns:
        The number of records written.
    """
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
    try:
        writer = csv.writer(text)
        writer.writerow(columns)
        count = 0
        for record in records:
            writer.writerow([to_text(record.get(name)) for name in columns])
            count += 1
        text.flush()
    finally:
        _release(text, stream)
    return count
