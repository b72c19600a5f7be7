"""Pulling a database (or any record-reading connector) into table extracts.

Each selected stream is read with the connector's ``read`` from the source's saved state,
record by record, into one NDJSON or CSV file (the source's format; NDJSON by default), so
memory stays bounded whatever the table's size. Each non-empty extract becomes one upload
whose ETag hashes where the stream's cursor ended and the extract's bytes. The
stream's new state is stored in the same transaction as the upload row: a pull killed before
that commit reads the same range again next time, one killed after it goes on from the new
cursor.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import json
import queue
import threading
from collections.abc import Iterator, Mapping
from contextlib import aclosing
from pathlib import Path
from typing import Any, BinaryIO, cast

import structlog

from connections.inventory import InventoryError, safe_name
from connections.sync.committer import NewUpload
from connections.sync.manifest import EntryStatus, Outcome, entry
from connections.sync.run import PullRun
from connectors.errors import ConnectorError, ResourceNotFoundError
from connectors.formats import write_records
from connectors.results import RecordMessage, StateMessage
from connectors.spec import DataFormat

__all__ = ["ExtractWriter", "extract_etag", "pull_extracts"]

log = structlog.get_logger(__name__)

_BATCH = 500
_QUEUED_BATCHES = 8
_DONE: Any = object()


class ExtractWriter:
    """Writes records to a file on a thread of its own, a bounded batch queue in between.

    The column list is the first record's keys (a table's columns); ``write_records`` then
    streams every record into the file, so only a few batches are ever held in memory.
    """

    def __init__(self, path: Path, fmt: DataFormat) -> None:
        self.path = path
        self.format = fmt
        self._queue: queue.Queue[list[Mapping[str, Any]] | Any] = queue.Queue(_QUEUED_BATCHES)
        self._batch: list[Mapping[str, Any]] = []
        self._thread: threading.Thread | None = None
        self._count = 0
        self._error: BaseException | None = None
        #: The SHA-256 of the written file, once :meth:`finish` returned.
        self.sha256 = ""

    async def add(self, record: Mapping[str, Any]) -> None:
        """Queue one record (waits when the writer is behind)."""
        if self._thread is None:
            columns = list(record)
            self._thread = threading.Thread(
                target=self._write, args=(columns,), name="ia-extract", daemon=True
            )
            self._thread.start()
        self._batch.append(record)
        if len(self._batch) >= _BATCH:
            await self._flush()

    async def _flush(self) -> None:
        batch, self._batch = self._batch, []
        await self._put(batch)

    async def _put(self, item: Any) -> None:
        while True:
            if self._error is not None or (self._thread and not self._thread.is_alive()):
                return  # the writer stopped: finish() reports why
            try:
                self._queue.put_nowait(item)
            except queue.Full:
                await asyncio.sleep(0.005)
            else:
                return

    def _records(self) -> Iterator[Mapping[str, Any]]:
        while (batch := self._queue.get()) is not _DONE:
            yield from batch

    def _write(self, columns: list[str]) -> None:
        try:
            with self.path.open("wb") as out:
                hashing = _Hashing(out)
                self._count = write_records(
                    cast(BinaryIO, hashing), self.format, self._records(), columns
                )
                self.sha256 = hashing.digest.hexdigest()
        except BaseException as exc:  # noqa: BLE001 - handed over to finish()
            self._error = exc

    async def finish(self) -> tuple[int, int]:
        """Write what is left; return (records, bytes).

        Raises:
            DataFormatError: A value had no form in the extract's format.
        """
        if self._thread is None:
            return 0, 0
        if self._batch:
            await self._flush()
        await self._put(_DONE)
        await asyncio.to_thread(self._thread.join)
        if self._error is not None:
            raise self._error
        return self._count, (await asyncio.to_thread(self.path.stat)).st_size

    async def abandon(self) -> None:
        """Stop the writer (the read failed); the file is left for the caller to remove."""
        if self._thread is None or not self._thread.is_alive():
            return
        self._batch = []
        with contextlib.suppress(queue.Empty):
            while True:
                self._queue.get_nowait()
        await self._put(_DONE)
        await asyncio.to_thread(self._thread.join)


class _Hashing(io.RawIOBase):
    """A binary file that hashes what is written to it (and passes it on)."""

    def __init__(self, out: BinaryIO) -> None:
        super().__init__()
        self._out = out
        self.digest = hashlib.sha256()

    def writable(self) -> bool:
        """Always: this is an output."""
        return True

    def write(self, data: Any) -> int:
        """Hash and write ``data``."""
        self.digest.update(data)
        return self._out.write(data)


def _stream_state(state: Mapping[str, Any], stream: str) -> Any:
    """The stream's own part of a read state (``{"streams": {name: ...}}``), else all of it."""
    streams = state.get("streams")
    if isinstance(streams, Mapping) and stream in streams:
        return streams[stream]
    return state


