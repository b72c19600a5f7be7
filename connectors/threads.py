"""Bridges blocking generators (boto3 bodies, file parsers) into async iterators.

Each iteration runs its producer on a thread of its own (a daemon named ``ia-read-<n>``),
not in the event loop's default executor: a read holds its thread for as long as the
download lasts, and a few concurrent reads parked in that small shared pool would starve
``asyncio.to_thread`` and DNS lookups (``getaddrinfo`` runs there too), up to a deadlock
when a consumer itself waits on the pool. Items reach the loop in batches through a
bounded queue, so memory stays bounded (back-pressure) and the loop never waits on a
socket or a parser.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import itertools
import threading
from collections.abc import AsyncGenerator, Callable, Iterator
from typing import Generic, TypeVar

__all__ = ["iterate_in_thread"]

T = TypeVar("T")

_DONE = object()
# How often a producer waiting for room re-checks whether the consumer is gone.
_POLL_SECONDS = 0.05
_thread_numbers = itertools.count(1)


async def iterate_in_thread(
    factory: Callable[[], Iterator[T]], *, batch_size: int = 256, max_batches: int = 4
) -> AsyncGenerator[T, None]:
    """Run ``factory()`` on its own thread and yield its items asynchronously.

    An exception raised by the generator is re-raised in the consumer after every item
    produced before it. When the consumer stops early (``aclose``, ``break`` inside
    ``aclosing``, cancellation) the producer is told to stop, the generator is closed on
    its own thread (so a remote body it holds is closed) and the thread is awaited without
    blocking the loop: nothing keeps reading in the background.
    """
    producer = _Producer(asyncio.get_running_loop(), factory, batch_size, max_batches)
    producer.start()
    try:
        while True:
            item = await producer.queue.get()
            if item is _DONE:
                break
            if isinstance(item, BaseException):
                raise item
            for value in item:  # type: ignore[attr-defined]
                yield value
    finally:
        await producer.stop()


class _Producer(Generic[T]):
    """The thread side: runs the generator, hands batches over, obeys ``stop``."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        factory: Callable[[], Iterator[T]],
        batch_size: int,
        max_batches: int,
    ) -> None:
        self._loop = loop
        self._factory = factory
        self._batch_size = batch_size
        self.queue: asyncio.Queue[list[T] | BaseException | object] = asyncio.Queue(max_batches)
        self._stopping = threading.Event()
        self._finished = asyncio.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"ia-read-{next(_thread_numbers)}", daemon=True
        )

    def start(self) -> None:
        """Start the producer thread."""
        self._thread.start()

    async def stop(self) -> None:
        """Tell the producer to stop and wait, without blocking the loop, until it ended."""
        self._stopping.set()
        while not self._finished.is_set():
            # Draining lets a producer blocked on a full queue see the stop at once.
            while not self.queue.empty():
                self.queue.get_nowait()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._finished.wait(), _POLL_SECONDS)
        # The producer has signalled its last act; its thread ends a moment later.
        while self._thread.is_alive():  # noqa: ASYNC110 - a thread, not a task, to wait for
            await asyncio.sleep(0.001)

    def _run(self) -> None:
        try:
            self._produce()
        finally:
            with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits
                self._loop.call_soon_threadsafe(self._finished.set)

    def _produce(self) -> None:
        batch: list[T] = []
        try:
            iterator = self._factory()
            try:
                for item in iterator:
                    batch.append(item)
                    if len(batch) >= self._batch_size:
                        if not self._put(batch):
                            return
                        batch = []
                    if self._stopping.is_set():
                        return
            finally:
                # Closed here, on the thread that used it: a body it holds is closed too.
                close = getattr(iterator, "close", None)
                if close is not None:
                    close()
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which re-raises
            # What was read before the failure is delivered first, then the failure.
            if not batch or self._put(batch):
                self._put(exc)
            return
        if batch and not self._put(batch):
            return
        self._put(_DONE)

    def _put(self, item: list[T] | BaseException | object) -> bool:
        """Hand ``item`` to the consumer; ``False`` once it has gone away."""
        try:
            future = asyncio.run_coroutine_threadsafe(self.queue.put(item), self._loop)
        except RuntimeError:  # the loop is closed
            return False
        # Waiting for room is the back-pressure; the consumer leaving ends the wait.
        while True:
            try:
                future.result(timeout=_POLL_SECONDS)
            except TimeoutError:
                if self._stopping.is_set() or self._loop.is_closed():
                    future.cancel()
                    return False
            except concurrent.futures.CancelledError:
                return False
            else:
                return True
