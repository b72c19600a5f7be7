"""Pulling new objects from an S3 prefix: one paged listing, concurrent streamed downloads.

The listing is compared in memory with the look-back window and the seen set (one query),
so a tick over a prefix of tens of thousands of objects with nothing new costs the listing
and little else. New objects are downloaded oldest first, ``concurrency`` at a time on the
pull's own threads, each streamed to a file in 1 MiB chunks: memory does not grow with
object size. Requests go out through :class:`~connections.sync.s3_fetch.BucketReader`.
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
import urllib3

from connections.inventory import InventoryError, safe_name
from connections.sync.committer import NewUpload, Registered, Reservation
from connections.sync.manifest import EntryStatus, Outcome, entry
from connections.sync.run import PullRun
from connections.sync.s3_fetch import BucketReader
from connections.sync.window import LookBack, load_seen
from connectors.errors import ConnectorError
from connectors.results import FileInfo
from connectors.s3 import S3Config, S3Secrets
from connectors.s3.client import Unavailable
from connectors.s3.listing import stream_name

__all__ = ["pull_s3"]

log = structlog.get_logger(__name__)

_CHUNK = 1 << 20
_STATE_KEY = "lastModified"


def _since(state: dict[str, Any]) -> datetime | None:
    value = state.get(_STATE_KEY)
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _list_new(
    reader: BucketReader, config: S3Config, window: LookBack, streams: frozenset[str] | None
) -> list[FileInfo]:
    """The new objects, oldest first (blocking: runs on a thread)."""
    new: list[FileInfo] = []
    for file in reader.list_files():
        if streams is not None and stream_name(file.key, config.prefix) not in streams:
            continue
        if window.is_new(file):
            new.append(file)
    new.sort(key=lambda f: (f.last_modified, f.key))
    return new


def _download(
    reader: BucketReader, file: FileInfo, dest: Path, stop: threading.Event
) -> Unavailable | int:
    """Stream ``file`` into ``dest`` (blocking); its size, or why it is unavailable.

    Raises:
        ConnectorError: Classified download failures.
        _StoppedError: ``stop`` was set (the pull is being cancelled).
    """
    response = reader.open(file)
    if isinstance(response, Unavailable):
        return response
    try:
        size = _copy(reader, response, file.key, dest, stop)
    except BaseException:
        response.close()  # a half-read connection is not reused
        raise
    response.release_conn()
    return size


def _copy(
    reader: BucketReader,
    response: urllib3.BaseHTTPResponse,
    key: str,
    dest: Path,
    stop: threading.Event,
) -> int:
    size = 0
    buffer = _buffer()
    with dest.open("wb") as out:
        while count := reader.read_into(response, key, buffer):
            if stop.is_set():
                raise _StoppedError
            out.write(buffer[:count])
            size += count
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


async def pull_s3(run: PullRun) -> Outcome:
    """Take the new objects of an S3 source into the inventory.

    Raises:
        ConnectorError: The listing failed (the pull fails as a whole).
    """
    config, secrets = run.resolved.connector.parse(run.resolved.config, run.resolved.secrets)
    assert isinstance(config, S3Config)  # noqa: S101 - an S3 source's connector parsed it
    assert isinstance(secrets, S3Secrets)  # noqa: S101
    context = run.resolved.connector.context
    reader = await asyncio.to_thread(
        BucketReader, config, secrets, context, run.settings.concurrency
    )
    try:
        since = _since(run.state)
        window_start = None if since is None else since - run.settings.lookback
        async with run.sessions() as db:
            seen = await load_seen(db, run.source_id, window_start)
        window = LookBack(since, run.settings.lookback, seen)
        streams = frozenset(run.selected_streams) if run.selected_streams else None
        new = await asyncio.to_thread(_list_new, reader, config, window, streams)
        outcome = Outcome()
        if window.newest is not None:
            outcome.state = {**run.state, _STATE_KEY: window.newest.isoformat()}
            outcome.prune_before = window.newest - run.settings.lookback
        log.info("s3_pull_listed", sync_id=run.sync_id, new=len(new), seen=len(seen))
        if new:
            await _Downloads(run, reader, config, outcome).run(new)
    finally:
        reader.close()
    return outcome


class _Downloads:
    """Downloads, stores and registers a list of objects on ``concurrency`` threads.

    Each thread claims the next object, downloads it, waits until its reservation is
    committed (reservations run ahead of the downloads, so that is rarely a wait), puts the
    file in the store and hands the result to the event loop, which asks the committer to
    register it. The loop does no more per object than that: no executor job, no task and
    no future, which keeps it responsive when thousands of small objects arrive at once.
    """

    def __init__(
        self, run: PullRun, reader: BucketReader, config: S3Config, outcome: Outcome
    ) -> None:
        self.pull = run
        self.reader = reader
        self.config = config
        self.outcome = outcome
        self.breaker = _Breaker(run.settings.give_up_after)
        self.stop = threading.Event()
        self.files: list[FileInfo] = []
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

    async def run(self, files: list[FileInfo]) -> None:
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
            key = self.files[index].key
            self.reservations[index] = committer.reserve(safe_name(key.rsplit("/", 1)[-1]))
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
            got = _download(self.reader, file, scratch, self.stop)
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
            if result is Unavailable.DELETED:
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
            format=self.config.format.value,
            last_modified=file.last_modified,
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

    def _failed(self, file: FileInfo, exc: BaseException) -> dict[str, Any]:
        if isinstance(exc, ConnectorError | InventoryError):
            error = exc.message
        elif isinstance(exc, _StoppedError):
            error = "The pull stopped before this object."
        else:
            log.error(
                "s3_pull_object_crashed",
                sync_id=self.pull.sync_id,
                key=file.key,
                error=type(exc).__name__,
            )
            error = "The object could not be pulled because of an internal error (logged)."
        return entry(file.key, file.size, EntryStatus.FAILED, etag=file.etag, error=error)
