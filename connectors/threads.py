"""Bridges blocking generators (boto3 bodies, file parsers) into async iterators.

Work that blocks runs in a worker thread and hands items to the event loop in batches
through a bounded queue, so memory stays bounded (back-pressure) and the loop never waits
on a socket or a parser.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncGenerator, Callable, Iterator
from typing import TypeVar

__all__ = ["iterate_in_thread"]

T = TypeVar("T")

_DONE = object()


async def iterate_in_thread(
    factory: Callable[[], Iterator[T]], *, batch_size: int = 256, max_batches: int = 4
) -> AsyncGenerator[T, None]:
    """Run ``factory()`` in a thread and yield its items asynchronously.

    Exceptions raised by the generator are re-raised in the consumer. When the consumer
    stops early the producer is told to stop and the thread is joined, so nothing keeps
    reading a remote body in the background.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[list[T] | BaseException | object] = asyncio.Queue(max_batches)
    stop = threading.Event()

    def put(item: list[T] | BaseException | object) -> None:
        # Blocking on the future is the back-pressure: the thread waits for room.
        asyncio.run_coroutine_threadsafe(queue.put(item), loop).result()

    def produce() -> None:
        try:
            batch: list[T] = []
            for item in factory():
                if stop.is_set():
                    return
                batch.append(item)
                if len(batch) >= batch_size:
                    put(batch)
                    batch = []
            if batch and not stop.is_set():
                put(batch)
            put(_DONE)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which re-raises
            if not stop.is_set():
                put(exc)

    worker = loop.run_in_executor(None, produce)
    try:
        while True:
            item = await queue.get()
            if item is _DONE:
                break
            if isinstance(item, BaseException):
                raise item
            for value in item:  # type: ignore[attr-defined]
                yield value
    finally:
        stop.set()
        # Drain so a producer blocked on a full queue can notice ``stop`` and finish.
        while not worker.done():
            while not queue.empty():
                queue.get_nowait()
            await asyncio.wait({worker}, timeout=0.05)
        await worker
