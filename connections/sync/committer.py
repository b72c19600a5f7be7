"""Registering pulled files as inventory uploads: reserved, stored, then committed in batches.

Each file goes through three steps, and a process killed between any two loses nothing and
duplicates nothing:

1. **reserve**: the upload's id and location are written to the sync's checkpoint and
   committed, before anything is stored there;
2. **store**: the file is put in the inventory store;
3. **register**: the ``inventory_uploads`` row (unique per source, key and ETag), the
   ``seen_objects`` entry and, for table extracts, the source's new ``state`` are committed
   together, and the reservation is dropped.

A file stored but never registered is therefore always named in a checkpoint; the next pull
of the source deletes it. Many workers reserve and register at once; one writer task folds
their requests into a transaction per round, so committing costs a few dozen round trips
for thousands of files. The same commits carry the heartbeat.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import structlog
from sqlalchemy import select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from connections.db.models import DataSource, InventoryUpload, Sync
from connections.db.types import utcnow
from connections.inventory import InventoryError, InventoryStore
from connections.sync.ids import IdSequence
from connections.sync.manifest import EntryStatus, entry
from connections.sync.seen import insert_ignoring_duplicates, remember

__all__ = ["NewUpload", "Registered", "Reservation", "UploadCommitter"]

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class NewUpload:
    """A pulled file ready to enter the inventory.

    Attributes:
        key: The object key, the URL, or the stream of a table extract.
        etag: What identifies this version: an ETag, a content hash, a cursor range.
        name: The file name in the store.
        path: The downloaded file (left in place).
        size: Its size in bytes.
        format: Its format (``CSV``, ...).
        records: How many records it holds, where known.
        last_modified: For objects with a LastModified: remembered in ``seen_objects``.
        state: The source's new ``state``, committed with the row.
    """

    key: str
    etag: str
    name: str
    path: Path
    size: int
    format: str
    records: int | None = None
    last_modified: datetime | None = None
    state: dict[str, Any] | None = None


@dataclass(frozen=True)
class Registered:
    """The upload a file became.

    Attributes:
        upload_id: The ``inv_…`` id (an earlier run's when ``inserted`` is false).
        inserted: False when an earlier run had registered the same key and ETag already.
    """

    upload_id: str
    inserted: bool

    def entry(self, key: str, size: int, etag: str) -> dict[str, Any]:
        """The file's manifest entry: uploaded, or skipped as an earlier pull's upload."""
        if self.inserted:
            return entry(key, size, EntryStatus.UPLOADED, inventory_id=self.upload_id, etag=etag)
        return entry(
            key,
            size,
            EntryStatus.SKIPPED,
            inventory_id=self.upload_id,
            etag=etag,
            error="Already in the inventory from an earlier pull.",
        )


class Reservation:
    """An upload id and location reserved for a file (see :meth:`UploadCommitter.reserve`).

    Once the reservation is committed the file may be stored at ``location``. A download
    thread can wait for that itself (:meth:`wait`) and then store the file, which spares
    the event loop a round trip per object.
    """

    __slots__ = ("_error", "_event", "_waiter", "location", "name", "upload_id")

    def __init__(self, upload_id: str, name: str, location: str) -> None:
        self.upload_id = upload_id
        self.name = name
        self.location = location
        self._event = threading.Event()
        self._error: BaseException | None = None
        self._waiter: asyncio.Future[None] | None = None

    def settle(self, error: BaseException | None) -> None:
        """Record the commit's outcome (the committer calls this, on the event loop)."""
        self._error = error
        self._event.set()
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def wait(self, timeout: float | None = None) -> None:
        """Block until the reservation is committed (call from a worker thread).

        Raises:
            TimeoutError: Not yet, after ``timeout`` seconds.
            Exception: The commit failed: the file must not be stored.
        """
        if not self._event.wait(timeout):
            raise TimeoutError
        if self._error is not None:
            raise self._error

    async def committed(self) -> None:
        """Wait on the event loop until the reservation is committed.

        Raises:
            Exception: The commit failed: the file must not be stored.
        """
        if not self._event.is_set():
            self._waiter = asyncio.get_running_loop().create_future()
            await self._waiter
        if self._error is not None:
            raise self._error


@dataclass
class _Request:
    kind: str  # "reserve" | "register" | "release" | "state"
    upload_id: str = ""
    location: str = ""
    upload: NewUpload | None = None
    state: dict[str, Any] | None = None
    done: asyncio.Future[Registered | None] | None = None
    reservation: Reservation | None = None
    then: Callable[[Registered | BaseException], None] | None = None


@dataclass
class _Round:
    reserved: dict[str, str]
    results: dict[int, Registered | None] = field(default_factory=dict)


class UploadCommitter:
    """Registers uploads of one sync (use as ``async with``).

    Args:
        sessions: Database sessions.
        store: The inventory store.
        sync_id: The running sync.
        source: The source being pulled (its ids are read, nothing else).
        checkpoint: What else the sync's checkpoint holds (owner, scratch folder).
        on_registered: Called with each new upload id after its row is committed.
        heartbeat_every: Seconds between commits when nothing else is committed.
        max_batch: Requests folded into one transaction at most.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        store: InventoryStore,
        *,
        sync_id: str,
        source: DataSource,
        checkpoint: Mapping[str, Any],
        on_registered: Callable[[str], None],
        heartbeat_every: float,
        max_batch: int,
    ) -> None:
        self._sessions = sessions
        self._store = store
        self._sync_id = sync_id
        self._source_id = source.id
        self._tenant_id = source.tenant_id
        self._agent_id = source.agent_id
        self._checkpoint = dict(checkpoint)
        self._on_registered = on_registered
        self._heartbeat_every = heartbeat_every
        self._max_batch = max_batch
        self._reserved: dict[str, str] = {}
        self._forgetting: set[asyncio.Task[None]] = set()
        self._ids = IdSequence("inv")
        self._pending: list[_Request] = []
        self._wake = asyncio.Event()
        self._closing = False
        self._task: asyncio.Task[None] | None = None
        self._connection: AsyncConnection | None = None

    async def __aenter__(self) -> Self:
        # One connection for the whole pull: a pooled checkout per round would add a
        # round trip (the pool's pre-ping) to every commit.
        engine = self._sessions.kw.get("bind")
        if isinstance(engine, AsyncEngine):
            self._connection = await engine.connect()
        self._task = asyncio.create_task(self._run(), name=f"commit-{self._sync_id}")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._closing = True
        self._wake.set()
        if self._task is not None:
            if exc_type is not None and issubclass(exc_type, asyncio.CancelledError):
                self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._forgetting:
            await asyncio.gather(*self._forgetting, return_exceptions=True)
        if self._connection is not None:
            await asyncio.shield(self._connection.close())
            self._connection = None

    def _session(self) -> AsyncSession:
        if self._connection is None:
            return self._sessions()
        return AsyncSession(bind=self._connection, expire_on_commit=False)

    @property
    def store(self) -> InventoryStore:
        """The inventory store files go to."""
        return self._store

    @property
    def tenant_id(self) -> str:
        """The tenant whose files these are (the store's first folder)."""
        return self._tenant_id

    @property
    def reserved(self) -> dict[str, str]:
        """Upload ids and locations reserved but not registered.

        After the ``async with``: files to delete (spare copies, puts that failed).
        """
        return dict(self._reserved)

    # -- what workers call ------------------------------------------------------------------

    def reserve(self, name: str) -> Reservation:
        """Start reserving an upload id and location for a file called ``name``.

        Reserving before the download lets the commit happen while the bytes arrive. Then
        store the file at the location and call :meth:`stored`; or call :meth:`register`,
        which stores it; or :meth:`release` if the file never came.
        """
        upload_id = self._ids.next()
        location = self._store.location_of(self._tenant_id, upload_id, name)
        reservation = Reservation(upload_id, name, location)
        self._send(_Request("reserve", upload_id, location, reservation=reservation))
        return reservation

    def release(self, reservation: Reservation) -> None:
        """Give up a reservation whose file was never stored."""
        self._send(_Request("release", reservation.upload_id))

    async def register(
        self, upload: NewUpload, reservation: Reservation | None = None
    ) -> Registered:
        """Reserve (unless done already), store and register ``upload``.

        Returns:
            The upload it became (an earlier run's when that registered the same version).

        Raises:
            InventoryError: The store could not keep the file (nothing was registered).
            SQLAlchemyError: The database failed.
        """
        reservation = reservation or self.reserve(upload.name)
        try:
            await reservation.committed()
        except BaseException:
            self.release(reservation)
            raise
        try:
            await self._store.put_file(
                self._tenant_id, reservation.upload_id, upload.name, upload.path
            )
        except BaseException:
            await self._forget(reservation.upload_id, reservation.location)
            raise
        return await self.stored(upload, reservation)

    async def stored(self, upload: NewUpload, reservation: Reservation) -> Registered:
        """Register ``upload``, already stored at ``reservation.location``.

        Returns:
            The upload it became (an earlier run's when that registered the same version).

        Raises:
            SQLAlchemyError: The database failed (the stored file is deleted).
        """
        if reservation.name != upload.name:
            raise ValueError("the reservation was made for another file name")
        upload_id, location = reservation.upload_id, reservation.location
        try:
            result = await self._ask(_Request("register", upload_id, location, upload=upload))
        except BaseException:
            await self._forget(upload_id, location)
            raise
        assert result is not None  # noqa: S101 - register always answers with a result
        if not result.inserted:
            # An earlier run registered this version: ours is a spare copy.
            await self._forget(upload_id, location)
        return result

    async def save_state(self, state: dict[str, Any]) -> None:
        """Store the source's new ``state`` (a stream read that brought no records)."""
        await self._ask(_Request("state", state=state))

    def stored_then(
        self,
        upload: NewUpload,
        reservation: Reservation,
        then: Callable[[Registered | BaseException], None],
    ) -> None:
        """Like :meth:`stored`, without a task or future per file.

        ``then`` is called with the result (or the database's exception) once the round
        is committed.
        """
        if reservation.name != upload.name:
            raise ValueError("the reservation was made for another file name")
        self._send(
            _Request(
                "register", reservation.upload_id, reservation.location, upload=upload, then=then
            )
        )

    async def abandon(self, reservation: Reservation) -> None:
        """Give up a reservation whose file may have been stored (partly): delete it."""
        await self._forget(reservation.upload_id, reservation.location)

    def _spare(self, upload_id: str, location: str) -> None:
        """Delete a file that will not be registered, in the background."""
        task = asyncio.create_task(self._forget(upload_id, location))
        self._forgetting.add(task)
        task.add_done_callback(self._forgetting.discard)

    async def _forget(self, upload_id: str, location: str) -> None:
        with contextlib.suppress(InventoryError, OSError):
            await asyncio.shield(self._store.delete(location))
            # Dropped from the checkpoint with the next commit; if the process dies first,
            # the next pull deletes the (already deleted) location once more.
            self._send(_Request("release", upload_id))

    async def _ask(self, request: _Request) -> Registered | None:
        request.done = asyncio.get_running_loop().create_future()
        self._send(request)
        return await request.done

    def _send(self, request: _Request) -> None:
        if self._closing and request.kind != "release":
            raise RuntimeError("the committer is closed")
        self._pending.append(request)
        self._wake.set()

    # -- the writer -----------------------------------------------------------------------

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        last_commit = loop.time()
        while True:
            if not self._pending:
                # Closing means: write what is queued, then stop (a heartbeat would only
                # keep a finished pull waiting for the next one).
                if self._closing:
                    return
                timeout = max(0.0, self._heartbeat_every - (loop.time() - last_commit))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout)
            self._wake.clear()
            batch = self._pending[: self._max_batch]
            del self._pending[: len(batch)]
            heartbeat_due = loop.time() - last_commit >= self._heartbeat_every
            if not batch and not heartbeat_due:
                continue
            try:
                outcome = await self._commit(batch)
            except Exception as exc:  # noqa: BLE001 - handed to every waiting worker
                log.warning("inventory_register_failed", sync_id=self._sync_id, error=type(exc))
                self._failed(batch, exc)
            else:
                self._reserved = outcome.reserved
                self._answer(batch, outcome)
            last_commit = loop.time()

    def _failed(self, batch: list[_Request], exc: Exception) -> None:
        """Tell every request of a round that did not commit."""
        for request in batch:
            if request.done is not None and not request.done.done():
                request.done.set_exception(exc)
            if request.reservation is not None:
                request.reservation.settle(exc)
            if request.then is not None:
                self._spare(request.upload_id, request.location)
                request.then(exc)

    def _answer(self, batch: list[_Request], outcome: _Round) -> None:
        """Tell every request of a committed round; announce the new uploads."""
        for index, request in enumerate(batch):
            result = outcome.results.get(index)
            if request.done is not None and not request.done.done():
                request.done.set_result(result)
            if request.reservation is not None:
                request.reservation.settle(None)
            if request.then is not None and result is not None:
                if not result.inserted:
                    self._spare(request.upload_id, request.location)
                request.then(result)
            if result is not None and result.inserted:
                self._on_registered(result.upload_id)

    async def _commit(self, batch: list[_Request]) -> _Round:
        outcome = _Round(reserved=dict(self._reserved))
        registers = [(i, r) for i, r in enumerate(batch) if r.kind == "register"]
        state: dict[str, Any] | None = None
        for request in batch:
            if request.kind == "reserve":
                outcome.reserved[request.upload_id] = request.location
            elif request.kind == "release":
                outcome.reserved.pop(request.upload_id, None)
            elif request.kind == "state":
                state = request.state
            elif request.upload is not None and request.upload.state is not None:
                state = request.upload.state
        async with self._session() as db:
            inserted = await self._insert(db, [r for _, r in registers])
            spare = [r for _, r in registers if r.upload_id not in inserted]
            existing = await self._existing(db, spare)
            for index, request in registers:
                assert request.upload is not None  # noqa: S101 - a register carries its upload
                if request.upload_id in inserted:
                    outcome.reserved.pop(request.upload_id, None)
                    outcome.results[index] = Registered(request.upload_id, inserted=True)
                else:
                    key = (request.upload.key, request.upload.etag)
                    outcome.results[index] = Registered(existing[key], inserted=False)
            await remember(
                db,
                self._source_id,
                [
                    (r.upload.key, r.upload.etag, r.upload.last_modified)
                    for _, r in registers
                    if r.upload is not None and r.upload.last_modified is not None
                ],
            )
            if state is not None:
                await db.execute(
                    update(DataSource).where(DataSource.id == self._source_id).values(state=state)
                )
            checkpoint = {
                **self._checkpoint,
                "heartbeatAt": utcnow().isoformat(),
                "reserved": outcome.reserved,
            }
            await db.execute(
                update(Sync).where(Sync.id == self._sync_id).values(checkpoint=checkpoint)
            )
            await db.commit()
        return outcome

    async def _insert(self, db: AsyncSession, requests: list[_Request]) -> set[str]:
        if not requests:
            return set()
        now = utcnow()
        rows = [
            {
                "id": r.upload_id,
                "tenant_id": self._tenant_id,
                "agent_id": self._agent_id,
                "source_id": self._source_id,
                "sync_id": self._sync_id,
                "key": r.upload.key,
                "etag": r.upload.etag,
                "format": r.upload.format,
                "size": r.upload.size,
                "records": r.upload.records,
                "location": r.location,
                "created_at": now,
            }
            for r in requests
            if r.upload is not None
        ]
        table = InventoryUpload.__table__
        statement = insert_ignoring_duplicates(db, table, ["source_id", "key", "etag"]).returning(
            table.c.id
        )
        # Parameters apart from the statement: compiled once, sent as one multi-row INSERT.
        return set((await db.execute(statement, rows)).scalars().all())

    async def _existing(
        self, db: AsyncSession, requests: list[_Request]
    ) -> dict[tuple[str, str], str]:
        pairs = [(r.upload.key, r.upload.etag) for r in requests if r.upload is not None]
        if not pairs:
            return {}
        query = select(InventoryUpload.key, InventoryUpload.etag, InventoryUpload.id).where(
            InventoryUpload.source_id == self._source_id,
            tuple_(InventoryUpload.key, InventoryUpload.etag).in_(pairs),
        )
        return {(k, e): i for k, e, i in (await db.execute(query)).all()}
