"""Start-up's heap is frozen out of the collector; garbage made afterwards is still collected."""

from __future__ import annotations

import gc
import weakref

from api.heap import freeze_startup_heap


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the cyclic collector frees it


def test_start_up_objects_are_frozen_and_later_cycles_still_collected() -> None:
    gc.unfreeze()
    try:
        freeze_startup_heap()
        frozen = gc.get_freeze_count()
        later = _Node()
        gone = weakref.ref(later)
        del later

        gc.collect()

        assert frozen > 1000  # this test process's modules, at least
        assert gone() is None
    finally:
        gc.unfreeze()  # the rest of the test session collects as usual
