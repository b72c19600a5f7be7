"""The demo's folder (``var/demo``): emptied at each start, never under a running demo.

A demo keeps an exclusive lock on the folder's marker file while it runs, so a second
``ingestion-agent demo`` on the same folder stops before deleting anything: the running
demo's SeaweedFS data, service database and logs stay where they are. The lock is the
kernel's (``flock``): a demo that was killed leaves no stale lock behind.
"""

from __future__ import annotations

import fcntl
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from api.demo.errors import DemoError

__all__ = ["MARKER", "claim_data_dir"]

MARKER = ".ingestion-agent-demo"
_MARKER_TEXT = "made by `ingestion-agent demo`; emptied at each start\n"


@contextmanager
def claim_data_dir(data_dir: Path) -> Iterator[Path]:
    """Hold the demo's folder for the ``with`` block, emptied; yields its full path.

    Raises:
        DemoError: The folder holds something the demo did not put there, or a demo that
            is still running uses it. Nothing is deleted then.
    """
    folder = data_dir.resolve()
    marker = folder / MARKER
    if folder.exists() and any(folder.iterdir()) and not marker.exists():
        raise DemoError(f"{folder} is not empty and not a demo folder: pick another --data-dir")
    folder.mkdir(parents=True, exist_ok=True)
    with marker.open("a") as held:
        try:
            fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DemoError(
                f"{folder} belongs to a demo that is still running: stop it first "
                "(Ctrl-C in its terminal) or pass another --data-dir"
            ) from None
        for entry in folder.iterdir():
            if entry.name == MARKER:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        held.truncate(0)
        held.write(_MARKER_TEXT)
        held.flush()
        yield folder