def extract_etag(stream: str, after: Mapping[str, Any], content_sha256: str) -> str:
    """The ETag of an extract: a hash of where the stream's cursor ended and of its bytes.

    A read killed before its upload was registered reads the same range again: same
    cursor, same bytes, same ETag, so it is not registered twice. A full-refresh stream's
    state never moves, so its unchanged table gives the same ETag and is not taken again;
    a changed one has other bytes.
    """
    text = json.dumps(
        {"stream": stream, "cursor": _stream_state(after, stream), "sha256": content_sha256},
        sort_keys=True,
        default=str,
    )
    return "extract:" + hashlib.sha256(text.encode()).hexdigest()


def _format(run: PullRun) -> DataFormat:
    fmt = run.resolved.config.get("format") or run.source_format
    return DataFormat.CSV if str(fmt).upper() == DataFormat.CSV.value else DataFormat.NDJSON


async def pull_extracts(run: PullRun) -> Outcome:
    """Read each stream from its cursor into an extract; register non-empty ones.

    Raises:
        ConnectorError: Discovery failed (when no streams are selected).
    """
    connector = run.resolved.connector
    streams = list(run.selected_streams or [])
    if not streams:
        catalog = await connector.discover(run.resolved.config, run.resolved.secrets)
        streams = [s.name for s in catalog.streams]
        if not streams:
            raise ResourceNotFoundError(
                "The source has no streams (tables) to pull.", field="streams"
            )
    outcome = Outcome()
    state = dict(run.state)
    fmt = _format(run)
    for stream in streams:
        try:
            state = await _pull_stream(run, stream, state, fmt, outcome)
        except (ConnectorError, InventoryError) as exc:
            outcome.manifest.append(entry(stream, 0, EntryStatus.FAILED, error=exc.message))
        except Exception:
            log.exception("extract_pull_stream_crashed", sync_id=run.sync_id, stream=stream)
            outcome.manifest.append(
                entry(
                    stream,
                    0,
                    EntryStatus.FAILED,
                    error="The stream could not be pulled because of an internal error (logged).",
                )
            )
    return outcome


async def _pull_stream(
    run: PullRun, stream: str, state: dict[str, Any], fmt: DataFormat, outcome: Outcome
) -> dict[str, Any]:
    """Extract one stream; return the state after it."""
    connector = run.resolved.connector
    name = f"{safe_name(stream)}.{fmt.extension}"
    path = run.scratch / name
    writer = ExtractWriter(path, fmt)
    after: dict[str, Any] | None = None
    try:
        messages = connector.read(run.resolved.config, run.resolved.secrets, [stream], state)
        async with aclosing(messages) as reading:  # type: ignore[type-var]
            async for message in reading:
                if isinstance(message, RecordMessage):
                    await writer.add(message.data)
                elif isinstance(message, StateMessage):
                    after = message.state
        count, size = await writer.finish()
        new_state = after if after is not None else state
        if count == 0:
            if new_state != state:
                await run.committer.save_state(new_state)
            return new_state
        etag = extract_etag(stream, new_state, writer.sha256)
        registered = await run.committer.register(
            NewUpload(
                key=stream,
                etag=etag,
                name=name,
                path=path,
                size=size,
                format=fmt.value,
                records=count,
                state=new_state,
            )
        )
    finally:
        await writer.abandon()
        await asyncio.to_thread(path.unlink, missing_ok=True)
    outcome.manifest.append(registered.entry(stream, size, etag))
    if registered.inserted:
        outcome.bytes += size
        outcome.records += count
    return new_state
