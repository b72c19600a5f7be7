"""The default inventory store: files under a local directory.

Layout: ``<root>/<tenant>/<upload id>/<name>``. A file is first linked (or copied) to a
hidden temporary name beside its destination and then renamed over it, so a reader never
sees half a file and a crash leaves either nothing or a whole one.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import secrets
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from connections.inventory.store import (
    InventoryError,
    InventoryLocationError,
    InventoryMissingError,
    safe_name,
    safe_segment,
)

__all__ = ["LocalInventoryStore"]


class LocalInventoryStore:
    """Inventory files in a directory (by default ``<data dir>/inventory``).

    Args:
        root: The directory; created on first use.
        durable: Flush each file and its folder to disk before ``put_file`` returns, so a
            row that names the file never outlives it, even across a power cut.
    """

    def __init__(self, root: Path, *, durable: bool = True) -> None:
        self.root = root.resolve()
        self.durable = durable

    def __repr__(self) -> str:
        return f"LocalInventoryStore({str(self.root)!r})"

    def location_of(self, tenant_id: str, upload_id: str, name: str) -> str:
        """The absolute path of the upload's file."""
        return str(self.root / safe_segment(tenant_id) / safe_segment(upload_id) / safe_name(name))

    async def put_file(self, tenant_id: str, upload_id: str, name: str, src: Path) -> str:
        """Link ``src`` into the store (a copy across file systems); return the path."""
        return await asyncio.to_thread(self.put_file_blocking, tenant_id, upload_id, name, src)

    def put_file_blocking(self, tenant_id: str, upload_id: str, name: str, src: Path) -> str:
        """:meth:`put_file` on the caller's thread.

        Raises:
            InventoryError: The file could not be written (disk full, permissions).
        """
        location = self.location_of(tenant_id, upload_id, name)
        try:
            self._put(src, Path(location))
        except OSError as exc:
            raise InventoryError(
                f"The inventory folder could not store {location} ({exc.strerror or 'error'})."
            ) from exc
        return location

    def _put(self, src: Path, dest: Path) -> None:
        dest.parent.mkdir(parents=True, exist_ok=True)
        # Not a ULID: their generator takes a process-wide lock, which many download
        # threads putting files at once would contend for.
        temporary = dest.with_name(f".{dest.name}.{secrets.token_hex(8)}.part")
        try:
            try:
                # A hard link costs nothing, however large the file: the pull wrote it once.
                temporary.hardlink_to(src)
            except OSError:
                shutil.copyfile(src, temporary)
            if self.durable:
                _fsync(temporary)
            # Replaces an orphan a killed pull may have left at the same location.
            temporary.replace(dest)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        if self.durable:
            _fsync_directory(dest.parent)

    def _inside(self, location: str) -> Path:
        path = Path(location).resolve()
        if not path.is_relative_to(self.root) or path == self.root:
            raise InventoryLocationError(f"{location} is not in the inventory at {self.root}.")
        return path

    @asynccontextmanager
    async def open(self, location: str) -> AsyncIterator[Path]:
        """The stored file itself (read it, do not change it)."""
        path = self._inside(location)
        if not await asyncio.to_thread(path.is_file):
            raise InventoryMissingError(f"The inventory file {location} is missing.")
        yield path

    async def delete(self, location: str) -> None:
        """Remove the file, any half-written copy a killed put left, an emptied folder."""
        path = self._inside(location)

        def remove() -> None:
            path.unlink(missing_ok=True)
            for part in path.parent.glob(f".{glob.escape(path.name)}.*.part"):
                part.unlink(missing_ok=True)
            # Not empty (another file) or already gone: either way nothing to do.
            with contextlib.suppress(OSError):
                path.parent.rmdir()

        await asyncio.to_thread(remove)

    async def aclose(self) -> None:
        """Nothing to release."""


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_directory(path: Path) -> None:
    # A rename is durable only once its directory is; not every platform can open one.
    with contextlib.suppress(OSError):
        _fsync(path)
