"""XLSX: the first worksheet read row by row, and a write-only workbook writer.

openpyxl's read-only mode parses the sheet XML incrementally, so rows stream; the zip
container, though, needs random access, so a non-seekable stream is first spooled to a
temporary file (in memory up to 16 MiB, on disk beyond).
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import IO, Any, BinaryIO, Final

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from connectors.errors import DataFormatError
from connectors.formats._values import is_missing, to_text

__all__ = ["read_xlsx", "write_xlsx"]

_SPOOL_MAX_BYTES: Final = 16 * 1024 * 1024
# What openpyxl and the zip and XML layers beneath it raise for a damaged workbook. OSError
# is left out on purpose: it means the stream itself failed, not that the file is bad.
_DAMAGED: Final = (
    zipfile.BadZipFile,
    InvalidFileException,
    KeyError,
    SyntaxError,
    ValueError,
    zlib.error,
)


def read_xlsx(stream: BinaryIO) -> Iterator[dict[str, Any]]:
    """Yield the rows of the workbook's first worksheet as dicts keyed by its header row.

    The header is the first row that is not empty; rows whose cells are all empty are
    skipped wherever they are, since spreadsheets use them as visual spacing.

    Args:
        stream: The file. It is left open; a non-seekable stream is copied to a spool.

    Yields:
        One dict per row; cells keep openpyxl's Python types (str, int, float, bool,
        datetime) and empty cells are None.

    Raises:
        DataFormatError: If the file is not an XLSX workbook, a header cell is empty or
            repeated, or a row has a value in a column without a header.
    """
    with ExitStack() as cleanup:
        source: IO[bytes] = stream
        if not stream.seekable():
            source = cleanup.enter_context(tempfile.SpooledTemporaryFile(max_size=_SPOOL_MAX_BYTES))
            shutil.copyfileobj(stream, source)
            source.seek(0)
        try:
            workbook = load_workbook(source, read_only=True, data_only=True)
        except _DAMAGED as exc:
            raise DataFormatError(
                "XLSX file is not a readable workbook (legacy .xls and password-protected "
                "files are not supported)."
            ) from exc
        cleanup.callback(workbook.close)
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if not isinstance(sheet, ReadOnlyWorksheet):
            raise DataFormatError("XLSX workbook has no worksheet.")
        # The size a sheet declares is often wrong in files from other tools, and openpyxl
        # would cut rows to it; forgetting it makes every row as wide as its data.
        sheet.reset_dimensions()
        yield from _records(sheet.iter_rows(values_only=True))


def _records(rows: Iterable[tuple[Any, ...]]) -> Iterator[dict[str, Any]]:
    header: list[str] | None = None
    number = 0
    try:
        for number, values in enumerate(rows, start=1):
            if all(value is None for value in values):
                continue
            if header is None:
                header = _header(values, number)
                continue
            yield _record(header, values, number)
    except _DAMAGED as exc:
        raise DataFormatError(f"XLSX sheet is damaged after row {number}.") from exc


def _header(values: tuple[Any, ...], number: int) -> list[str]:
    names = ["" if value is None else str(value).strip() for value in values]
    # Trailing empty cells are formatting left over in the sheet, not unnamed columns.
    while names and not names[-1]:
        names.pop()
    if not names:
        raise DataFormatError(f"XLSX header row {number} has no names.")
    seen: dict[str, str] = {}
    for index, name in enumerate(names, start=1):
        cell = f"{get_column_letter(index)}{number}"
        if not name:
            raise DataFormatError(f"XLSX header cell {cell} is empty.")
        if name in seen:
            raise DataFormatError(
                f"XLSX header names {name!r} twice (cells {seen[name]} and {cell})."
            )
        seen[name] = cell
    return names


def _record(header: list[str], values: tuple[Any, ...], number: int) -> dict[str, Any]:
    for index in range(len(header), len(values)):
        if values[index] is not None:
            cell = f"{get_column_letter(index + 1)}{number}"
            raise DataFormatError(f"XLSX cell {cell} has a value but its column has no header.")
    return dict(zip(header, itertools.chain(values, itertools.repeat(None)), strict=False))


def write_xlsx(
    stream: BinaryIO, records: Iterable[Mapping[str, Any]], columns: Sequence[str]
) -> int:
    """Write a workbook with one sheet: a header row, then one row per record.

    openpyxl's write-only mode keeps rows in a temporary file, not in memory. Excel has no
    time zones, so aware datetimes are written as UTC; characters that XML 1.0 forbids
    (control characters) are dropped from text.

    Args:
        stream: Where to write. It is not closed.
        records: The records; keys outside ``columns`` are ignored.
        columns: The column names, in output order.

    Returns:
        The number of records written.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(list(columns))
    count = 0
    for record in records:
        sheet.append([_cell(record.get(name)) for name in columns])
        count += 1
    workbook.save(stream)
    return count


def _cell(value: Any) -> Any:
    if is_missing(value):
        return None
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, datetime | time) and value.tzinfo is not None:
        return _without_zone(value)
    if isinstance(value, int | float | Decimal | date | time):
        return value
    # Nested values become JSON text, anything else its text form, as in CSV.
    return to_text(value)


def _without_zone(value: datetime | time) -> datetime | str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None)
    # A time of day cannot be moved to UTC without a date, so its offset stays in text.
    return value.isoformat()
