"""Pulling a file source: one listing, then concurrent streamed downloads into the inventory.

Every connector whose data are files (:class:`~connectors.base.FileConnector`: S3, HTTPS
webhooks) is pulled here, through its :class:`~connectors.files.FileSource`: the source
lists what is new since the saved state (given the versions already taken, which the pull
keeps in ``seen_objects``) and opens each file as a byte stream. New files are downloaded
oldest first, ``concurrency`` at a time on the pull's own threads, each streamed to a file
in 1 MiB chunks (memory does not grow with file size), then reserved, stored and
registered through the committer: a killed pull loses nothing and duplicates nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import structlog

from connections.inventory import InventoryError, safe_name
from connections.sync.committer import NewUpload, Registered, Reservation
from connections.sync.manifest import EntryStatus, Outcome, entry
from connections.sync.run import PullRun
from connections.sync.seen import load_seen
from connectors.base import FileConnector
from connectors.errors import ConnectorError
from connectors.files import FileSource, Since, SourceFile, Unavailable

__all__ = ["pull_files"]

log = structlog.get_logger(__name__)

_CHUNK = 1 << 20


def _download(
    source: FileSource, file: SourceFile, dest: Path, stop: threading.Event
) -> Unavailable | int:
    """Stream ``file`` into ``dest`` (blocking); its size, or why it is unavailable.

    Raises:
        ConnectorError: Classified download failures.
        _StoppedError: ``stop`` was set (the pull is being cancelled).
    """
    stream = source.open(file)
    if isinstance(stream, Unavailable):
        return stream
    try:
        size = 0
        buffer = _buffer()
        with dest.open("wb") as out:
            while count := stream.readinto(buffer):
                if stop.is_set():
                    raise _StoppedError
                out.write(buffer[:count])
                size += count
    finally:
        stream.close()  # after a failure: the half-read connection is not reused
    return size


_local = threading.local()


def _buffer() -> memoryview:
    """This thread's download buffer, reused: a fresh 1 MiB per object costs much time."""
    buffer: memoryview | None = getattr(_local, "buffer", None)
    if buffer is None:
        buffer = _local.buffer = memoryview(bytearray(_CHUNK))
    return buffer


class _StoppedError(Exception):
    """A download given up because its pull is being cancelled."""


