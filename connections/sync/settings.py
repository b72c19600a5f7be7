"""How pulls behave: look-back window, concurrency, liveness of running syncs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

__all__ = ["PullSettings"]


@dataclass(frozen=True)
class PullSettings:
    """Tunables of the pull engine; the defaults suit production.

    Attributes:
        lookback: How far behind the newest object a pull still looks for objects that
            became visible late (airbytehq/airbyte#5365). Keys seen within the window are
            remembered (``seen_objects``) so each is taken once; older ones are pruned.
        concurrency: Objects downloaded at once (each on a thread of the pull's own pool).
        scratch_dir: Where downloads land before they enter the inventory store; on the
            same file system as a local store, a file is linked there instead of copied.
            None: the system's temporary folder.
        stale_after: A running sync whose process is gone, or that has not reported for
            this long, counts as interrupted when the next pull of its source starts.
        heartbeat_every: How often a running pull reports that it is alive.
        give_up_after: Stop a pull after this many objects in a row failed, none in
            between succeeding: the source, not the objects, is broken.
        max_batch: Uploads registered per database transaction at most.
    """

    lookback: timedelta = timedelta(hours=24)
    concurrency: int = 32
    scratch_dir: Path | None = None
    stale_after: timedelta = timedelta(minutes=2)
    heartbeat_every: float = 20.0
    give_up_after: int = 25
    max_batch: int = 500

    def __post_init__(self) -> None:
        if self.lookback < timedelta(0):
            raise ValueError("lookback cannot be negative")
        if self.concurrency < 1 or self.give_up_after < 1 or self.max_batch < 1:
            raise ValueError("concurrency, give_up_after and max_batch must be at least 1")
        if self.heartbeat_every <= 0 or self.stale_after.total_seconds() <= self.heartbeat_every:
            raise ValueError("stale_after must be longer than heartbeat_every (> 0)")
