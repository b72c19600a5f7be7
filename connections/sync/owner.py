"""Which process runs a sync, and whether it still does.

A running sync records its owner (host, process id and a token drawn when the process
started) and a heartbeat in its checkpoint. When the next pull of its source starts, the
sync counts as interrupted if its owner is this very process but no longer runs it, if its
owner ran on this host and the process is gone (killed), or if its heartbeat is stale.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from ulid import ULID

__all__ = ["RUNNING", "is_alive", "owner_record"]

_BOOT = str(ULID())
_HOST = socket.gethostname()

RUNNING: set[str] = set()
"""Ids of the syncs this process is running now."""


def owner_record() -> dict[str, Any]:
    """This process, as stored in a running sync's checkpoint."""
    return {"host": _HOST, "pid": os.getpid(), "boot": _BOOT}


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: it exists
    except OSError:
        return False
    return True


def _parse(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def is_alive(
    sync_id: str,
    checkpoint: Mapping[str, Any],
    started_at: datetime | None,
    *,
    now: datetime,
    stale_after: timedelta,
) -> bool:
    """Whether the running sync ``sync_id`` is still being worked on by someone."""
    owner = checkpoint.get("owner")
    owner = owner if isinstance(owner, Mapping) else {}
    if owner.get("boot") == _BOOT:
        return sync_id in RUNNING
    pid = owner.get("pid")
    if owner.get("host") == _HOST and isinstance(pid, int) and not _process_exists(pid):
        return False
    beat = _parse(checkpoint.get("heartbeatAt")) or started_at
    return beat is not None and now - beat < stale_after