class _Breaker:
    """Stops a pull once ``limit`` objects in a row failed: the source is what is broken."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.in_a_row = 0
        self.last_error = ""

    def record(self, *, ok: bool, error: str = "") -> None:
        self.in_a_row = 0 if ok else self.in_a_row + 1
        if not ok:
            self.last_error = error

    @property
    def tripped(self) -> bool:
        return self.in_a_row >= self.limit


async def pull_files(run: PullRun) -> Outcome:
    """Take the new files of a file source into the inventory.

    Raises:
        ConnectorError: Opening or listing the source failed (the pull fails as a whole).
    """
    connector = run.resolved.connector
    assert isinstance(connector, FileConnector)  # noqa: S101 - the engine checked it
    source = await connector.files(
        run.resolved.config, run.resolved.secrets, connections=run.settings.concurrency
    )
    try:
        listing = await source.list_new(
            Since(
                state=run.state,
                lookback=run.settings.lookback,
                seen=functools.partial(_load_seen, run),
                streams=frozenset(run.selected_streams) if run.selected_streams else None,
            )
        )
        outcome = Outcome(state=listing.state, prune_before=listing.forget_before)
        log.info("file_pull_listed", sync_id=run.sync_id, new=len(listing.files))
        if listing.files:
            await _Downloads(run, source, outcome).run(list(listing.files))
    finally:
        await source.aclose()
    return outcome


async def _load_seen(run: PullRun, start: datetime | None) -> set[tuple[str, str]]:
    async with run.sessions() as db:
        return await load_seen(db, run.source_id, start)


class _Downloads:
    """Downloads, stores and registers a list of objects on ``concurrency`` threads.

    Each thread claims the next object, downloads it, waits until its reservation is
    committed (reservations run ahead of the downloads, so that is rarely a wait), puts the
    file in the store and hands the result to the event loop, which asks the committer to
    register it. The loop does no more per object than that: no executor job, no task and
    no future, which keeps it responsive when thousands of small objects arrive at once.
    """

    def __init__(self, run: PullRun, source: FileSource, outcome: Outcome) -> None:
        self.pull = run
        self.source = source
        self.outcome = outcome
        self.breaker = _Breaker(run.settings.give_up_after)
        self.stop = threading.Event()
        self.files: list[SourceFile] = []
        self.slots: list[dict[str, Any] | None] = []
        self.reservations: dict[int, Reservation] = {}
        self.requested = 0  # reservations asked for: indexes below this
        self.ahead = 0
        self.pending = 0  # objects claimed or registering, not yet in a slot
        self.claims = itertools.count()
        self.finished = asyncio.Event()
        self.running = 0  # threads still claiming objects
        self.abandoning: set[asyncio.Task[None]] = set()
        self.closed = False  # run() ended: late hand-overs (after a cancellation) are dropped

    async def run(self, files: list[SourceFile]) -> None:
        """Take ``files``; fill ``outcome.manifest``."""
        self.files = files
        self.slots = [None] * len(files)
        count = min(self.pull.settings.concurrency, len(files))
        self.ahead = 4 * count
        self._reserve_up_to(self.ahead)
        loop = asyncio.get_running_loop()
        threads = [
            threading.Thread(target=self._thread, args=(loop,), name=f"ia-pull-{n}", daemon=True)
            for n in range(count)
        ]
        self.running = count
        for thread in threads:
            thread.start()
        try:
            await self.finished.wait()
        finally:
            self.stop.set()  # on cancellation: downloads stop at their next chunk
            self.closed = True
            for index in sorted(self.reservations):
                if self.slots[index] is None:
                    self.pull.committer.release(self.reservations.pop(index))
        self.outcome.manifest = [item for item in self.slots if item is not None]
        if self.breaker.tripped:
            self.outcome.error = (
                f"Stopped after {self.breaker.limit} objects in a row failed; the last: "
                f"{self.breaker.last_error}"
            )

    def _reserve_up_to(self, end: int) -> None:
        committer = self.pull.committer
        for index in range(self.requested, min(end, len(self.files))):
            self.reservations[index] = committer.reserve(safe_name(self.files[index].name))
        self.requested = max(self.requested, min(end, len(self.files)))

    # -- on the threads -------------------------------------------------------------------

    def _thread(self, loop: asyncio.AbstractEventLoop) -> None:
        try:
            while not self.stop.is_set() and not self.breaker.tripped:
                index = next(self.claims)
                if index >= len(self.files):
                    break
                result = self._fetch_and_store(index)
                loop.call_soon_threadsafe(self._fetched, index, result)
        finally:
            with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits
                loop.call_soon_threadsafe(self._thread_ended)

    def _reservation(self, index: int) -> Reservation:
        # Reservations are made ahead of the claims; a thread that overtook the loop waits.
        while (reservation := self.reservations.get(index)) is None:
            if self.stop.is_set():
                raise _StoppedError
            time.sleep(0.002)
        return reservation

    def _fetch_and_store(self, index: int) -> Unavailable | int | BaseException:
        """Download object ``index``, wait for its reservation, put it in the store."""
        file = self.files[index]
        try:
            reservation = self._reservation(index)
        except _StoppedError as exc:
            return exc
        scratch = self.pull.scratch / f"{index}-{reservation.name}"
        committer = self.pull.committer
        try:
            got = _download(self.source, file, scratch, self.stop)
            if isinstance(got, Unavailable):
                return got
            while True:
                try:
                    reservation.wait(timeout=0.5)
                    break
                except TimeoutError:
                    if self.stop.is_set():
                        raise _StoppedError from None
            committer.store.put_file_blocking(
                committer.tenant_id, reservation.upload_id, reservation.name, scratch
            )
        except Exception as exc:  # noqa: BLE001 - handed to the loop, which records it
            return exc
        finally:
            scratch.unlink(missing_ok=True)
        return got

    # -- on the event loop ----------------------------------------------------------------

    def _thread_ended(self) -> None:
        self.running -= 1
        self._check_finished()

    def _check_finished(self) -> None:
        if self.running == 0 and self.pending == 0:
            self.finished.set()

    def _fetched(self, index: int, result: Unavailable | int | BaseException) -> None:
        """A thread is done with object ``index``: register it, or record why not."""
        if self.closed:
            return
        self._reserve_up_to(index + 1 + self.ahead)
        file = self.files[index]
        reservation = self.reservations.pop(index)
        committer = self.pull.committer
        if isinstance(result, BaseException):
            self.pending += 1
            task = asyncio.create_task(committer.abandon(reservation))
            self.abandoning.add(task)  # the loop keeps only a weak reference to tasks
            task.add_done_callback(self.abandoning.discard)
            task.add_done_callback(lambda _: self._settled(index, self._failed(file, result)))
            return
        if isinstance(result, Unavailable):
            committer.release(reservation)
            if result is Unavailable.DELETED and file.last_modified is not None:
                self.outcome.seen.append((file.key, file.etag, file.last_modified))
            error = (
                "Deleted after it was listed."
                if result is Unavailable.DELETED
                else "Changed after it was listed; the next pull takes the new version."
            )
            self.pending += 1
            self._settled(
                index, entry(file.key, file.size, EntryStatus.SKIPPED, etag=file.etag, error=error)
            )
            return
        upload = NewUpload(
            key=file.key,
            etag=file.etag,
            name=reservation.name,
            path=Path(reservation.location),
            size=result,
            format=file.format.value,
            last_modified=file.last_modified,
            state=file.state,
        )
        self.pending += 1
        committer.stored_then(
            upload, reservation, functools.partial(self._registered, index, result)
        )

    def _registered(self, index: int, size: int, result: Registered | BaseException) -> None:
        file = self.files[index]
        if isinstance(result, BaseException):
            item = self._failed(file, result)
        else:
            if result.inserted:
                self.outcome.bytes += size
            item = result.entry(file.key, size, file.etag)
        self._settled(index, item)

    def _settled(self, index: int, item: dict[str, Any]) -> None:
        if self.closed:
            return
        self.slots[index] = item
        self.pending -= 1
        failed = item["status"] == EntryStatus.FAILED
        self.breaker.record(ok=not failed, error=str(item.get("error", "")))
        self._check_finished()

    def _failed(self, file: SourceFile, exc: BaseException) -> dict[str, Any]:
        if isinstance(exc, ConnectorError | InventoryError):
            error = exc.message
        elif isinstance(exc, _StoppedError):
            error = "The pull stopped before this object."
        else:
            log.error(
                "file_pull_object_crashed",
                sync_id=self.pull.sync_id,
                key=file.key,
                error=type(exc).__name__,
            )
            error = "The object could not be pulled because of an internal error (logged)."
        return entry(file.key, file.size, EntryStatus.FAILED, etag=file.etag, error=error)
