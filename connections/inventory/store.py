"""The inventory store's contract, its errors, and the file names it gives uploads.

An inventory store keeps the bytes of pulled files and table extracts (and of job results).
The database says what an upload is; the store only keeps bytes at a *location*: a path for
the local store, an ``s3://`` URL for the bucket store. A location never carries a
credential, so it may be stored in a row and shown in logs.

Every location is a pure function of ``(tenant_id, upload_id, name)``
(:meth:`InventoryStore.location_of`), so a pull can reserve a location before it writes there
and a later run can remove the file a killed process put but never registered.
"""

from __future__ import annotations

import hashlib
import re
from contextlib import AbstractAsyncContextManager
from pathlib import Path, PurePosixPath
from typing import Protocol, runtime_checkable

__all__ = [
    "InventoryError",
    "InventoryLocationError",
    "InventoryMissingError",
    "InventoryStore",
    "safe_name",
    "safe_segment",
]

_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$")
_UNSAFE_RUN = re.compile(r"[^A-Za-z0-9._-]+")
_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,10}$")


class InventoryError(Exception):
    """Root of the inventory store's errors.

    Tree::

        InventoryError
        ├── InventoryLocationError   a location this store did not make (or outside its root)
        └── InventoryMissingError    nothing is stored at the location (any more)

    Attributes:
        message: Plain words; names the location, never a credential.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InventoryLocationError(InventoryError):
    """The location does not belong to this store."""


class InventoryMissingError(InventoryError):
    """Nothing is stored at the location."""


@runtime_checkable
class InventoryStore(Protocol):
    """Where inventory files live: a local directory or an S3 bucket.

    ``put_file`` replaces whatever is at the location, so putting the same upload again (a
    pull re-run after a crash) overwrites rather than duplicates.
    """

    def location_of(self, tenant_id: str, upload_id: str, name: str) -> str:
        """The location ``put_file`` would store ``name`` of ``upload_id`` at."""
        ...

    async def put_file(self, tenant_id: str, upload_id: str, name: str, src: Path) -> str:
        """Store the file at ``src`` (left in place, not to be changed afterwards).

        Returns:
            The location (as :meth:`location_of` says).
        """
        ...

    def put_file_blocking(self, tenant_id: str, upload_id: str, name: str, src: Path) -> str:
        """:meth:`put_file` for a caller on a worker thread (a download that just ended).

        Raises:
            InventoryError: The store could not keep the file.
        """
        ...

    def open(self, location: str) -> AbstractAsyncContextManager[Path]:
        """A local path with the stored bytes for the duration of the ``async with``.

        Raises:
            InventoryMissingError: Nothing is stored there.
            InventoryLocationError: Not a location of this store.
        """
        ...

    async def delete(self, location: str) -> None:
        """Remove what is stored at ``location``; nothing there is not an error."""
        ...

    async def aclose(self) -> None:
        """Release clients and threads."""
        ...


def safe_segment(value: str) -> str:
    """``value`` as one path segment or key part: plain names as they are, others made safe.

    Tenant ids come from request headers and may hold anything; an unusual one becomes its
    readable part plus a hash, so it can neither climb out of its folder nor collide.
    """
    if _SAFE.fullmatch(value):
        return value
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    readable = _UNSAFE_RUN.sub("_", value).strip("._-")[:60]
    return f"{readable or 'x'}-{digest}"


def safe_name(name: str) -> str:
    """A file name for ``name`` (an object key's last part, say), keeping its extension."""
    base = PurePosixPath(name.replace("\\", "/")).name or "file"
    if _SAFE.fullmatch(base):
        return base
    suffix = PurePosixPath(base).suffix
    if not _SUFFIX.fullmatch(suffix):
        return safe_segment(base)
    return safe_segment(base.removesuffix(suffix)) + suffix.lower()
