"""Keeping what start-up built out of the garbage collector's way.

A started process holds about 200,000 objects that live as long as it does: modules, routes,
connector specs, the database engine. Left in the collector, each full collection walks them
all, a 115-140 ms pause every few hundred chat turns that every request in flight waits out
(measured, docs/performance.md). Frozen once start-up is done, a full collection walks only
what the work since has allocated.
"""

from __future__ import annotations

import gc

__all__ = ["freeze_startup_heap"]


def freeze_startup_heap() -> None:
    """Collect start-up's garbage, then exempt everything left from later collections."""
    gc.collect()
    gc.freeze()
