"""``iterate_in_thread``: blocking generators as async iterators, on threads of their own."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from connectors.threads import iterate_in_thread


def _reader_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name.startswith("ia-read-")}


async def test_items_produced_before_an_error_arrive_before_the_error() -> None:
    def produce() -> Iterator[int]:
        yield 1
        yield 2
        yield 3
        raise ValueError("the source broke")

    received: list[int] = []

    async def consume() -> None:
        async for item in iterate_in_thread(produce):
            received.append(item)  # noqa: PERF401 - kept item by item, up to the error

    with pytest.raises(ValueError, match="the source broke"):
        await consume()

    assert received == [1, 2, 3]


async def test_all_items_arrive_in_order_across_batches() -> None:
    items = [item async for item in iterate_in_thread(lambda: iter(range(1000)), batch_size=7)]

    assert items == list(range(1000))


async def test_closing_early_closes_the_generator_and_ends_its_thread() -> None:
    closed = threading.Event()

    def produce() -> Iterator[int]:
        try:
            yield from range(1_000_000)
        finally:
            closed.set()

    before = _reader_threads()
    stream = iterate_in_thread(produce, batch_size=10, max_batches=1)
    first = await anext(stream)
    started = _reader_threads() - before
    await stream.aclose()

    assert first == 0
    assert len(started) == 1
    assert not any(thread.is_alive() for thread in started)
    assert closed.is_set()


def test_concurrent_reads_do_not_starve_the_default_executor() -> None:
    """More reads than the default executor has workers, each consumer using that executor.

    Reads that parked their producers in the default executor would hold every worker,
    and the consumers' ``asyncio.to_thread`` calls would wait for them forever.
    """
    workers = 2
    readers = workers * 3

    async def consume() -> int:
        total = 0
        stream = iterate_in_thread(lambda: iter(range(20)), batch_size=1, max_batches=1)
        async for item in stream:
            total += await asyncio.to_thread(int, item)
        return total

    async def main() -> list[int]:
        # A loop of its own, so the executor can be made small without touching the suite's.
        asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(workers))
        reads = asyncio.gather(*(consume() for _ in range(readers)))
        return await asyncio.wait_for(reads, timeout=10)

    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(asyncio.run(main()))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            outcome.append(exc)

    runner = threading.Thread(target=run, name="starvation-test", daemon=True)
    runner.start()
    runner.join(timeout=30)

    assert not runner.is_alive(), "the reads deadlocked"
    assert outcome == [[sum(range(20))] * readers]
